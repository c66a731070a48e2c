"""The profile's index for assignment: who covers what, in which frameworks, and what is out of scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from ctrlmap.assessment.scope import out_of_scope
from ctrlmap.load.library import Library
from ctrlmap.models import (
    OperatingModel,
    Override,
    Person,
    Profile,
    Provider,
    Split,
)
from ctrlmap.models.base import Owner, is_placeholder
from ctrlmap.models.results import (
    BasisStep,
    Raci,
    Share,
    Step,
)

Arrangement = Literal["actual", "target"]
"""`actual`: who covers each function decides, the model fills the rest (the default);
`target`: the model's defaults decide every share (the arrangement `compare` plans towards)."""


@dataclass
class Context:
    """Per-profile facts, computed once and looked up for every control."""

    profile: Profile
    model: OperatingModel
    lib: Library
    as_of: dt.date = field(default_factory=dt.date.today)
    arrangement: Arrangement = "actual"
    people: dict[str, Person] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    people_by_function: dict[str, list[str]] = field(default_factory=dict)
    providers_by_function: dict[str, list[str]] = field(default_factory=dict)
    """Operational providers whose agreement lists the function (any framework)."""
    assessors_by_function: dict[str, list[str]] = field(default_factory=dict)
    splits: dict[str, list[Split]] = field(default_factory=dict)
    """Documented splits (no placeholder text) by function."""
    overrides: dict[str, Override] = field(default_factory=dict)
    facts: dict[str, tuple[str | bool, ...]] = field(default_factory=dict)
    excluded: dict[str, BasisStep] = field(default_factory=dict)
    """Controls out of scope (exclusions, the PCI SAQ, effective dates), with why."""
    resolved: dict[tuple[object, ...], tuple[int, Resolved]] = field(default_factory=dict)
    """Resolutions already made in this profile, keyed by a control's framework, functions and
    flags, each with its number in `alike`."""
    alike: dict[str, int] = field(default_factory=dict)
    """Each applicable control's resolution, by global key. Controls with the same number were
    resolved once, together: the same framework, functions and flags, hence the same shares,
    RACI and basis (a control with an override has a number of its own). The gap rules work
    per number, not per control."""
    covered: dict[tuple[str, str, str | None], tuple[Share | None, tuple[BasisStep, ...]]] = field(
        default_factory=dict
    )
    """Coverage already found, by framework, function and the model's owner: the share and its steps."""
    leads: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    """Each framework's internal lead (the person behind its designated role) and why, once found."""
    leaders: frozenset[str] | None = None
    """The people who lead the program (roles.LEADS among their functions), once found."""
    steps: dict[tuple[str, str, str | None], BasisStep] = field(default_factory=dict)
    racis: dict[tuple[object, ...], Raci] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    """Person and provider names by id (a profile's private cache costs a pydantic lookup a call)."""
    rank: dict[str, int] = field(default_factory=dict)
    """Each party's place: `internal` first, then the providers in profile order."""
    _operational: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _covering: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        profile: Profile,
        model: OperatingModel,
        lib: Library,
        as_of: dt.date | None = None,
        arrangement: Arrangement = "actual",
    ) -> Context:
        """Index the profile for constant-time lookups."""
        day = as_of or dt.date.today()
        ctx = cls(profile=profile, model=model, lib=lib, as_of=day, arrangement=arrangement)
        ctx.people = {p.id: p for p in profile.internal}
        ctx.providers = {p.id: p for p in profile.providers}
        ctx.rank = {p: i for i, p in enumerate(("internal", *ctx.providers))}
        ctx.names = {p.id: p.name for p in profile.internal} | {
            p.id: p.name for p in profile.providers
        }
        for person in profile.internal:
            for fid in person.functions:
                ctx.people_by_function.setdefault(fid, []).append(person.id)
        for provider in profile.providers:
            for fid in provider.functions:
                if provider.independent:
                    ctx.assessors_by_function.setdefault(fid, []).append(provider.id)
                else:
                    ctx.providers_by_function.setdefault(fid, []).append(provider.id)
        for split in profile.splits:
            if not documented_split(split):
                continue
            ctx.splits.setdefault(split.function, []).append(split)
        ctx.overrides = {o.control: o for o in profile.overrides}
        outsourced = tuple(
            role for role, d in profile.designations.items() if d.holder in ctx.providers
        )
        ctx.facts = {**profile.applicability.facts(), "outsourced": outsourced}
        ctx.excluded = out_of_scope(profile, lib, profile.frameworks, day)
        return ctx

    def step(self, step: Step, text: str, citation: str | None = None) -> BasisStep:
        """A basis step, made once per profile however many controls' bases say it (a profile's
        controls repeat a few dozen steps several hundred times)."""
        key = (step, text, citation)
        found = self.steps.get(key)
        if found is None:
            found = self.steps[key] = BasisStep(step=step, text=text, citation=citation)
        return found

    def raci(
        self,
        responsible: tuple[str, ...],
        accountable: str | None,
        accountable_person: str | None,
        consulted: tuple[str, ...],
        informed: tuple[str, ...],
    ) -> Raci:
        """A RACI, made once per profile for each distinct one (controls repeat them)."""
        key = (responsible, accountable, accountable_person, consulted, informed)
        found = self.racis.get(key)
        if found is None:
            found = self.racis[key] = Raci(
                responsible=responsible,
                accountable=accountable,
                accountable_person=accountable_person,
                consulted=consulted,
                informed=informed,
            )
        return found

    def party_of(self, holder: str) -> str:
        """The party a person or provider id belongs to."""
        return "internal" if holder in self.people else holder

    def name(self, ident: str) -> str:
        """A person's or provider's name, for the basis text."""
        return "the organization" if ident == "internal" else self.names.get(ident, ident)

    def function(self, fid: str) -> str:
        """A function's display name in running text: `patch management`, not `patch-management`."""
        found = self.lib.functions.get(fid)
        return fid if found is None else found.title[:1].lower() + found.title[1:]

    def party_name(self, party: str) -> str:
        """A party's name in a list or a table: the organization's own name for `internal`."""
        return self.profile.organization.name if party == "internal" else self.name(party)

    def order(self, parties: Iterable[str]) -> tuple[str, ...]:
        """Unique parties, `internal` first, then providers in profile order."""
        rank = self.rank
        found = {p for p in parties if p in rank}
        if len(found) < 2:  # most lists: no order to find
            return tuple(found)
        return tuple(sorted(found, key=rank.__getitem__))

    def operational(self, framework: str) -> tuple[str, ...]:
        """The providers that run work of this framework (not assessors, within their scope)."""
        found = self._operational.get(framework)
        if found is None:
            found = self._operational[framework] = tuple(
                p.id for p in self.profile.providers if not p.independent and p.serves(framework)
            )
        return found

    def covering(self, fid: str, framework: str) -> tuple[str, ...]:
        """The operational providers whose agreement covers this function for this framework."""
        found = self._covering.get((fid, framework))
        if found is None:
            found = self._covering[(fid, framework)] = tuple(
                p
                for p in self.providers_by_function.get(fid, ())
                if self.providers[p].serves(framework)
            )
        return found

    def assessors(self, fid: str, framework: str) -> list[str]:
        """The independent assessors contracted for this function for this framework."""
        return [
            p
            for p in self.assessors_by_function.get(fid, ())
            if self.providers[p].serves(framework)
        ]

    def split_providers(self, fid: str, framework: str) -> list[str]:
        """The providers a documented split of this function names (the sole provider when unnamed)."""
        named: list[str] = []
        for split in self.splits.get(fid, ()):
            if split.provider is not None:
                named.append(split.provider)
            elif len(self.profile.providers) == 1:
                named.append(self.profile.providers[0].id)
        return [p for p in dict.fromkeys(named) if self.providers[p].serves(framework)]

    def contracted(self, provider: str, fid: str) -> bool:
        """Whether the provider's agreement covers the function and is documented."""
        p = self.providers[provider]
        return fid in p.functions and not is_placeholder(p.agreement, optional=True)


def documented_split(split: Split) -> bool:
    """A split documents who does what when its parts say something (its agreement reference is
    optional: a placeholder there is a warning, not an undocumented split)."""
    return not is_placeholder(split.provider_part) and not is_placeholder(
        split.internal_part, optional=True
    )


Resolved = tuple[Owner, Raci, tuple[str, ...], tuple[Share, ...], tuple[BasisStep, ...]]
