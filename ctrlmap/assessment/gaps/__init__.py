"""The gap rules: what falls between the internal team and the provider.

One small function per rule, each registered with its stable id, its base severity and the
citation behind it. Findings that share a root cause are grouped into one finding listing the
controls. The seed's lesson drives the rules: the risk comes from ambiguity, not from the model.

Severity (README, "Severity"): score = rule base + level (required +1, addressable 0, guidance -1)
+ weight (+1 when 10 or more controls depend on the control, directly or not); a grouped
finding takes its highest-scoring control. Score 5 or more is critical, 4 high, 3 medium, else low.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import Field

# importing a family module registers its rules
from ctrlmap.assessment.gaps import (  # noqa: F401
    coverage,
    crosswalk,
    dependencies,
    designations,
    evidence,
    handoffs,
    ownership,
    providers,
)
from ctrlmap.assessment.gaps.registry import RULES, Facts, Finding, RuleId, finding_id
from ctrlmap.assessment.severity import SEVERITIES
from ctrlmap.assessment.tracking import track
from ctrlmap.models import Strict
from ctrlmap.models.base import Date
from ctrlmap.models.results import Gap


class GapSummary(Strict):
    """Counts of the findings."""

    total: int
    by_severity: dict[str, int]
    by_rule: dict[str, int]
    open: int = 0
    accepted: int = 0
    overdue: int = 0


class GapsResult(Strict):
    """`ctrlmap gaps`: the accountability gaps of one organization under one model."""

    schema_: Literal["ctrlmap/gaps@2"] = Field("ctrlmap/gaps@2", alias="schema")
    organization: str
    model: str
    as_of: Date
    frameworks: tuple[str, ...]
    gaps: tuple[Gap, ...]
    summary: GapSummary
    model_title: str | None = None
    """The model's display name (`Co-managed IT`), for the texts that name it."""
    names: dict[str, str] = Field(default_factory=dict)
    """The display name of each party the findings name, by id (`internal`: the organization's
    own name), so that a table of findings speaks in names."""

    def party(self, ident: str) -> str:
        """A party's display name, its id when unknown."""
        return self.names.get(ident, ident)


def find_gaps(
    facts: Facts,
    rules: Iterable[RuleId] | None = None,
    seen: Mapping[str, dt.date] | None = None,
) -> GapsResult:
    """Run the rules (all, or those named and the rules they read) and return the sorted findings
    (`seen`: a baseline's first-seen dates by finding id, for the due dates)."""
    wanted = set(rules) if rules is not None else set(RULES)
    needed = wanted | {r for w in wanted for r in RULES[w].reads}
    findings: list[Finding] = []
    for rule_id, info in RULES.items():  # RuleId order: a rule runs after the rules it reads
        if rule_id not in needed:
            continue
        found = list(info.check(facts))
        facts.found[rule_id] = found
        if rule_id in wanted:
            findings.extend(found)
    gaps = []
    for f in findings:
        level, points = facts.severity(f)
        gaps.append(
            Gap(
                id=finding_id(f.rule, f.key),
                rule=f.rule,
                severity=level,
                controls=tuple(f.controls),
                parties=tuple(f.parties),
                people=tuple(dict.fromkeys(f.people)),
                roles=tuple(f.roles),
                message=f.message,
                remediation=f.remediation,
                citation=f.citation,
                functions=tuple(f.functions),
                chain=tuple(f.chain),
                subcategory=f.subcategory,
                dependencies=f.dependencies,
                handoffs=tuple(f.handoffs),
                score=points,
            )
        )
    gaps = track(
        gaps, facts.profile, facts.applicable, facts.result.designations, facts.as_of, seen
    )
    gaps.sort(
        key=lambda g: (SEVERITIES.index(g.severity), g.controls[0] if g.controls else "", g.rule)
    )
    parties = sorted({p for g in gaps for p in g.parties})
    return GapsResult(
        organization=facts.result.organization,
        model=facts.result.model,
        model_title=facts.ctx.model.title,
        names={p: facts.ctx.party_name(p) for p in parties},
        as_of=facts.as_of,
        frameworks=facts.result.frameworks,
        gaps=tuple(gaps),
        summary=GapSummary(
            total=len(gaps),
            by_severity={s: sum(g.severity == s for g in gaps) for s in SEVERITIES},
            by_rule={
                r: sum(g.rule == r for g in gaps) for r in RULES if any(g.rule == r for g in gaps)
            },
            open=sum(g.status == "open" for g in gaps),
            accepted=sum(g.status == "accepted" for g in gaps),
            overdue=sum(g.overdue for g in gaps),
        ),
    )


def summary_line(result: GapsResult) -> str:
    """The one-line human summary: '14 gaps: 2 critical, 5 high, 4 medium, 3 low'."""
    counts = ", ".join(f"{result.summary.by_severity[s]} {s}" for s in SEVERITIES)
    noun = "gap" if result.summary.total == 1 else "gaps"
    tracked = [
        f"{n} {label}"
        for n, label in ((result.summary.accepted, "accepted"), (result.summary.overdue, "overdue"))
        if n
    ]
    return f"{result.summary.total} {noun}: {counts}" + (
        f" ({', '.join(tracked)})" if tracked else ""
    )
