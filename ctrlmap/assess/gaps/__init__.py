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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ctrlmap.assess.assign import Context
from ctrlmap.load.library import Library
from ctrlmap.models import ROLES, Control, Profile, Strict, split_key
from ctrlmap.models.base import Severity
from ctrlmap.models.results import Assignment, AssignResult, Gap

if TYPE_CHECKING:
    import networkx as nx

    from ctrlmap.load.graph import Scope

LEVEL_POINTS = {"required": 1, "addressable": 0, "guidance": -1}
HEAVY = 10
"""A control on which this many controls depend (directly or not) weighs one more point."""
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
BLOCKING = ("unowned", "no-single-accountable", "provider-not-contracted", "no-internal-capability")
"""Rules whose findings put everything downstream at risk (see at-risk-dependency)."""
AGREEMENTS = {
    "hipaa-security": (
        "baa",
        "a HIPAA business associate agreement",
        "45 CFR 164.308(b)(1), 164.314(a)",
    ),
    "hipaa-breach": (
        "baa",
        "a HIPAA business associate agreement",
        "45 CFR 164.308(b)(1), 164.314(a)",
    ),
    "pci-dss-4": (
        "pci_acknowledgement",
        "the PCI DSS written acknowledgement of responsibility",
        "PCI DSS v4.0.1 12.8.2",
    ),
}
"""The agreement each framework requires of a provider that does its work."""


class GapSummary(Strict):
    """Counts of the findings."""

    total: int
    by_severity: dict[str, int]
    by_rule: dict[str, int]


class GapsResult(Strict):
    """`ctrlmap gaps`: the accountability gaps of one organisation under one model."""

    schema_: Literal["ctrlmap/gaps@1"] = Field("ctrlmap/gaps@1", alias="schema")
    organization: str
    model: str
    as_of: dt.date
    frameworks: tuple[str, ...]
    gaps: tuple[Gap, ...]
    summary: GapSummary


@dataclass
class Finding:
    """A gap before its severity is scored."""

    rule: str
    controls: list[str]
    message: str
    remediation: str
    citation: str
    parties: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)


@dataclass
class Facts:
    """Everything a rule may look up, computed once per assessment."""

    profile: Profile
    lib: Library
    ctx: Context
    result: AssignResult
    scope: Scope
    as_of: dt.date
    applicable: dict[str, Assignment]
    holders: dict[str, set[str]]
    """Function -> the parties Responsible for its share of at least one applicable control."""
    function_controls: dict[tuple[str, str], list[str]]
    """(function, party) -> the applicable controls where that party does that function's share."""
    found: dict[str, list[Finding]] = field(default_factory=dict)
    """The findings of the rules run so far, by rule id."""

    @classmethod
    def build(
        cls,
        profile: Profile,
        lib: Library,
        result: AssignResult,
        as_of: dt.date,
        include_proposed: bool,
    ) -> Facts:
        """Index the assignments for the rules."""
        ctx = Context.build(profile, lib.model(result.model), lib)
        applicable = {a.control: a for a in result.assignments if a.applicable}
        holders: dict[str, set[str]] = defaultdict(set)
        function_controls: dict[tuple[str, str], list[str]] = defaultdict(list)
        for a in applicable.values():
            for share in a.shares:
                if share.function is None:
                    continue
                for party in share.parties:
                    holders[share.function].add(party)
                    function_controls[(share.function, party)].append(a.control)
        return cls(
            profile,
            lib,
            ctx,
            result,
            lib.scope(result.frameworks, include_proposed),
            as_of,
            applicable,
            holders,
            function_controls,
        )

    def control(self, key: str) -> Control:
        """The catalog control behind a global key."""
        return self.lib.controls[key]

    def citations(self, keys: Iterable[str], limit: int = 3) -> str:
        """The controls' citations, the first few."""
        cites = list(dict.fromkeys(self.control(k).citation for k in keys))
        more = f" and {len(cites) - limit} more" if len(cites) > limit else ""
        return "; ".join(cites[:limit]) + more

    def name(self, ident: str) -> str:
        """A party's, person's or provider's display name."""
        return "the organisation" if ident == "internal" else self.ctx.name(ident)


Rule = Callable[[Facts], Iterable[Finding]]


@dataclass(frozen=True)
class RuleInfo:
    """A registered rule."""

    id: str
    base: int
    check: Rule
    summary: str
    """What the rule checks, for the report's method section (the docstring's first line)."""


RULES: dict[str, RuleInfo] = {}


def rule(rule_id: str, base: int) -> Callable[[Rule], Rule]:
    """Register a gap rule with its stable id and base severity points."""

    def wrap(check: Rule) -> Rule:
        doc = (check.__doc__ or "").strip().splitlines()[0]
        RULES[rule_id] = RuleInfo(rule_id, base, check, doc)
        return check

    return wrap


def _sorted(items: Iterable[str]) -> list[str]:
    return sorted(set(items))


def _names(facts: Facts, keys: Iterable[str], limit: int = 4) -> str:
    keys = list(keys)
    shown = ", ".join(split_key(k)[1] for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


@rule("unowned", base=3)
def unowned(facts: Facts) -> Iterator[Finding]:
    """Work that nobody is Responsible for: a control, or a function's share of it, with no party."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    missing: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for a in facts.applicable.values():
        empty = [s for s in a.shares if s.function is not None and not s.parties]
        if empty or not (a.raci and a.raci.responsible):
            key = tuple(sorted(facts.control(a.control).functions))
            groups[key].append(a.control)
            missing[key].update(s.function for s in empty if s.function)
    for functions, keys in sorted(groups.items()):
        shares = sorted(missing[functions]) or list(functions)
        yield Finding(
            rule="unowned",
            controls=keys,
            functions=list(functions),
            parties=_sorted(p for k in keys for p in _accountable(facts, k)),
            message=f"Nobody does the {', '.join(shares)} work of {len(keys)} control(s) "
            f"({_names(facts, keys)}): the model leaves it to a party the profile does not have, "
            "or no provider's agreement covers it.",
            remediation=f"Contract a provider for {', '.join(shares)}, give it to an internal person, "
            "or record an override naming who does it and why.",
            citation=facts.citations(keys),
        )


def _accountable(facts: Facts, key: str) -> list[str]:
    raci = facts.applicable[key].raci
    return [raci.accountable] if raci and raci.accountable else []


@rule("no-single-accountable", base=2)
def no_single_accountable(facts: Facts) -> Iterator[Finding]:
    """Controls with no Accountable party: nobody answers for the result."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        if a.raci is not None and a.raci.accountable is None:
            groups[tuple(sorted(facts.control(a.control).functions))].append(a.control)
    for functions, keys in sorted(groups.items()):
        yield Finding(
            rule="no-single-accountable",
            controls=keys,
            functions=list(functions),
            parties=_sorted(p for k in keys for p in facts.applicable[k].raci.responsible),  # type: ignore[union-attr]
            message=f"Nobody is Accountable for {len(keys)} control(s) ({_names(facts, keys)}): no single "
            "provider is involved and no internal person covers the work or governance.",
            remediation="Name an internal person who covers "
            f"{' or '.join(functions)} or governance, or record an override naming the Accountable party.",
            citation=facts.citations(keys),
        )


@rule("shared-without-split", base=2)
def shared_without_split(facts: Facts) -> Iterator[Finding]:
    """Shared work with no documented split: vague boundaries are where problems start."""
    controls: dict[str, list[str]] = defaultdict(list)
    providers: dict[str, set[str]] = defaultdict(set)
    for a in facts.applicable.values():
        for share in a.shares:
            others = [p for p in share.parties if p != "internal"]
            if (
                share.function
                and share.owner == "shared"
                and "internal" in share.parties
                and others
            ):
                controls[share.function].append(a.control)
                providers[share.function].update(others)
    for function, keys in sorted(controls.items()):
        undocumented = sorted(
            p
            for p in providers[function]
            if not any(
                s.function == function and s.provider in (None, p) for s in facts.profile.splits
            )
        )
        if not undocumented:
            continue
        yield Finding(
            rule="shared-without-split",
            controls=_sorted(keys),
            functions=[function],
            parties=["internal", *undocumented],
            people=facts.ctx.people_by_function.get(function, []),
            message=f"{function} is shared between the organisation and {', '.join(undocumented)} in "
            f"{len(set(keys))} control(s), but nothing says who does which part.",
            remediation=f"Document the split for {function} (internal_part, provider_part, agreement) "
            "in the profile's splits and in the provider's statement of work.",
            citation=facts.citations(keys),
        )


@rule("non-delegable-accountability", base=3)
def non_delegable_accountability(facts: Facts) -> Iterator[Finding]:
    """A provider is Accountable for a control whose accountability the law keeps with the organisation."""
    groups: dict[str, list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        control = facts.control(a.control)
        if (
            control.accountability == "non-delegable"
            and a.raci
            and a.raci.accountable not in (None, "internal")
        ):
            groups[a.raci.accountable].append(a.control)
    for party, keys in sorted(groups.items()):
        bases = list(dict.fromkeys(facts.control(k).accountability_basis or "" for k in keys))
        yield Finding(
            rule="non-delegable-accountability",
            controls=keys,
            parties=[party],
            roles=_sorted(r for k in keys if (r := facts.control(k).designation)),
            message=f"{facts.name(party)} is made Accountable for {len(keys)} control(s) "
            f"({_names(facts, keys)}) whose accountability the law keeps with the organisation.",
            remediation="Make the organisation Accountable (an internal person answers for it); the provider "
            "may stay Responsible for doing the work.",
            citation=_short(bases[0]) + (f" and {len(bases) - 1} more" if len(bases) > 1 else ""),
        )


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _role_controls(facts: Facts, role: str) -> list[str]:
    return [k for k, a in facts.applicable.items() if facts.control(k).designation == role]


@rule("designation-missing", base=3)
def designation_missing(facts: Facts) -> Iterator[Finding]:
    """A role the frameworks require is not designated, or is held by a provider the law does not allow."""
    for role, entry in facts.result.designations.items():
        keys = _role_controls(facts, role)
        if not keys:
            continue
        rule_info = ROLES[role]  # type: ignore[index]
        if entry.holder is None:
            yield Finding(
                rule="designation-missing",
                controls=keys,
                roles=[role],
                parties=["internal"],
                message=f"No {rule_info.title} is designated, but {rule_info.citation} requires the organisation to name one.",
                remediation=f"Designate the {role} in the profile (designations: {role}: {{holder: <person id>}}) "
                "and record the appointment in writing.",
                citation=rule_info.citation,
            )
        elif entry.holder_party != "internal" and not rule_info.provider_may_hold:
            yield Finding(
                rule="designation-missing",
                controls=keys,
                roles=[role],
                parties=[entry.holder_party or entry.holder],
                message=f"The {rule_info.title} is held by the provider {entry.holder_name}, but "
                f"{rule_info.citation} requires one of the organisation's own "
                + ("lawyers." if role == "supervising-lawyer" else "executives."),
                remediation=f"Designate one of the organisation's own people as {role}; the provider can "
                "support the work but cannot hold the role.",
                citation=rule_info.citation,
            )


@rule("outsourced-designation-without-overseer", base=2)
def outsourced_without_overseer(facts: Facts) -> Iterator[Finding]:
    """A role is filled by a provider and no internal senior overseer is named."""
    for role, entry in facts.result.designations.items():
        rule_info = ROLES[role]  # type: ignore[index]
        if entry.holder is None or entry.holder_party == "internal" or entry.overseer is not None:
            continue
        if not entry.required:
            continue  # no applicable control of the frameworks in scope requires this role
        if not rule_info.overseer_required or not rule_info.provider_may_hold:
            continue
        keys = _role_controls(facts, role) + [
            k
            for k, a in facts.applicable.items()
            if (facts.control(k).applies_if or {}).get("outsourced") == (role,)
        ]
        yield Finding(
            rule="outsourced-designation-without-overseer",
            controls=_sorted(keys),
            roles=[role],
            parties=[entry.holder_party or entry.holder],
            message=f"The {rule_info.title} is held by {entry.holder_name}, a provider, and no senior member of "
            "the organisation is named to direct and oversee it.",
            remediation=f"Name an internal senior person as overseer (designations: {role}: "
            f"{{holder: {entry.holder}, overseer: <person id>}}).",
            citation=rule_info.citation,
        )


@rule("provider-not-contracted", base=2)
def provider_not_contracted(facts: Facts) -> Iterator[Finding]:
    """A provider is Responsible for a function its agreement does not cover."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in facts.applicable.values():
        for share in a.shares:
            if share.function is None or share.contracted:
                continue
            for party in share.parties:
                if (
                    party != "internal"
                    and share.function not in facts.ctx.providers[party].functions
                ):
                    groups[(party, share.function)].append(a.control)
    for (party, function), keys in sorted(groups.items()):
        agreement = facts.ctx.providers[party].agreement or "its agreement"
        yield Finding(
            rule="provider-not-contracted",
            controls=_sorted(keys),
            parties=[party],
            functions=[function],
            message=f"{facts.name(party)} is expected to do {function} for {len(set(keys))} control(s), "
            f"but {agreement} does not cover {function}.",
            remediation=f"Add {function} to {party}'s statement of work, or give the work to someone else "
            "with an override.",
            citation=facts.citations(keys),
        )


@rule("provider-agreement-missing", base=2)
def provider_agreement_missing(facts: Facts) -> Iterator[Finding]:
    """A provider doing a framework's work lacks the agreement that framework requires."""
    for provider in facts.profile.providers:
        missing: list[tuple[str, str, list[str]]] = []
        for framework, (attr, what, cite) in AGREEMENTS.items():
            keys = [
                k
                for k, a in facts.applicable.items()
                if a.framework == framework and a.raci and provider.id in a.raci.responsible
            ]
            if keys and not getattr(provider, attr):
                missing.append((what, cite, keys))
        merged: dict[str, tuple[str, list[str]]] = {}
        for what, cite, keys in missing:
            merged.setdefault(what, (cite, []))[1].extend(keys)
        if not merged:
            continue
        keys = _sorted(k for _, ks in merged.values() for k in ks)
        yield Finding(
            rule="provider-agreement-missing",
            controls=keys,
            parties=[provider.id],
            message=f"{provider.name} does regulated work ({len(keys)} control(s)) without "
            f"{' or '.join(merged)} on file.",
            remediation=f"Sign {' and '.join(merged)} with {provider.name} before it touches regulated data, "
            "and record it in the profile.",
            citation="; ".join(cite for cite, _ in merged.values()),
        )


@rule("provider-oversight-overdue", base=1)
def provider_oversight_overdue(facts: Facts) -> Iterator[Finding]:
    """A provider's periodic oversight review is missing or older than the rule allows."""
    oversight = [facts.applicable[k] for k in facts.applicable if facts.control(k).oversight]
    for provider in facts.profile.providers:
        due: list[tuple[str, int]] = []
        for a in oversight:
            works = any(
                provider.id in (b.raci.responsible if b.raci else ())
                for b in facts.applicable.values()
                if b.framework == a.framework
            )
            if works:
                due.append((a.control, facts.control(a.control).review_days or 365))
        if not due:
            continue
        days = min(d for _, d in due)
        last = provider.last_reviewed
        age = (facts.as_of - last).days if last else None
        if age is not None and 0 <= age <= days:
            continue
        keys = [k for k, _ in due]
        when = (
            "has never been reviewed"
            if last is None
            else f"has a last review dated {last.isoformat()}, after the as-of date (check the date)"
            if age is not None and age < 0
            else f"was last reviewed on {last.isoformat()} ({age} days ago)"
        )
        yield Finding(
            rule="provider-oversight-overdue",
            controls=keys,
            parties=[provider.id],
            message=f"{provider.name} {when}; the rules require a review at least every {days} days.",
            remediation=f"Review {provider.name}'s security and compliance status (reports, attestations, "
            "contract performance) and record the date as last_reviewed.",
            citation=facts.citations(keys),
        )


@rule("no-internal-capability", base=2)
def no_internal_capability(facts: Facts) -> Iterator[Finding]:
    """The organisation is Responsible for work no internal person covers."""
    for (function, party), keys in sorted(facts.function_controls.items()):
        if party != "internal" or facts.ctx.people_by_function.get(function):
            continue
        yield Finding(
            rule="no-internal-capability",
            controls=_sorted(keys),
            functions=[function],
            parties=["internal"],
            message=f"The organisation is Responsible for {function} in {len(set(keys))} control(s), "
            f"but none of its people covers {function}.",
            remediation=f"Give {function} to an internal person (their functions list), hire or train for it, "
            "or contract a provider and record an override.",
            citation=facts.citations(keys),
        )


@rule("missing-handoff", base=2)
def missing_handoff(facts: Facts) -> Iterator[Finding]:
    """A dependency crosses parties with no documented hand-off between them."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    graph = facts.scope.graph
    for dependent, prerequisite in graph.edges:
        a, b = facts.applicable.get(dependent), facts.applicable.get(prerequisite)
        if a is None or b is None or a.raci is None or b.raci is None:
            continue
        for p in b.raci.responsible:
            for q in a.raci.responsible:
                if p != q and not _handed_off(facts, p, q, prerequisite, dependent):
                    groups[(p, q)].append((dependent, prerequisite))
    for (p, q), edges in sorted(groups.items()):
        keys = _sorted(k for edge in edges for k in edge)
        functions = _sorted(f for _, b in edges for f in facts.control(b).functions)
        yield Finding(
            rule="missing-handoff",
            controls=keys,
            parties=[p, q],
            functions=functions,
            message=f"{len(edges)} dependenc{'y' if len(edges) == 1 else 'ies'} run from work of "
            f"{facts.name(p)} to work of {facts.name(q)} with no documented hand-off "
            f"(e.g. {split_key(edges[0][0])[1]} depends on {split_key(edges[0][1])[1]}).",
            remediation=f"Document how {facts.name(p)} hands results to {facts.name(q)} (handoffs: from {p}, "
            f"to {q}, with the functions and the agreement clause).",
            citation=facts.citations(keys),
            chain=[f"{d} depends on {b}" for d, b in edges[:20]],
        )


def _handed_off(facts: Facts, p: str, q: str, prerequisite: str, dependent: str) -> bool:
    from_functions = facts.control(prerequisite).functions
    to_functions = facts.control(dependent).functions
    return any(
        h.from_ == p
        and h.to == q
        and (h.from_function is None or h.from_function in from_functions)
        and (h.to_function is None or h.to_function in to_functions)
        for h in facts.profile.handoffs
    )


@rule("after-hours-gap", base=2)
def after_hours_gap(facts: Facts) -> Iterator[Finding]:
    """Round-the-clock work held by a party with no after-hours coverage."""
    for function, parties in sorted(facts.holders.items()):
        if not facts.lib.functions[function].continuous:
            continue
        for party in sorted(parties):
            if party == "internal":
                people = facts.ctx.people_by_function.get(function, [])
                if any(facts.ctx.people[p].after_hours for p in people):
                    continue
            elif facts.ctx.providers[party].after_hours:
                continue
            else:
                people = []
            keys = facts.function_controls[(function, party)]
            yield Finding(
                rule="after-hours-gap",
                controls=_sorted(keys),
                functions=[function],
                parties=[party],
                people=people,
                message=f"{function} must be covered around the clock, but {facts.name(party)} "
                "has no after-hours coverage for it.",
                remediation=f"Arrange after-hours cover for {function}: an on-call rota, or a provider with "
                "24x7 service and a hand-off to the organisation.",
                citation=facts.citations(keys),
            )


@rule("on-site-gap", base=1)
def on_site_gap(facts: Facts) -> Iterator[Finding]:
    """On-site work held by a provider that gives no on-site service."""
    for function, parties in sorted(facts.holders.items()):
        if not facts.lib.functions[function].on_site:
            continue
        for party in sorted(parties):
            if party == "internal" or facts.ctx.providers[party].on_site:
                continue
            keys = facts.function_controls[(function, party)]
            yield Finding(
                rule="on-site-gap",
                controls=_sorted(keys),
                functions=[function],
                parties=[party],
                message=f"{facts.name(party)} holds {function}, which is done on the premises, "
                "but gives no on-site service.",
                remediation=f"Add on-site service to {party}'s agreement, or keep {function} with an internal "
                "person on site.",
                citation=facts.citations(keys),
            )


@rule("single-point-of-failure", base=1)
def single_point_of_failure(facts: Facts) -> Iterator[Finding]:
    """One person is the only internal coverage of work controls depend on, with no backup."""
    alone: dict[str, list[str]] = defaultdict(list)
    for function, parties in sorted(facts.holders.items()):
        people = facts.ctx.people_by_function.get(function, [])
        if (
            "internal" in parties
            and len(people) == 1
            and facts.ctx.people[people[0]].backup is None
        ):
            alone[people[0]].append(function)
    for person_id, functions in alone.items():
        person = facts.ctx.people[person_id]
        keys = _sorted(k for f in functions for k in facts.function_controls[(f, "internal")])
        yield Finding(
            rule="single-point-of-failure",
            controls=keys,
            functions=functions,
            parties=["internal"],
            people=[person_id],
            message=f"{person.name} is the only internal person covering {', '.join(functions)} "
            f"({len(keys)} control(s)) and has no declared backup.",
            remediation=f"Declare a backup for {person.name} (backup: a person or provider id) and make sure "
            "they have the access and the runbooks to stand in.",
            citation=facts.citations(keys),
        )


@rule("self-assessment", base=2)
def self_assessment(facts: Facts) -> Iterator[Finding]:
    """A party assesses its own work: it is Responsible for an independent control and for operations."""
    assessing = ("independent-assessment", "risk-assessment")
    for framework in facts.result.frameworks:
        own = [a for a in facts.applicable.values() if a.framework == framework]
        independent = [a for a in own if facts.control(a.control).independence == "required"]
        operational = [
            a for a in own if not set(facts.control(a.control).functions) & set(assessing)
        ]
        for party in facts.profile.party_order(p for a in independent for p in a.responsible):
            keys = [a.control for a in independent if a.raci and party in a.raci.responsible]
            runs = [a.control for a in operational if a.raci and party in a.raci.responsible]
            if not runs:
                continue
            yield Finding(
                rule="self-assessment",
                controls=keys,
                parties=[party],
                message=f"{facts.name(party)} is Responsible for {_names(facts, keys)}, which must be done "
                f"independently, and also runs {len(runs)} operational control(s) of {framework} "
                f"(e.g. {_names(facts, runs, 3)}): it would grade its own work.",
                remediation="Commission an outside assessor independent of the operational work (a provider "
                "entry with independent: true whose agreement covers independent-assessment).",
                citation=facts.citations(keys),
            )


@rule("crosswalk-conflict", base=1)
def crosswalk_conflict(facts: Facts) -> Iterator[Finding]:
    """One piece of work, two answers: controls of two frameworks that meet the same CSF outcome disagree."""
    by_subcategory: dict[str, list[Assignment]] = defaultdict(list)
    for a in facts.applicable.values():
        for sub in facts.control(a.control).maps_to:
            by_subcategory[sub].append(a)
    for sub, members in sorted(by_subcategory.items()):
        if len({a.framework for a in members}) < 2:
            continue
        conflicting: set[str] = set()
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a.framework != b.framework and _disagree(facts, a, b):
                    conflicting.update((a.control, b.control))
        if not conflicting:
            continue
        keys = sorted(conflicting)
        described = "; ".join(
            f"{k} {facts.applicable[k].owner}, {facts.applicable[k].accountable or 'nobody'} accountable"
            for k in keys[:4]
        )
        yield Finding(
            rule="crosswalk-conflict",
            controls=keys,
            parties=_sorted(p for k in keys for p in facts.applicable[k].responsible),
            functions=_sorted(f for k in keys for f in facts.control(k).functions),
            message=f"Controls of different frameworks meet the same CSF 2.0 outcome {sub} with the same work but "
            f"different owners or Accountable parties ({described}).",
            remediation="Make the assignments agree (mirror the override made in one framework in the other), "
            "or record why they differ.",
            citation=f"NIST CSF 2.0 {sub}; " + facts.citations(keys, 2),
        )


def _disagree(facts: Facts, a: Assignment, b: Assignment) -> bool:
    """Whether two controls give the same work to different parties.

    Shares of a function both controls have must have the same Responsible parties; controls with
    the same functions must also have the same Accountable party. Controls that merely have
    different function mixes are not in conflict.
    """
    fa, fb = facts.control(a.control).functions, facts.control(b.control).functions
    common = set(fa) & set(fb)
    if not common:
        return False
    shares_a = {s.function: set(s.parties) for s in a.shares if s.function}
    shares_b = {s.function: set(s.parties) for s in b.shares if s.function}
    if any(shares_a.get(f) != shares_b.get(f) for f in common):
        return True
    return set(fa) == set(fb) and a.accountable != b.accountable


def cycle_start(as_of: dt.date, month_day: str) -> dt.date:
    """The due date before the latest one: evidence for a yearly deadline must be newer than it.

    A filing due every April 15 (NYDFS 500.17(b)) is current at 2026-11-28 only if it is dated
    after 2025-04-15, the due date before the 2026 one.
    """
    month, day = int(month_day[:2]), int(month_day[3:])

    def due(year: int) -> dt.date:
        return dt.date(year, month, min(day, 28) if (month, day) == (2, 29) else day)

    latest = due(as_of.year) if due(as_of.year) <= as_of else due(as_of.year - 1)
    return due(latest.year - 1)


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
                f"(the oldest {oldest[framework]} days): {_names(facts, keys)}.",
                remediation="Review the evidence, refresh it, and record the new review date.",
                citation=facts.citations(keys),
            )
        else:
            yield Finding(
                rule="missing-evidence",
                controls=keys,
                parties=["internal"],
                message=f"{len(keys)} applicable control(s) of {title} have no evidence on file: {_names(facts, keys)}."
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


@rule("at-risk-dependency", base=0)
def at_risk_dependency(facts: Facts) -> Iterator[Finding]:
    """Controls downstream of a blocking gap: they depend, directly or not, on work nobody can deliver."""
    import networkx as nx

    graph = facts.scope.graph
    roots = [f for rule_id in BLOCKING for f in facts.found.get(rule_id, [])]
    for root in roots:
        inside = set(root.controls)
        downstream: set[str] = set()
        for key in root.controls:
            if key in graph:
                downstream |= nx.ancestors(graph, key)
        downstream = {k for k in downstream - inside if k in facts.applicable}
        if not downstream:
            continue
        keys = sorted(downstream)
        chain = _chain(graph, keys[0], inside)
        yield Finding(
            rule="at-risk-dependency",
            controls=keys,
            parties=list(root.parties),
            functions=list(root.functions),
            message=f"{len(keys)} control(s) depend, directly or not, on work with a {root.rule} gap "
            f"({_names(facts, root.controls, 3)}): e.g. {' -> '.join(split_key(k)[1] for k in chain)}.",
            remediation=f"Resolve the {root.rule} gap first; these controls cannot be relied on until then.",
            citation=facts.citations(keys),
            chain=chain,
        )


def _chain(graph: nx.DiGraph[str], start: str, targets: set[str]) -> list[str]:
    import networkx as nx

    best: list[str] | None = None
    for target in sorted(targets):
        try:
            path = nx.shortest_path(graph, start, target)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            continue
        if best is None or len(path) < len(best):
            best = path
    return best or [start]


def score(facts: Facts, rule_id: str, keys: Iterable[str]) -> int:
    """The severity score of a finding: its highest-scoring control."""
    base = RULES[rule_id].base
    points = [
        base + LEVEL_POINTS[facts.control(k).level] + (1 if facts.scope.weight(k) >= HEAVY else 0)
        for k in keys
    ]
    return max(points, default=base)


def severity_of(points: int) -> Severity:
    """Map a score to a severity."""
    if points >= 5:
        return "critical"
    if points == 4:
        return "high"
    if points == 3:
        return "medium"
    return "low"


def find_gaps(
    profile: Profile,
    lib: Library,
    result: AssignResult,
    as_of: dt.date,
    rules: Iterable[str] | None = None,
    include_proposed: bool = False,
) -> GapsResult:
    """Run the rules (all, or those named) over an assignment and return the sorted findings."""
    facts = Facts.build(profile, lib, result, as_of, include_proposed)
    wanted = set(rules) if rules is not None else set(RULES)
    findings: list[Finding] = []
    for rule_id, info in RULES.items():  # registry order: at-risk-dependency reads earlier findings
        found = list(info.check(facts))
        facts.found[rule_id] = found
        if rule_id in wanted:
            findings.extend(found)
    gaps = []
    for f in findings:
        points = score(facts, f.rule, f.controls)
        gaps.append(
            Gap(
                rule=f.rule,
                severity=severity_of(points),
                controls=tuple(f.controls),
                parties=tuple(f.parties),
                people=tuple(dict.fromkeys(f.people)),
                roles=tuple(f.roles),
                message=f.message,
                remediation=f.remediation,
                citation=f.citation,
                functions=tuple(f.functions),
                chain=tuple(f.chain),
                score=points,
            )
        )
    gaps.sort(
        key=lambda g: (SEVERITIES.index(g.severity), g.controls[0] if g.controls else "", g.rule)
    )
    return GapsResult(
        organization=result.organization,
        model=result.model,
        as_of=as_of,
        frameworks=result.frameworks,
        gaps=tuple(gaps),
        summary=GapSummary(
            total=len(gaps),
            by_severity={s: sum(g.severity == s for g in gaps) for s in SEVERITIES},
            by_rule={
                r: sum(g.rule == r for g in gaps) for r in RULES if any(g.rule == r for g in gaps)
            },
        ),
    )


def summary_line(result: GapsResult) -> str:
    """The one-line human summary: '14 gaps: 2 critical, 5 high, 4 medium, 3 low'."""
    counts = ", ".join(f"{result.summary.by_severity[s]} {s}" for s in SEVERITIES)
    noun = "gap" if result.summary.total == 1 else "gaps"
    return f"{result.summary.total} {noun}: {counts}"
