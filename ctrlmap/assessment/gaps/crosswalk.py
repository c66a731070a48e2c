"""Crosswalk rule: two frameworks give the same CSF outcome to different parties."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import cache
from typing import NamedTuple

from ctrlmap.assessment.gaps.registry import (
    Facts,
    Finding,
    remedy,
    rule,
    unique_sorted,
)
from ctrlmap.models import split_key
from ctrlmap.models.results import Assignment


@rule(
    "crosswalk-conflict",
    base="low",
    why="Two frameworks answer the same question differently: an inconsistency to reconcile.",
)
def crosswalk_conflict(facts: Facts) -> Iterator[Finding]:
    """One piece of work, two answers: controls of two frameworks that map to the same CSF outcome disagree."""
    # Whether two controls disagree depends only on what `_Work` keeps of them, and assignments
    # repeat (controls with the same functions resolve alike): compare each pair of distinct
    # kinds of work once, not each pair of controls of every subcategory, and work out which
    # kinds conflict once per set of kinds (subcategories repeat those sets too).
    kinds: dict[tuple[object, ...], int] = {}
    works: list[_Work] = []
    # each resolution's kind: controls resolved alike are the same work (Context.alike)
    alike: dict[int, int] = {}
    resolution = facts.ctx.alike
    by_subcategory: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key, a in facts.applicable.items():
        control = facts.control(key)
        if not control.maps_to:
            continue
        kind = alike.get(resolution[key])
        if kind is None:
            kind = alike[resolution[key]] = _kind(facts, a, kinds, works)
        for sub in control.maps_to:
            by_subcategory[sub][kind].append(key)
    verdicts: dict[tuple[int, int], bool] = {}
    settled: dict[frozenset[int], frozenset[int]] = {}
    outside = _outside(facts)
    for sub, groups in sorted(by_subcategory.items()):
        if len({works[k].framework for k in groups}) < 2:
            continue
        present = frozenset(groups)
        clashing = settled.get(present)
        if clashing is None:
            found: set[int] = set()
            ids = sorted(present)
            for i, x in enumerate(ids):
                for y in ids[i + 1 :]:
                    if works[x].framework == works[y].framework:
                        continue
                    if (x, y) not in verdicts:
                        verdicts[(x, y)] = _disagree(outside, works[x], works[y])
                    if verdicts[(x, y)]:
                        found.update((x, y))
            clashing = settled[present] = frozenset(found)
        conflicting = {k for x in clashing for k in groups[x]}
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


class _Work(NamedTuple):
    """What decides whether a control's assignment disagrees with another's (a tuple: one is
    made and hashed for every kind of work of every profile)."""

    framework: str
    independent: bool
    functions: frozenset[str]
    shares: tuple[tuple[str, frozenset[str]], ...]
    """Function -> its Responsible parties (the shares of a designated role left out)."""
    accountable: str | None
    by_function: dict[str, frozenset[str]]
    """`shares` as a mapping (left out of equality: it says the same)."""

    @classmethod
    def of(cls, facts: Facts, a: Assignment) -> _Work:
        control = facts.control(a.control)
        shares = tuple(sorted((s.function, frozenset(s.parties)) for s in a.shares if s.function))
        return cls(
            a.framework,
            bool(control.independence),
            frozenset(control.functions),
            shares,
            a.accountable,
            dict(shares),
        )

    def same(self) -> tuple[object, ...]:
        """What two works must share to be one kind."""
        return self[:5]


def _kind(
    facts: Facts, a: Assignment, kinds: dict[tuple[object, ...], int], works: list[_Work]
) -> int:
    """The number of the kind of work `a` is, numbering a new kind when it is the first."""
    work = _Work.of(facts, a)
    number = kinds.setdefault(work.same(), len(kinds))
    if number == len(works):
        works.append(work)
    return number


def _disagree(outside: Callable[[frozenset[str], str], bool], a: _Work, b: _Work) -> bool:
    """Whether two controls give the same work to different parties.

    Shares of a function both controls have must have the same Responsible parties; controls with
    the same functions must also have the same Accountable party. Controls that merely have
    different function mixes are not in conflict.
    """
    if a.independent or b.independent:
        return False  # independent work goes wholly to the assessor, by design
    common = a.functions & b.functions
    if not common:
        return False
    shares_a, shares_b = a.by_function, b.by_function
    nobody: frozenset[str] = frozenset()
    # a provider whose agreement leaves out the other framework is expected to differ there
    scoped = {
        f
        for f in common
        if outside(shares_a.get(f, nobody), b.framework)
        or outside(shares_b.get(f, nobody), a.framework)
    }
    if any(shares_a.get(f) != shares_b.get(f) for f in common - scoped):
        return True
    return not scoped and a.functions == b.functions and a.accountable != b.accountable


def _outside(facts: Facts) -> Callable[[frozenset[str], str], bool]:
    """Whether one of the parties is a provider whose agreement does not cover `framework`."""
    providers = facts.ctx.providers

    @cache
    def outside(parties: frozenset[str], framework: str) -> bool:
        return any(p != "internal" and not providers[p].serves(framework) for p in parties)

    return outside
