"""The crosswalk view: per NIST CSF 2.0 subcategory, the controls of each framework and their owners.

One piece of work often satisfies several regulations: a risk assessment meets HIPAA
164.308(a)(1)(ii)(A), GLBA 314.4(b) and NYDFS 500.9 at once. The view groups the profile's
applicable controls by the CSF subcategories they map to (`maps_to`), in the hub's order, and
flags the subcategories where the `crosswalk-conflict` gap rule fires (read from
`ctrlmap.assessment.gaps.find_gaps`, never re-derived here).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ctrlmap.assessment.pipeline import Assessment
from ctrlmap.errors import CtrlmapError
from ctrlmap.load.library import Library
from ctrlmap.models import Catalog, Strict
from ctrlmap.models.base import Owner

HUB = "nist-csf-2"
"""How a crosswalk-conflict finding's citation names its subcategory (see gaps.crosswalk_conflict)."""
"""The as-of date handed to find_gaps: the crosswalk-conflict rule does not judge dates."""


class CrosswalkControl(Strict):
    """One control that meets a subcategory, with who does it and who answers for it."""

    control: str
    title: str
    owner: Owner | None
    responsible: tuple[str, ...]
    accountable: str | None
    accountable_person: str | None
    conflict: bool
    """This control is one of those the crosswalk-conflict finding names for the subcategory."""


class CrosswalkRow(Strict):
    """A CSF 2.0 subcategory and the controls of each framework in scope that meet it."""

    id: str
    title: str
    category: str | None
    """The CSF category (the subcategory's parent in the hub, e.g. GV.OC)."""
    frameworks: dict[str, tuple[CrosswalkControl, ...]]
    """Framework id -> its controls, in the profile's framework order; only frameworks that have some."""
    framework_count: int
    conflict: bool
    """The crosswalk-conflict gap rule fires for this subcategory."""


class CrosswalkSummary(Strict):
    """Counts of the view."""

    hub_subcategories: int
    subcategories: int
    """Subcategories met by at least one applicable control."""
    multi_framework: int
    """Subcategories met by controls of more than one framework: one piece of work, several rules."""
    conflicts: int


class CrosswalkResult(Strict):
    """`ctrlmap crosswalk`: the profile's controls grouped by the CSF 2.0 outcome they meet."""

    schema_: Literal["ctrlmap/crosswalk@1"] = Field("ctrlmap/crosswalk@1", alias="schema")
    organization: str
    model: str
    frameworks: tuple[str, ...]
    subcategories: tuple[CrosswalkRow, ...]
    summary: CrosswalkSummary


def hub_catalog(lib: Library) -> Catalog:
    """The NIST CSF 2.0 hub, or a clear error when it is not loaded."""
    hub = lib.catalogs.get(HUB)
    if hub is None or not hub.hub:
        raise CtrlmapError(
            f"the crosswalk needs the NIST CSF 2.0 hub catalog ({HUB}), which is not loaded; "
            "it ships with ctrlmap, so reinstall ctrlmap or remove the catalog that replaced it"
        )
    return hub


def crosswalk(assessment: Assessment) -> CrosswalkResult:
    """Group the profile's applicable controls by CSF 2.0 subcategory, with owners and conflicts."""
    lib, result = assessment.library, assessment.assignment
    hub = hub_catalog(lib)
    conflicts: dict[str, set[str]] = {}
    for gap in assessment.gaps.gaps:
        if gap.rule == "crosswalk-conflict" and gap.subcategory is not None:
            conflicts.setdefault(gap.subcategory, set()).update(gap.controls)

    members: dict[str, dict[str, list[CrosswalkControl]]] = {}
    for a in result.assignments:
        if not a.applicable:
            continue
        for sub in lib.controls[a.control].maps_to:
            members.setdefault(sub, {}).setdefault(a.framework, []).append(
                CrosswalkControl(
                    control=a.control,
                    title=a.title,
                    owner=a.owner,
                    responsible=a.raci.responsible if a.raci else (),
                    accountable=a.raci.accountable if a.raci else None,
                    accountable_person=a.raci.accountable_person if a.raci else None,
                    conflict=a.control in conflicts.get(sub, ()),
                )
            )

    hub_controls = {c.id: c for c in hub.controls}
    order = [c.id for c in hub.controls]
    # Mappings are checked against the hub at load; an unknown id would still be shown, last.
    ranked = sorted(members, key=lambda s: (order.index(s) if s in hub_controls else len(order), s))
    rows = []
    for sub in ranked:
        by_framework = {
            fw: tuple(members[sub][fw]) for fw in result.frameworks if fw in members[sub]
        }
        known = hub_controls.get(sub)
        rows.append(
            CrosswalkRow(
                id=sub,
                title=known.title if known else "",
                category=known.parent if known else None,
                frameworks=by_framework,
                framework_count=len(by_framework),
                conflict=sub in conflicts,
            )
        )
    return CrosswalkResult(
        organization=result.organization,
        model=result.model,
        frameworks=result.frameworks,
        subcategories=tuple(rows),
        summary=CrosswalkSummary(
            hub_subcategories=sum(1 for c in hub.controls if c.kind == "requirement"),
            subcategories=len(rows),
            multi_framework=sum(1 for r in rows if r.framework_count > 1),
            conflicts=sum(1 for r in rows if r.conflict),
        ),
    )
