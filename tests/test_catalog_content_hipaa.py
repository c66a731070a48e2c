"""HIPAA content: 164.306(e), the (b)(3) contract's two sources, and wording checked against the
rule's text."""

from __future__ import annotations

from ctrlmap.load.library import Library
from ctrlmap.models import Control


def catalog(lib: Library, name: str) -> dict[str, Control]:
    return {c.id: c for c in lib.catalogs[name].controls}


def text(control: Control) -> str:
    return " ".join(control.summary.split())


def test_maintenance_of_security_measures_is_a_unit(lib: Library) -> None:
    maintenance = catalog(lib, "hipaa-security")["164.306(e)"]
    assert maintenance.kind == "requirement" and maintenance.level == "required"
    assert "reasonable and appropriate" in text(maintenance)
    assert ("164.316(b)(2)(iii)", "text") in {(d.control, d.basis) for d in maintenance.depends_on}


def test_the_written_contract_serves_both_assurance_standards(lib: Library) -> None:
    contract = catalog(lib, "hipaa-security")["164.308(b)(3)"]
    prerequisites = {(d.control, d.basis) for d in contract.depends_on}
    assert {("164.308(b)(1)", "text"), ("164.308(b)(2)", "text")} <= prerequisites
    assert contract.applies_if is None  # covered entities and business associates alike


def test_security_rule_wording_follows_the_rule(lib: Library) -> None:
    controls = catalog(lib, "hipaa-security")
    encryption = text(controls["164.312(a)(2)(iv)"])
    assert "stored data)" not in encryption and "not limited to stored data" in encryption
    clearance = text(controls["164.308(a)(3)(ii)(B)"])
    assert "NIST" in clearance and "not from the rule" in clearance
    access = text(controls["164.308(a)(4)(i)"])
    assert "consistent with the applicable requirements of subpart E" in access
    assert "minimum-necessary" not in access


def test_breach_rule_wording_follows_the_rule(lib: Library) -> None:
    controls = catalog(lib, "hipaa-breach")
    methods = text(controls["164.404(d)"])
    assert (
        "fewer than 10 people, another form of written notice, telephone or other means" in methods
    )
    assert "10 or more" in methods and "toll-free number" in methods
    admin = text(controls["164.414"])
    assert "164.530(b), (d), (e), (g), (h), (i) and (j)" in admin
    assert "waiver of rights" in admin
    breach = text(controls["164.402"])
    assert "statutory" not in breach and "three exclusions in the regulation's definition" in breach
