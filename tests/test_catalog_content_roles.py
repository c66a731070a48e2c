"""Duties a designated role's holder performs (duty_of), across the catalogs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ctrlmap.load.library import Library
from ctrlmap.models import ROLES, Control

DUTIES = {
    "nydfs-500": {
        **{f"500.4(b)({i})": "ciso" for i in range(1, 7)},
        "500.4(b)": "ciso",  # the CISO's yearly written report
        "500.4(c)": "ciso",  # the CISO's timely reports of material issues
    },
    "glba-safeguards": {  # the Qualified Individual's yearly report to the board
        "314.4(i)": "qualified-individual",
        "314.4(i)(1)": "qualified-individual",
        "314.4(i)(2)": "qualified-individual",
    },
    "hipaa-security": {"164.308(a)(2)": "security-official"},
    "pci-dss-4": {"12.4.1": "pci-executive", "A3.1.1": "pci-executive"},
}


def test_each_duty_is_performed_by_its_role(lib: Library) -> None:
    for catalog, expected in DUTIES.items():
        found = {c.id: c.duty_of for c in lib.catalogs[catalog].controls if c.duty_of}
        assert found == expected, catalog
    for catalog in ("hipaa-breach", "aba-model-rules"):
        assert not any(c.duty_of for c in lib.catalogs[catalog].controls), catalog


def test_a_duty_belongs_to_a_role_of_the_same_framework(lib: Library) -> None:
    for cat in lib.catalogs.values():
        for control in cat.controls:
            if control.duty_of:
                assert ROLES[control.duty_of].required_by == cat.id, (cat.id, control.id)


def test_the_pci_executive_duties_say_they_are_inferred(lib: Library) -> None:
    controls = {c.id: c for c in lib.catalogs["pci-dss-4"].controls}
    for cid in ("12.4.1", "A3.1.1"):
        assert "executive management" in (controls[cid].note or "")
        assert "inferred" in (controls[cid].note or "")


def test_duty_of_names_a_known_role() -> None:
    base = {"id": "X-1", "title": "t", "summary": "s", "citation": "c", "kind": "requirement"}
    assert (
        Control.model_validate({**base, "level": "required", "duty_of": "ciso"}).duty_of == "ciso"
    )
    assert Control.model_validate({**base, "level": "required"}).duty_of is None
    with pytest.raises(ValidationError, match="duty_of"):
        Control.model_validate({**base, "level": "required", "duty_of": "chief-risk-officer"})
