"""PCI DSS content: where independence sits, who the narrower requirements apply to, A2 and A3."""

from __future__ import annotations

from pathlib import Path

from ctrlmap.loading import Library
from ctrlmap.models import Control

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
