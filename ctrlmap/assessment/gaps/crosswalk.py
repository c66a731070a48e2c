"""Crosswalk rule: two frameworks give the same CSF outcome to different parties."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    remedy,
    rule,
    unique_sorted,
)
from ctrlmap.models import split_key
from ctrlmap.models.results import Assignment

if TYPE_CHECKING:
    pass


@rule(
    "crosswalk-conflict",
    base="low",
    why="Two frameworks answer the same question differently: an inconsistency to reconcile.",
)
def crosswalk_conflict(facts: Facts) -> Iterator[Finding]:
    """One piece of work, two answers: controls of two frameworks that map to the same CSF outcome disagree."""
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
            f"{split_key(k)[1]} of {facts.framework(facts.applicable[k].framework)}: "
            f"{facts.applicable[k].owner}, "
            f"{facts.name(acc) if (acc := facts.applicable[k].accountable) else 'nobody'} Accountable"
            for k in keys[:4]
        )
        yield Finding(
            rule="crosswalk-conflict",
            key=(sub,),
            controls=keys,
            parties=unique_sorted(p for k in keys for p in facts.applicable[k].responsible),
            functions=unique_sorted(f for k in keys for f in facts.control(k).functions),
            message=f"Controls of different frameworks meet the same CSF 2.0 outcome {sub} with the same work but "
            f"different owners or Accountable parties ({described}).",
            remediation=remedy(
                "Make the assignments agree (the same party does the work in both frameworks), "
                "or record why they differ.",
                "an override, or the provider's functions and frameworks.",
            ),
            citation=f"NIST CSF 2.0 {sub}; " + facts.citations(keys, 2),
            subcategory=sub,
        )


def _disagree(facts: Facts, a: Assignment, b: Assignment) -> bool:
    """Whether two controls give the same work to different parties.

    Shares of a function both controls have must have the same Responsible parties; controls with
    the same functions must also have the same Accountable party. Controls that merely have
    different function mixes are not in conflict.
    """
    if facts.control(a.control).independence or facts.control(b.control).independence:
        return False  # independent work goes wholly to the assessor, by design
    fa, fb = facts.control(a.control).functions, facts.control(b.control).functions
    common = set(fa) & set(fb)
    if not common:
        return False
    shares_a = {s.function: set(s.parties) for s in a.shares if s.function}
    shares_b = {s.function: set(s.parties) for s in b.shares if s.function}
    # a provider whose agreement leaves out the other framework is expected to differ there
    scoped = {
        f
        for f in common
        if _outside(facts, shares_a.get(f, set()), b.framework)
        or _outside(facts, shares_b.get(f, set()), a.framework)
    }
    if any(shares_a.get(f) != shares_b.get(f) for f in common - scoped):
        return True
    return not scoped and set(fa) == set(fb) and a.accountable != b.accountable


def _outside(facts: Facts, parties: set[str], framework: str) -> bool:
    """Whether one of the parties is a provider whose agreement does not cover `framework`."""
    return any(p != "internal" and not facts.ctx.providers[p].serves(framework) for p in parties)
