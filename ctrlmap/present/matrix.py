"""The responsibility matrix by party (assign --by-provider, PCI DSS 12.8.5, CSA CCM)."""

from __future__ import annotations

from ctrlmap.models import (
    Profile,
)
from ctrlmap.models.results import (
    AssignResult,
    ByProviderResult,
    ProviderMatrix,
)


def by_provider(result: AssignResult, profile: Profile) -> ByProviderResult:
    """The responsibility matrix by party: per provider, what it manages, what the entity manages, what is shared.

    A provider's rows are the controls it is Responsible for plus the controls of the functions
    its agreement covers, so that the entity-managed part of its service is listed too.
    """
    applicable = [a for a in result.assignments if a.applicable and a.raci is not None]
    rows = []
    touched: set[str] = set()
    for provider in profile.providers:
        mine: list[str] = []
        entity: list[str] = []
        shared: list[str] = []
        for a in applicable:
            assert a.raci is not None
            responsible = a.raci.responsible
            relevant = provider.id in responsible or (
                provider.serves(a.framework)
                and any(s.function in provider.functions for s in a.shares)
            )
            if not relevant:
                continue
            if provider.id in responsible:
                touched.add(a.control)
                (mine if responsible == (provider.id,) else shared).append(a.control)
            elif responsible == ("internal",):
                entity.append(a.control)
        rows.append(
            ProviderMatrix(
                provider=provider.id,
                name=provider.name,
                agreement=provider.agreement,
                independent=provider.independent,
                managed_by_provider=tuple(mine),
                managed_by_entity=tuple(entity),
                shared=tuple(shared),
            )
        )
    return ByProviderResult(
        organization=result.organization,
        model=result.model,
        frameworks=result.frameworks,
        providers=tuple(rows),
        entity_only=tuple(
            a.control for a in applicable if a.owner == "internal" and a.control not in touched
        ),
        unassigned=tuple(a.control for a in applicable if a.owner == "unassigned"),
    )
