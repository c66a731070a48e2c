"""PCI DSS content: where independence sits, who the narrower requirements apply to, A2 and A3."""

from __future__ import annotations

from pathlib import Path

from ctrlmap.loading import Library
from ctrlmap.models import Applicability, Control
from ctrlmap.models.catalog import FACTS

ROOT = Path(__file__).resolve().parent.parent


def pci(lib: Library) -> dict[str, Control]:
    return {c.id: c for c in lib.catalogs["pci-dss-4"].controls}


def test_nothing_cites_11_4_1_as_requiring_an_independent_tester(lib: Library) -> None:
    glba = {c.id: c for c in lib.catalogs["glba-safeguards"].controls}
    assert "11.4.1" not in glba["314.4(d)(2)(i)"].summary
    assert "11.4.2" in glba["314.4(d)(2)(i)"].summary
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "11.4.1" not in readme
    assert "PCI DSS 11.4.2, 11.4.3, 11.4.5, 11.4.6" in readme


def test_the_narrower_requirements_have_their_own_facts_off_by_default(lib: Library) -> None:
    controls = pci(lib)
    assert controls["3.3.3"].applies_if == {"pci-issuer": (True,)}
    assert controls["12.3.2"].applies_if == {"pci-customized-approach": (True,)}
    multi_tenant = {"pci": ("service-provider",), "pci-multi-tenant": (True,)}
    a1 = [c for c in controls.values() if c.id == "A1" or c.id.startswith("A1.")]
    assert len(a1) == 8
    for control in (*a1, controls["11.4.7"]):
        assert control.applies_if == multi_tenant, control.id
    facts = Applicability().facts()
    for fact in ("pci-issuer", "pci-customized-approach", "pci-multi-tenant"):
        assert FACTS[fact] == (True, False)
        assert facts[fact] == (False,), fact
    given = Applicability.model_validate({"pci-multi-tenant": True, "pci": ["service-provider"]})
    assert given.facts()["pci-multi-tenant"] == (True,)
    assert "pci-multi-tenant" not in given.defaults_assumed()
