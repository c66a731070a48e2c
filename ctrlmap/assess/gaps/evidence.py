"""Evidence rules: controls with no evidence on file, or evidence past its review period."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assess.evidence import cycle_start
from ctrlmap.assess.gaps.registry import (
    Facts,
    Finding,
    control_list,
    rule,
)

if TYPE_CHECKING:
    pass


def _evidence_findings(facts: Facts, stale: bool) -> Iterator[Finding]:
    latest: dict[str, list[tuple[dt.date, bool]]] = defaultdict(list)
    for item in facts.profile.evidence:
        latest[item.control].append((item.reviewed, item.decision is not None))
    per_framework: dict[str, list[str]] = defaultdict(list)
    oldest: dict[str, int] = {}
    future: dict[str, int] = defaultdict(int)
    for key, a in facts.applicable.items():
        control = facts.control(key)
        items = latest.get(key, [])
        if control.kind == "implementation-specification" and control.level == "addressable":
            # an addressable spec's evidence records the 164.306(d)(3) decision
            items = [i for i in items if i[1]]
        # evidence dated after the as-of date is a typing mistake, not evidence
        future[a.framework] += sum(d > facts.as_of for d, _ in items)
        items = [i for i in items if i[0] <= facts.as_of]
        if not items:
            if not stale:
                per_framework[a.framework].append(key)
            continue
        newest = max(d for d, _ in items)
        limit = control.review_days or facts.profile.review_period_days
        age = (facts.as_of - newest).days
        cycle = cycle_start(facts.as_of, control.annual_due) if control.annual_due else None
        if stale and (age > limit or (cycle is not None and newest <= cycle)):
            per_framework[a.framework].append(key)
            oldest[a.framework] = max(oldest.get(a.framework, 0), age)
    for framework, keys in sorted(per_framework.items()):
        title = facts.lib.catalogs[framework].title
        if stale:
            yield Finding(
                rule="stale-evidence",
                controls=keys,
                parties=["internal"],
                message=f"{len(keys)} control(s) of {title} have evidence older than their review period "
                f"(the oldest {oldest[framework]} days): {control_list(facts, keys)}.",
                remediation="Review the evidence, refresh it, and record the new review date.",
                citation=facts.citations(keys),
            )
        else:
            yield Finding(
                rule="missing-evidence",
                controls=keys,
                parties=["internal"],
                message=f"{len(keys)} applicable control(s) of {title} have no evidence on file: {control_list(facts, keys)}."
                + (
                    f" {future[framework]} evidence item(s) are dated after the as-of date and were not counted; check their dates."
                    if future[framework]
                    else ""
                )
                + (
                    " For an addressable specification the evidence must record the 164.306(d)(3) decision."
                    if framework == "hipaa-security"
                    else ""
                ),
                remediation="Collect the evidence (policy, log, report, decision memo) and list it in the "
                "profile's evidence register with its review date.",
                citation=facts.citations(keys),
            )


@rule("missing-evidence", base=0)
def missing_evidence(facts: Facts) -> Iterator[Finding]:
    """Applicable controls with no evidence on file (for addressable specs: no recorded decision)."""
    return _evidence_findings(facts, stale=False)


@rule("stale-evidence", base=0)
def stale_evidence(facts: Facts) -> Iterator[Finding]:
    """Evidence older than the control's review period (else the profile's) at the as-of date."""
    return _evidence_findings(facts, stale=True)
