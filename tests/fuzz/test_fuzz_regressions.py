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


def test_oscal_control_id_collision_names_the_catalog_file(tmp_path: Path) -> None:
    control = "title: T, summary: S, citation: C, kind: requirement, level: required"
    catalog = tmp_path / "col.yaml"
    catalog.write_text(
        'title: Mine\nversion: "1"\ncontrols:\n'
        f'  - {{id: "MF-2(a)", {control}, functions: [governance]}}\n'
        f'  - {{id: "MF-2_a", {control}, functions: [governance]}}\n',
        encoding="utf-8",
    )
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "organization: {name: A}\nframeworks: [col]\nmodel: co-managed\n", encoding="utf-8"
    )
    args = ["--catalog", str(catalog), "export", str(profile), "--format", "oscal"]
    result = run(args, [catalog, profile])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {catalog}: controls col:MF-2(a) and col:MF-2_a")


def test_oscal_import_href_too_long_for_the_file_system(tmp_path: Path) -> None:
    profile_doc = tmp_path / "low.json"
    profile_doc.write_text(
        '{"profile": {"metadata": {"title": "P"}, "imports": [{"href": "'
        + "a" * 300
        + '.json", "include-all": {}}]}}',
        encoding="utf-8",
    )
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "organization: {name: A}\nframeworks: [low]\nmodel: co-managed\n", encoding="utf-8"
    )
    result = run(["--catalog", str(profile_doc), "validate", str(profile)], [profile_doc, profile])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: {profile_doc}:1: profile.imports[0].href: cannot resolve"
    )
