"""The crosswalk view: per CSF 2.0 subcategory, each framework's controls and their owners."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable

import pytest

from ctrlmap.analyse.crosswalk import CrosswalkResult, CrosswalkRow, crosswalk
from ctrlmap.assessment.assign import assign_owners
from ctrlmap.assessment.pipeline import assess
from ctrlmap.errors import CtrlmapError
from ctrlmap.formats import render
from ctrlmap.load.library import Library
from ctrlmap.models import Profile
from tests.builders import BASE, profile

TWO = {**BASE, "frameworks": ["hipaa-security", "nydfs-500"]}
"""The profile of test_gaps.py::test_crosswalk_conflict: HIPAA and NYDFS under one model."""
RISK_OVERRIDE = {
    "control": "nydfs-500:500.9",
    "owner": "provider",
    "reason": "The vCISO runs the DFS risk assessment",
}

AS_OF = dt.date(2026, 11, 28)


def keys(row: CrosswalkRow) -> list[str]:
    """Every control of a subcategory, framework by framework."""
    return [c.control for controls in row.frameworks.values() for c in controls]


def row_of(result: CrosswalkResult, sub: str) -> CrosswalkRow:
    """The row of one subcategory."""
    return next(r for r in result.subcategories if r.id == sub)


@pytest.fixture(scope="module")
def lender(lib: Library, load_example: Callable[[str], Profile]) -> CrosswalkResult:
    """The crosswalk of the mortgage lender (NYDFS, GLBA, PCI DSS)."""
    return crosswalk(assess(load_example("mortgage-lender"), lib, None, AS_OF))


def test_one_risk_assessment_meets_three_regulations(lender: CrosswalkResult) -> None:
    row = row_of(lender, "ID.RA-04")
    assert row.category == "ID.RA"
    assert row.title.startswith("Potential impacts and likelihoods of threats")
    assert list(row.frameworks) == ["nydfs-500", "glba-safeguards", "pci-dss-4"]
    assert row.framework_count == 3
    assert "nydfs-500:500.9" in keys(row) and "glba-safeguards:314.4(b)" in keys(row)
    for controls in row.frameworks.values():
        for c in controls:
            assert c.owner is not None and c.responsible


def test_every_row_lists_exactly_the_applicable_controls_that_map_to_it(
    lib: Library, load_example: Callable[[str], Profile], lender: CrosswalkResult
) -> None:
    result = assign_owners(load_example("mortgage-lender"), lib)
    expected: dict[str, list[str]] = {}
    for a in result.assignments:
        if a.applicable:
            for sub in lib.controls[a.control].maps_to:
                expected.setdefault(sub, []).append(a.control)
    assert {r.id: sorted(keys(r)) for r in lender.subcategories} == {
        sub: sorted(found) for sub, found in expected.items()
    }
    by_key = {a.control: a for a in result.assignments}
    for row in lender.subcategories:
        for fw, controls in row.frameworks.items():
            for c in controls:
                a = by_key[c.control]
                assert a.framework == fw and a.raci is not None
                assert (c.owner, c.responsible, c.accountable) == (
                    a.owner,
                    a.raci.responsible,
                    a.raci.accountable,
                )


def test_rows_follow_the_hub_order_and_the_summary_counts_them(
    lib: Library, lender: CrosswalkResult
) -> None:
    order = [c.id for c in lib.catalogs["nist-csf-2"].controls]
    ids = [r.id for r in lender.subcategories]
    assert ids == sorted(ids, key=order.index)
    summary = lender.summary
    assert summary.hub_subcategories == 106
    assert summary.subcategories == len(ids)
    assert summary.multi_framework == sum(r.framework_count > 1 for r in lender.subcategories)
    assert 0 < summary.multi_framework < summary.subcategories
    assert summary.conflicts == sum(r.conflict for r in lender.subcategories)


def test_not_applicable_controls_are_left_out(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    clinic = load_example("clinic")
    left_out = {a.control for a in assign_owners(clinic, lib).assignments if not a.applicable}
    assert left_out
    shown = {k for r in crosswalk(assess(clinic, lib, None, AS_OF)).subcategories for k in keys(r)}
    assert shown and not shown & left_out


def conflict_findings(lib: Library, org: Profile) -> list[frozenset[str]]:
    """The control sets of the crosswalk-conflict findings, one per subcategory that fires."""
    found = assess(org, lib, None, AS_OF).gaps
    return [frozenset(g.controls) for g in found.gaps if g.rule == "crosswalk-conflict"]


def test_conflict_flag_agrees_with_the_gap_rule(lib: Library) -> None:
    quiet = profile(lib, TWO)
    assert not any(r.conflict for r in crosswalk(assess(quiet, lib, None, AS_OF)).subcategories)
    assert conflict_findings(lib, quiet) == []

    loud = profile(lib, TWO, overrides=[RISK_OVERRIDE])
    result = crosswalk(assess(loud, lib, None, AS_OF))
    findings = conflict_findings(lib, loud)
    flagged = [r for r in result.subcategories if r.conflict]
    assert findings and len(flagged) == len(findings) == result.summary.conflicts
    marked = []
    for row in result.subcategories:
        mine = frozenset(
            c.control for controls in row.frameworks.values() for c in controls if c.conflict
        )
        assert bool(mine) == row.conflict
        if row.conflict:
            # The marked controls are exactly a finding's, all of them in this subcategory.
            assert mine <= set(keys(row))
            assert "nydfs-500:500.9" in mine
            assert set(row.frameworks) == {"hipaa-security", "nydfs-500"}
            marked.append(mine)
    assert sorted(marked, key=sorted) == sorted(findings, key=sorted)


def test_a_single_framework_never_conflicts(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    result = crosswalk(assess(load_example("cpa-firm"), lib, None, AS_OF))
    assert result.subcategories
    assert all(r.framework_count == 1 and not r.conflict for r in result.subcategories)
    assert result.summary.multi_framework == 0


def test_without_the_hub_the_error_says_what_is_missing(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    catalogs = {k: v for k, v in lib.catalogs.items() if k != "nist-csf-2"}
    bare = dataclasses.replace(lib, catalogs=catalogs)
    with pytest.raises(CtrlmapError, match=r"NIST CSF 2\.0 hub catalog \(nist-csf-2\)"):
        crosswalk(assess(load_example("clinic"), bare, None, AS_OF))


def test_json_carries_its_schema_and_is_deterministic(lender: CrosswalkResult) -> None:
    text = render("crosswalk", "json", lender)
    data = json.loads(text)
    assert data["schema"] == "ctrlmap/crosswalk@1"
    assert set(data["subcategories"][0]) == {
        "id",
        "title",
        "category",
        "frameworks",
        "framework_count",
        "conflict",
    }
    assert set(data["summary"]) == {
        "hub_subcategories",
        "subcategories",
        "multi_framework",
        "conflicts",
    }
    assert CrosswalkResult.model_validate(data) == lender
    assert render("crosswalk", "json", lender) == text
