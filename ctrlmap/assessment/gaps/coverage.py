"""Coverage rules: after hours, notification clocks, on site, single points of failure, independence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    control_list,
    remedy,
    rule,
    unique_sorted,
)
from ctrlmap.models.base import plural, possessive, sentence

NOTIFY = "regulatory-notification"


def _after_hours(facts: Facts, party: str, function: str) -> bool:
    """Whether the party covers the function outside business hours."""
    if party == "internal":
        return any(
            facts.ctx.people[p].after_hours for p in facts.ctx.people_by_function.get(function, [])
        )
    # a provider covers the night only for work its agreement covers
    return facts.ctx.providers[party].after_hours and facts.ctx.contracted(party, function)


@rule(
    "after-hours-gap",
    base="medium",
    why="ctrlmap's practice, from the function taxonomy's continuous flag: detection and response "
    "that stop at 6 pm leave the night to chance. No framework here requires 24x7 coverage by name.",
)
def after_hours_gap(facts: Facts) -> Iterator[Finding]:
    """Round-the-clock work that none of the parties doing it covers after hours."""
    for function, parties in sorted(facts.holders.items()):
        if not facts.lib.functions[function].continuous:
            continue
        if any(_after_hours(facts, party, function) for party in parties):
            continue  # a holder covers the night; the split and hand-off rules cover the boundary
        holders = facts.profile.party_order(parties)
        keys = unique_sorted(k for p in holders for k in facts.function_controls[(function, p)])
        yield Finding(
            rule="after-hours-gap",
            key=(function,),
            controls=keys,
            functions=[function],
            parties=list(holders),
            people=facts.ctx.people_by_function.get(function, []) if "internal" in holders else [],
            message=sentence(
                f"{facts.function(function)} is round-the-clock work, but none of the parties "
                f"doing it ({facts.names(holders)}) covers it after hours."
            ),
            remediation=remedy(
                f"Arrange after-hours cover for {facts.function(function)}: an on-call rota, or a "
                "provider with 24x7 service and a documented hand-off to the organization.",
                "after_hours: true for the person or provider who covers it.",
            ),
            citation=f"ctrlmap practice: {facts.function(function)} is round-the-clock work in "
            "ctrlmap's function taxonomy",
        )


@rule(
    "notification-after-hours",
    base="high",
    why="A notice due within hours ({cites}) runs over nights and weekends; nobody reachable to "
    "make it is how deadlines are missed.",
    cites={"nydfs-500": "23 NYCRR 500.17(a): 72 hours", "ncua-748": "12 CFR 748.1(c): 72 hours"},
)
def notification_after_hours(facts: Facts) -> Iterator[Finding]:
    """A notification clock of 72 hours or less whose notification work nobody covers after hours."""
    for framework in facts.result.frameworks:
        clocks = [
            k
            for k, a in facts.applicable.items()
            if a.framework == framework and (facts.control(k).notice_hours or 1000) <= 72
        ]
        if not clocks:
            continue
        doers = facts.profile.party_order(
            p
            for k in clocks
            for s in facts.applicable[k].shares
            if s.function == NOTIFY or s.function is None
            for p in s.parties
        ) or facts.profile.party_order(facts.holders.get(NOTIFY, set()))
        if any(_after_hours(facts, p, NOTIFY) for p in doers):
            continue
        deadlines = " and ".join(
            f"{facts.control(k).citation} gives {facts.control(k).notice_hours} hours"
            for k in sorted(clocks, key=lambda k: -(facts.control(k).notice_hours or 0))
        )
        names = facts.names(doers) or "nobody"
        yield Finding(
            rule="notification-after-hours",
            key=(framework,),
            controls=clocks,
            functions=[NOTIFY],
            parties=list(doers) or ["internal"],
            people=facts.ctx.people_by_function.get(NOTIFY, []),
            message=f"{deadlines} to notify, and the clock runs at night and on weekends, but who "
            f"makes the notice ({names}) is not reachable after hours.",
            remediation=remedy(
                "Designate who can decide and file the notice outside business hours (a person, "
                "or a backup who is reachable), and rehearse it.",
                f"after_hours: true for a person who covers {NOTIFY}, or for their backup.",
            ),
            citation=facts.citations(clocks),
        )


@rule(
    "on-site-gap",
    base="medium",
    why="Work that must be done on the premises, held only by a provider that never comes on site.",
)
def on_site_gap(facts: Facts) -> Iterator[Finding]:
    """On-site work held by a provider that gives no on-site service, with nobody on site doing it."""
    for function, parties in sorted(facts.holders.items()):
        if not facts.lib.functions[function].on_site or "internal" in parties:
            continue  # the organization's own people are on site
        for party in sorted(parties):
            if facts.ctx.providers[party].on_site:
                continue
            keys = facts.function_controls[(function, party)]
            yield Finding(
                rule="on-site-gap",
                key=(function, party),
                controls=unique_sorted(keys),
                functions=[function],
                parties=[party],
                message=f"{facts.name(party)} holds {facts.function(function)}, which is done on "
                "the premises, but gives no on-site service and nobody else on site does it.",
                remediation=remedy(
                    f"Add on-site service to {possessive(facts.name(party))} agreement, or assign "
                    f"{facts.function(function)} to a member of staff on site.",
                    "on_site: true for the provider, or the function in an on-site person's "
                    "functions.",
                ),
                citation=facts.citations(keys),
            )


@rule(
    "single-point-of-failure",
    base="medium",
    why="One absence stops the work; examiners ask for continuity of key roles (a backup person, "
    "or a provider that gives the IT director a bench).",
)
def single_point_of_failure(facts: Facts) -> Iterator[Finding]:
    """One person is the only coverage of work controls depend on, with no backup and no provider."""
    alone: dict[str, list[str]] = defaultdict(list)
    for function, parties in sorted(facts.holders.items()):
        people = facts.ctx.people_by_function.get(function, [])
        if (
            parties == {"internal"}
            and len(people) == 1
            and facts.ctx.people[people[0]].backup is None
        ):
            alone[people[0]].append(function)
    for person_id, functions in alone.items():
        person = facts.ctx.people[person_id]
        keys = unique_sorted(k for f in functions for k in facts.function_controls[(f, "internal")])
        yield Finding(
            rule="single-point-of-failure",
            key=(person_id,),
            controls=keys,
            functions=functions,
            parties=["internal"],
            people=[person_id],
            message=f"{person.name} is the only person covering {facts.functions(functions)} "
            f"({plural(len(keys), 'control')}), with no declared backup and no provider doing it too.",
            remediation=remedy(
                f"Designate a backup for {person.name} and make sure they have the access and "
                "the runbooks to stand in.",
                f"backup for {person.name}: a person or a provider.",
            ),
            citation="ctrlmap practice, on the work of " + facts.citations(keys),
        )


@rule(
    "self-assessment",
    base="high",
    why="The standard requires the test to be independent of the work tested ({cites}); an "
    "assessor marks the requirement not in place.",
    cites={"pci-dss-4": "PCI DSS 11.4.2, 11.4.3, 11.4.5, 11.4.6", "nydfs-500": "23 NYCRR 500.2(c)"},
)
def self_assessment(facts: Facts) -> Iterator[Finding]:
    """The parties that do the operational work would also do the independent assessment of it."""
    assessing = frozenset(("independent-assessment", "risk-assessment"))
    for framework in facts.result.frameworks:
        own = [a for a in facts.applicable.values() if a.framework == framework]
        independent = [a for a in own if facts.control(a.control).independence == "required"]
        if not independent:  # nothing must be done independently: nobody grades their own work
            continue
        operational = [a for a in own if assessing.isdisjoint(facts.control(a.control).functions)]
        running = {p for a in operational for p in a.responsible}
        graders = [
            p
            for p in facts.profile.party_order(p for a in independent for p in a.responsible)
            if p in running
        ]
        if not graders:
            continue
        keys = [a.control for a in independent if set(a.responsible) & set(graders)]
        yield Finding(
            rule="self-assessment",
            key=(framework,),
            controls=keys,
            parties=graders,
            message=sentence(
                f"{facts.names(graders)} would do {control_list(facts, keys)}, which must be done "
                "independently of the work tested, while also running operational controls of "
                f"{facts.framework(framework)}: they would grade their own work."
            ),
            remediation=remedy(
                "Commission an outside assessor, independent of the operational work.",
                "the assessor as a provider, independent: true, with independent-assessment in "
                "its functions.",
            ),
            citation=facts.citations(keys),
        )
