"""Coverage rules: after hours, on site, single points of failure, and independence."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    control_list,
    rule,
    unique_sorted,
)

if TYPE_CHECKING:
    pass


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
                controls=unique_sorted(keys),
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
                controls=unique_sorted(keys),
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
        keys = unique_sorted(k for f in functions for k in facts.function_controls[(f, "internal")])
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
                message=f"{facts.name(party)} is Responsible for {control_list(facts, keys)}, which must be done "
                f"independently, and also runs {len(runs)} operational control(s) of {framework} "
                f"(e.g. {control_list(facts, runs, 3)}): it would grade its own work.",
                remediation="Commission an outside assessor independent of the operational work (a provider "
                "entry with independent: true whose agreement covers independent-assessment).",
                citation=facts.citations(keys),
            )
