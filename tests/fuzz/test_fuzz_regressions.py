"""The crashes and unnamed errors the fuzzer found, each kept as a plain test named after its case."""

from __future__ import annotations

from pathlib import Path

from tests.fuzz.harness import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_pci_export_without_pci_dss_names_the_profile() -> None:
    clinic = EXAMPLES / "clinic.yaml"
    args = ["export", str(clinic), "--format", "pci-12.8.5", "--as-of", "2026-11-28"]
    result = run(args, [clinic])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {clinic}:")
    assert "frameworks: the pci-12.8.5 export lists PCI DSS requirements" in result.stderr

