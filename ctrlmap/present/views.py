"""Views of the library itself: the catalog list, one catalog, one operating model, and a
profile's validation summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field

from ctrlmap.load.library import Library
from ctrlmap.models import Catalog, OperatingModel, Profile, Strict, global_key
from ctrlmap.models.results import Assignment


class FrameworkEntry(Strict):
    """One catalog in the list."""

    id: str
    title: str
    version: str
    controls: int
    proposed: int
    sector: str
    hub: bool
    builtin: bool


class ModelEntry(Strict):
    """One operating model in the list."""

    id: str
    title: str
    builtin: bool
    description: str | None = None


class FunctionEntry(Strict):
    """One function of the taxonomy."""

    id: str
    title: str
    continuous: bool
    on_site: bool
    description: str = ""


class ModelFunction(Strict):
    """One row of `models show`: a function and the model's default for it."""

    function: str
    title: str
    owner: str
    accountable: str
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    rationale: str
    continuous: bool
    on_site: bool


class ModelView(Strict):
    """`ctrlmap models show ID`: an operating model, function by function."""

    schema_: Literal["ctrlmap/model@1"] = Field("ctrlmap/model@1", alias="schema")
    id: str
    title: str
    description: str | None
    builtin: bool
    functions: tuple[ModelFunction, ...]


class FrameworksView(Strict):
    """`ctrlmap frameworks list`."""

    schema_: Literal["ctrlmap/frameworks@1"] = Field("ctrlmap/frameworks@1", alias="schema")
    frameworks: tuple[FrameworkEntry, ...]
    models: tuple[ModelEntry, ...]
    functions: tuple[FunctionEntry, ...]


class ControlEntry(Strict):
    """One control as `frameworks show` prints it (its id is local; references are global)."""

    id: str
    title: str
    summary: str
    citation: str
    kind: str
    level: str
    status: str
    functions: tuple[str, ...]
    parent: str | None
    depends_on: tuple[str, ...]
    dependencies: tuple[dict[str, Any], ...]
    maps_to: tuple[str, ...]
    applies_if: dict[str, tuple[str | bool, ...]] | None
    review_days: int | None
    designation: str | None
    accountability: str | None
    accountability_basis: str | None
    oversight: bool
    independence: str | None
    effective: str | None
    annual_due: str | None
    note: str | None


class CatalogView(Strict):
    """`ctrlmap frameworks show ID`."""

    schema_: Literal["ctrlmap/catalog@1"] = Field("ctrlmap/catalog@1", alias="schema")
    id: str
    title: str
    version: str
    sector: str
    source: str | None
    license_note: str | None
    maps_to_basis: str | None
    controls: tuple[ControlEntry, ...]
    skipped_dependencies: tuple[dict[str, Any], ...]


class ValidationView(Strict):
    """`ctrlmap validate PROFILE`: what was read and found consistent."""

    schema_: Literal["ctrlmap/validate@1"] = Field("ctrlmap/validate@1", alias="schema")
    profile: str
    organization: str
    model: str
    frameworks: tuple[str, ...]
    controls: int
    """The active controls of the profile's frameworks."""
    applicable: int = 0
    """Of those, the ones that apply to the organization at the as-of date: in scope (not
    excluded, asked by its PCI DSS SAQ, in force) and whose applicability facts hold."""
    people: int
    providers: int
    overrides: int
    splits: int
    handoffs: int
    evidence: int
    defaults_assumed: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    """What is valid but documents nothing (placeholder agreements, splits, hand-offs)."""


def frameworks_view(lib: Library) -> FrameworksView:
    """The catalogs, models and functions ctrlmap knows, built-in and the user's."""
    return FrameworksView(
        frameworks=tuple(
            FrameworkEntry(
                id=cat.id,
                title=cat.title,
                version=cat.version,
                controls=sum(c.status == "active" for c in cat.controls),
                proposed=sum(c.status == "proposed" for c in cat.controls),
                sector=cat.sector,
                hub=cat.hub,
                builtin=lib.sources[cat.id].builtin,
            )
            for cat in lib.catalogs.values()
        ),
        models=tuple(
            ModelEntry(
                id=m.id,
                title=m.title,
                builtin=lib.sources[f"model:{m.id}"].builtin,
                description=m.description,
            )
            for m in lib.models.values()
        ),
        functions=tuple(
            FunctionEntry(
                id=fid,
                title=f.title,
                continuous=f.continuous,
                on_site=f.on_site,
                description=f.description,
            )
            for fid, f in lib.functions.items()
        ),
    )


def model_view(lib: Library, model: OperatingModel) -> ModelView:
    """An operating model's default for every function, in the taxonomy's order."""
    order = [f for f in lib.functions if f in model.functions]
    order += [f for f in model.functions if f not in lib.functions]
    rows = []
    for fid in order:
        default = model.functions[fid]
        known = lib.functions.get(fid)
        rows.append(
            ModelFunction(
                function=fid,
                title=known.title if known else fid,
                owner=default.owner,
                accountable=default.accountable,
                consulted=default.consulted,
                informed=default.informed,
                rationale=default.rationale,
                continuous=known.continuous if known else False,
                on_site=known.on_site if known else False,
            )
        )
    source = lib.sources.get(f"model:{model.id}")
    return ModelView(
        id=model.id,
        title=model.title,
        description=model.description,
        builtin=source.builtin if source else False,
        functions=tuple(rows),
    )


def catalog_view(lib: Library, catalog: Catalog, include_proposed: bool = False) -> CatalogView:
    """One catalog's controls, proposed ones only when asked for."""
    return CatalogView(
        id=catalog.id,
        title=catalog.title,
        version=catalog.version,
        sector=catalog.sector,
        source=catalog.source,
        license_note=catalog.license_note,
        maps_to_basis=catalog.maps_to_basis,
        skipped_dependencies=tuple(
            s.model_dump(exclude_none=True) for s in catalog.skipped_dependencies
        ),
        controls=tuple(
            ControlEntry(
                id=c.id,
                title=c.title,
                summary=c.summary,
                citation=c.citation,
                kind=c.kind,
                level=c.level,
                status=c.status,
                functions=c.functions,
                parent=global_key(catalog.id, c.parent) if c.parent else None,
                depends_on=tuple(lib.resolve(catalog.id, d.control) for d in c.depends_on),
                dependencies=tuple(
                    {
                        "control": lib.resolve(catalog.id, d.control),
                        "basis": d.basis,
                        "reason": d.reason,
                    }
                    for d in c.depends_on
                ),
                maps_to=c.maps_to,
                applies_if=c.applies_if,
                review_days=c.review_days,
                designation=c.designation,
                accountability=c.accountability,
                accountability_basis=c.accountability_basis,
                oversight=c.oversight,
                independence=c.independence,
                effective=c.effective.isoformat() if c.effective else None,
                annual_due=c.annual_due,
                note=c.note,
            )
            for c in catalog.controls
            if c.selected(include_proposed)
        ),
    )


def validation_view(
    lib: Library,
    profile: Profile,
    name: str,
    warnings: Iterable[str] = (),
    assignments: Iterable[Assignment] = (),
) -> ValidationView:
    """A summary of a profile that loaded cleanly; `assignments` (every control of its frameworks,
    assigned) give the count that applies."""
    return ValidationView(
        profile=name,
        organization=profile.organization.name,
        model=profile.model,
        frameworks=profile.frameworks,
        controls=sum(
            c.status == "active" for fw in profile.frameworks for c in lib.catalogs[fw].controls
        ),
        applicable=sum(a.applicable for a in assignments),
        people=len(profile.internal),
        providers=len(profile.providers),
        overrides=len(profile.overrides),
        splits=len(profile.splits),
        handoffs=len(profile.handoffs),
        evidence=len(profile.evidence),
        defaults_assumed=tuple(
            f
            for f in profile.applicability.defaults_assumed()
            if f in lib.facts_used(profile.frameworks)
        ),
        warnings=tuple(warnings),
    )
