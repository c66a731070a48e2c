"""One assessment: a profile's scope, assignment and gaps under one model at one date, computed once.

Every later stage (the report, compare, crosswalk, recommend, the exports, verify) takes an
`Assessment` and reads what it needs from it; none re-runs assignment or gap finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ctrlmap.assessment.assign import assign_all
from ctrlmap.assessment.context import Arrangement, Context
from ctrlmap.assessment.gaps import GapsResult, find_gaps
from ctrlmap.assessment.gaps.registry import Facts, RuleId
from ctrlmap.load.library import Library
from ctrlmap.models import OperatingModel, Profile
from ctrlmap.models.results import Assignment, AssignResult

if TYPE_CHECKING:
    from ctrlmap.load.graph import (
        Scope,
    )  # networkx: imported only by the commands that build a graph


@dataclass(frozen=True)
class Assessment:
    """A profile assessed under one model at one date."""

    profile: Profile
    library: Library
    model: OperatingModel
    as_of: dt.date
    include_proposed: bool
    arrangement: Arrangement
    """`actual` (who covers each function decides) or `target` (the model's defaults decide)."""
    scope: Scope
    """The profile's frameworks in the dependency graph, with each control's weight."""
    context: Context
    """The profile's index: people and providers by function, overrides, facts."""
    assignment: AssignResult
    gaps: GapsResult
    facts: Facts
    """What the gap rules looked up, for the stages that need the same facts."""

    @cached_property
    def applicable(self) -> dict[str, Assignment]:
        """The applicable controls' assignments, by global key, in catalog order."""
        return {a.control: a for a in self.assignment.assignments if a.applicable}

    def downstream(self, keys: Iterable[str]) -> set[str]:
        """The applicable controls that depend on any of `keys`, directly or not, outside them."""
        return self.facts.downstream(keys)

    def downstream_count(self, keys: Iterable[str]) -> int:
        """How many applicable controls depend on any of `keys`, directly or not, outside them."""
        return self.facts.downstream_count(keys)


def assess(
    profile: Profile,
    library: Library,
    model: str | None = None,
    as_of: dt.date | None = None,
    include_proposed: bool = False,
    rules: Iterable[RuleId] | None = None,
    arrangement: Arrangement = "actual",
    seen: Mapping[str, dt.date] | None = None,
) -> Assessment:
    """Assess `profile` under `model` (default: the profile's) at `as_of` (default: today).

    `rules` limits gap finding to those rules (and the rules they read), e.g. for `gaps --rule`.
    `arrangement="target"` assigns by the model's defaults alone: what the organization would
    have to staff and contract for under that model (`compare` plans towards it).
    `seen` carries a baseline's first-seen dates by finding id (`Snapshot.first_seen`), so a
    policy due date counts from when the finding was first seen, not from `as_of`.
    """
    as_of = as_of or dt.date.today()
    operating = library.model(model or profile.model)
    context = Context.build(profile, operating, library, as_of, arrangement)
    assignment = assign_all(context, None, include_proposed)
    scope = library.scope(profile.frameworks, include_proposed)
    facts = Facts.build(context, assignment, scope, as_of)
    return Assessment(
        profile=profile,
        library=library,
        model=operating,
        as_of=as_of,
        include_proposed=include_proposed,
        arrangement=arrangement,
        scope=scope,
        context=context,
        assignment=assignment,
        gaps=find_gaps(facts, rules, seen),
        facts=facts,
    )
