"""PCI DSS content: where independence sits, who the narrower requirements apply to, A2 and A3."""

from __future__ import annotations

from pathlib import Path

from ctrlmap.load.library import Library
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


A2 = ["A2.1.1", "A2.1.2", "A2.1.3"]
A3 = [
    "A3.1.1",
    "A3.1.2",
    "A3.1.3",
    "A3.1.4",
    "A3.2.1",
    "A3.2.2",
    "A3.2.2.1",
    "A3.2.3",
    "A3.2.4",
    "A3.2.5",
    "A3.2.5.1",
    "A3.2.5.2",
    "A3.2.6",
    "A3.2.6.1",
    "A3.3.1",
    "A3.3.1.1",
    "A3.3.2",
    "A3.3.3",
    "A3.4.1",
    "A3.5.1",
]
"""PCI DSS v4.0.1 Appendices A2 and A3, every requirement at x.y.z and below."""


def test_appendix_a2_applies_only_to_ssl_and_early_tls_terminals(lib: Library) -> None:
    controls = pci(lib)
    assert sorted(c for c in controls if c.startswith("A2.")) == A2
    assert controls["A2"].kind == "standard"
    assert (
        controls["A2"].applies_if == controls["A2.1.1"].applies_if == {"pci-early-tls-poi": (True,)}
    )
    for cid in ("A2.1.2", "A2.1.3"):  # service providers only
        assert controls[cid].applies_if == {
            "pci": ("service-provider",),
            "pci-early-tls-poi": (True,),
        }
    assert all(controls[c].parent == "A2" for c in A2)


def test_appendix_a3_applies_only_to_designated_entities(lib: Library) -> None:
    controls = pci(lib)
    assert sorted(c for c in controls if c.startswith("A3.")) == A3
    assert controls["A3"].kind == "standard"
    for cid in ("A3", *A3):
        assert controls[cid].applies_if == {"pci-designated-entity": (True,)}, cid
    assert controls["A3.1.1"].accountability == "non-delegable"
    assert controls["A3.3.3"].review_days == controls["A3.2.1"].review_days == 92
    assert controls["A3.4.1"].review_days == controls["A3.2.4"].review_days == 183
    assert {d.control for d in controls["A3.3.3"].depends_on} == {
        "A3.1.3",
        "A3.2.2",
        "A3.2.6",
        "A3.3.1",
    }
    assert {d.control for d in controls["A3.2.4"].depends_on} == {"11.4.1"}
    for fact in ("pci-designated-entity", "pci-early-tls-poi"):
        assert FACTS[fact] == (True, False)
        assert Applicability().facts()[fact] == (False,)
