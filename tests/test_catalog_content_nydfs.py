"""NYDFS Part 500 content: the 500.19 exemptions, 500.24, the 500.22 phase-in and the flags."""

from __future__ import annotations

import datetime as dt
import re
from typing import get_args

import pytest
from pydantic import ValidationError

from ctrlmap.load.library import Library
from ctrlmap.models import Applicability, Control
from ctrlmap.models.catalog import FACTS, NYDFS_STATUSES

EXEMPT_FROM_19A = {"500.4", "500.5", "500.6", "500.8", "500.10", "500.15", "500.16"}
"""Whole sections 500.19(a) lifts; it also lifts 500.14(a)(1), (a)(2) and 500.14(b)."""
EXEMPT_FROM_19CD = {
    "500.2",
    "500.3",
    "500.4",
    "500.5",
    "500.6",
    "500.7",
    "500.8",
    "500.10",
    "500.12",
    "500.14",
    "500.15",
    "500.16",
}
"""The sections 500.19(c) and (d) lift."""


def nydfs(lib: Library) -> dict[str, Control]:
    return {c.id: c for c in lib.catalogs["nydfs-500"].controls}


def applies(control: Control, status: str) -> bool:
    """Whether a control applies to an entity of this `nydfs` status (other facts: defaults)."""
    wanted = (control.applies_if or {}).get("nydfs")
    return wanted is None or status in wanted


def section(cid: str) -> str:
    return re.sub(r"\(.*$", "", cid)


def applicable_sections(lib: Library, status: str) -> set[str]:
    return {section(c.id) for c in nydfs(lib).values() if applies(c, status)}


def test_the_profile_accepts_every_nydfs_status_the_catalogs_may_name() -> None:
    field = Applicability.model_fields["nydfs"].annotation
    assert get_args(field) == NYDFS_STATUSES == FACTS["nydfs"]
    assert Applicability.model_validate({"nydfs": "exempt-no-systems"}).nydfs == "exempt-no-systems"


def test_500_19_has_every_paragraph_with_its_applicability(lib: Library) -> None:
    controls = nydfs(lib)
    exempt_covered = (
        "limited-exemption",
        "exempt-parent-program",
        "exempt-no-systems",
        "exempt-captive-insurer",
        "exempt-inactive-broker",
    )
    expected = {
        "500.19(a)": ("limited-exemption",),
        "500.19(b)": ("exempt-parent-program",),
        "500.19(c)": ("exempt-no-systems", "exempt-inactive-broker"),
        "500.19(d)": ("exempt-captive-insurer",),
        "500.19(e)": ("exempt-inactive-broker",),
        "500.19(f)": exempt_covered,
        "500.19(g)": ("exempt-listed-person",),
        "500.19(h)": exempt_covered,
    }
    for cid, statuses in expected.items():
        assert controls[cid].applies_if == {"nydfs": statuses}, cid
        assert controls[cid].parent == "500.19", cid
    # the two paragraphs that impose a duty are required; the exemptions themselves are not
    assert {c for c in expected if controls[c].level == "required"} == {"500.19(f)", "500.19(h)"}
    assert "30 days" in controls["500.19(f)"].summary
    assert "Notice of Exemption" in controls["500.19(f)"].summary
    assert "180 days" in controls["500.19(h)"].summary
    assert "standard" not in (controls["500.19"].applies_if or {})["nydfs"]


def test_the_limited_exemption_thresholds_and_lifted_sections(lib: Library) -> None:
    summary = nydfs(lib)["500.19(a)"].summary
    for figure in ("fewer than 20", "$7,500,000", "$15,000,000", "three fiscal years"):
        assert figure in summary
    for lifted in ("500.4, 500.5, 500.6, 500.8, 500.10", "500.14(a)(1) and (a)(2)", "500.14(b)"):
        assert lifted in summary


def test_500_24_is_the_electronic_filing_exemption_at_guidance_level(lib: Library) -> None:
    control = nydfs(lib)["500.24"]
    assert "electronic" in control.summary and "30 days" in control.summary
    assert control.level == "guidance"
    assert applies(control, "standard") and applies(control, "exempt-parent-program")
    assert not applies(control, "exempt-listed-person")


@pytest.mark.parametrize("status", ["standard", "class-a"])
def test_a_non_exempt_entity_owes_no_500_19_duty(lib: Library, status: str) -> None:
    assert not any(applies(c, status) for c in nydfs(lib).values() if section(c.id) == "500.19")


def test_the_limited_exemption_lifts_exactly_its_sections(lib: Library) -> None:
    controls = nydfs(lib)
    lifted = {c.id for c in controls.values() if not applies(c, "limited-exemption")}
    assert {c for c in controls if section(c) in EXEMPT_FROM_19A} <= lifted
    for cid in ("500.14(a)(1)", "500.14(a)(2)", "500.14(b)", "500.12(a)"):
        assert cid in lifted
    kept = ("500.2(a)", "500.3", "500.7(a)(1)", "500.9", "500.11", "500.12(a)(1)", "500.13(a)")
    for cid in (*kept, "500.14(a)(3)", "500.17(a)(1)", "500.19(a)", "500.19(f)"):
        assert cid not in lifted, cid


@pytest.mark.parametrize("status", ["exempt-no-systems", "exempt-captive-insurer"])
def test_the_no_systems_and_captive_exemptions_leave_only_their_sections(
    lib: Library, status: str
) -> None:
    assert applicable_sections(lib, status) == {
        "500.9",
        "500.11",
        "500.13",
        "500.17",
        "500.19",
        "500.24",
    }
    assert not applicable_sections(lib, status) & EXEMPT_FROM_19CD


@pytest.mark.parametrize("status", ["exempt-parent-program", "exempt-inactive-broker"])
def test_a_fully_exempt_covered_entity_only_files_its_notice(lib: Library, status: str) -> None:
    assert applicable_sections(lib, status) == {"500.19", "500.24"}
    assert applies(nydfs(lib)["500.19(f)"], status)


def test_a_person_outside_part_500_owes_nothing(lib: Library) -> None:
    applicable = {c.id for c in nydfs(lib).values() if applies(c, "exempt-listed-person")}
    assert applicable == {"500.19", "500.19(g)"}


SECOND_AMENDMENT = dt.date(2023, 11, 1)
"""500.21(b): the Second Amendment took effect November 1, 2023; 500.22 counts from it."""
PHASES = {  # 500.22(c)-(e): the period after the Second Amendment, and the units it phases in
    SECOND_AMENDMENT + dt.timedelta(days=30): {  # (d)(1): 500.17
        "500.17(a)",
        "500.17(a)(1)",
        "500.17(a)(2)",
        "500.17(b)(1)",
        "500.17(b)(1)(ii)",
        "500.17(b)(1)(ii)(a)",
        "500.17(b)(1)(ii)(b)",
        "500.17(b)(1)(ii)(c)",
        "500.17(b)(2)",
        "500.17(c)",
        "500.17(c)(1)",
        "500.17(c)(2)",
    },
    SECOND_AMENDMENT + dt.timedelta(days=180): {"500.2(c)", "500.5(b)", "500.5(c)"},  # (c)
    dt.date(2024, 11, 1): {  # (d)(2), one year: 500.4, 500.15, 500.16, 500.19(a)
        "500.4(b)(6)",
        "500.4(c)",
        "500.4(d)",
        "500.4(d)(1)",
        "500.4(d)(2)",
        "500.4(d)(3)",
        "500.4(d)(4)",
        "500.15",
        "500.15(a)",
        "500.15(b)",
        "500.16",
        "500.16(a)",
        "500.16(a)(1)",
        "500.16(a)(1)(vii)",
        "500.16(a)(1)(viii)",
        "500.16(a)(2)",
        *(f"500.16(a)(2)({r})" for r in ("i", "ii", "iii", "iv", "v", "vi")),
        "500.16(b)",
        "500.16(c)",
        "500.16(d)",
        "500.16(d)(1)",
        "500.16(d)(2)",
        "500.16(e)",
        "500.19(a)",
    },
    dt.date(2025, 5, 1): {  # (d)(3), 18 months: 500.5(a)(2), 500.7, 500.14(a)(2), 500.14(b)
        "500.5(a)(2)",
        *(f"500.7(a)({i})" for i in range(2, 7)),
        "500.7(b)",
        "500.7(c)",
        "500.7(c)(1)",
        "500.7(c)(2)",
        "500.14(a)(2)",
        "500.14(b)",
        "500.14(b)(1)",
        "500.14(b)(2)",
    },
    dt.date(2025, 11, 1): {  # (d)(4), two years: 500.12, 500.13(a)
        "500.12",
        "500.12(a)",
        "500.12(a)(1)",
        "500.12(a)(2)",
        "500.12(a)(3)",
        "500.12(b)",
        "500.13(a)",
        "500.13(a)(1)",
        *(f"500.13(a)(1)({r})" for r in ("i", "ii", "iii", "iv", "v")),
        "500.13(a)(2)",
    },
    SECOND_AMENDMENT: {"500.19(e)", "500.19(f)", "500.19(g)", "500.19(h)", "500.24"},  # (e)
}


def test_the_phase_in_dates_follow_500_22(lib: Library) -> None:
    assert SECOND_AMENDMENT + dt.timedelta(days=180) == dt.date(2024, 4, 29)
    dated = {c.id: c.effective for c in nydfs(lib).values() if c.effective is not None}
    expected = {cid: date for date, ids in PHASES.items() for cid in ids}
    assert dated == expected


def test_duties_the_2017_text_already_imposed_carry_no_phase_in_date(lib: Library) -> None:
    controls = nydfs(lib)
    for cid in ("500.4(a)", "500.4(b)", "500.7(a)(1)", "500.13(b)", "500.14(a)(1)", "500.17(b)"):
        assert controls[cid].effective is None, cid
    # where the 2017 text had a predecessor of a phased-in duty, the unit says so
    for cid in ("500.5(a)(2)", "500.12", "500.15", "500.16(a)(1)", "500.17(a)(1)"):
        assert "2017" in (controls[cid].note or ""), cid


def test_effective_is_an_iso_date_field_of_the_control_model() -> None:
    base = {
        "id": "X-1",
        "title": "t",
        "summary": "s",
        "citation": "c",
        "kind": "requirement",
        "level": "required",
    }
    assert Control.model_validate({**base, "effective": "2025-11-01"}).effective == dt.date(
        2025, 11, 1
    )
    assert Control.model_validate(base).effective is None
    with pytest.raises(ValidationError):
        Control.model_validate({**base, "effective": "2025-02-30"})


def test_provider_oversight_is_non_delegable_as_in_its_glba_twin(lib: Library) -> None:
    controls = nydfs(lib)
    glba = {c.id: c for c in lib.catalogs["glba-safeguards"].controls}
    twins = {
        "500.11(a)(3)": "314.4(f)(1)",
        "500.11(b)": "314.4(f)(2)",
        "500.11(a)(4)": "314.4(f)(3)",
    }
    for cid in ("500.11", *twins):
        assert controls[cid].accountability == "non-delegable", cid
        assert (controls[cid].accountability_basis or "").startswith("23 NYCRR 500.11"), cid
    for cid, twin in twins.items():
        assert glba[twin].accountability == "non-delegable"
        assert f"16 CFR {twin}" in (controls[cid].accountability_basis or ""), cid
