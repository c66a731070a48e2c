"""The NIST CSF 2.0 hub: generated from NIST's OSCAL catalog, complete, and the target of every mapping."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import Result

from ctrlmap.load.catalogs import load_library
from ctrlmap.load.library import Library
from ctrlmap.models import REGULATORY_CATALOGS, Catalog

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
XML = SHARED / "oscal" / "NIST_CSF_v2.0_catalog.xml"
IDS = SHARED / "csf-2.0-ids.txt"
SHIPPED = ROOT / "frameworks" / "nist-csf-2.yaml"
HUB = "nist-csf-2"
REGULATORY = REGULATORY_CATALOGS
FUNCTIONS = {"GV", "ID", "PR", "DE", "RS", "RC"}


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_csf", ROOT / "tools" / "gen_csf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_csf = _load_generator()


def _listed_ids() -> list[str]:
    lines = IDS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def hub(lib: Library) -> Catalog:
    """The hub catalog as the library loaded it."""
    return lib.catalogs[HUB]


def test_shipped_file_is_what_the_generator_writes() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == gen_csf.generate(XML, IDS), (
        "frameworks/nist-csf-2.yaml is stale; run .venv/bin/python tools/gen_csf.py"
    )


def test_check_mode_reports_a_stale_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "nist-csf-2.yaml"
    stale.write_text(SHIPPED.read_text(encoding="utf-8").replace("GOVERN", "GOVERNANCE"))
    code = gen_csf.main(["--check", "--xml", str(XML), "--ids", str(IDS), "-o", str(stale)])
    assert code == 1
    assert "nist-csf-2.yaml is out of date: 2 lines differ" in capsys.readouterr().err
    stale.write_text(SHIPPED.read_text(encoding="utf-8"))
    assert gen_csf.main(["--check", "--xml", str(XML), "--ids", str(IDS), "-o", str(stale)]) == 0


def test_hub_loads_through_the_library() -> None:
    catalog = load_library().catalogs[HUB]
    assert catalog.hub
    assert catalog.title == "NIST Cybersecurity Framework (CSF) 2.0"
    assert catalog.version == "CSF 2.0 (NIST CSWP 29, February 2024)"
    assert catalog.sector == "other"
    assert catalog.source and "NIST_CSF_v2.0_catalog.xml" in catalog.source
    assert catalog.source and "usnistgov/oscal-content" in catalog.source


def test_hub_has_6_functions_22_categories_106_subcategories(hub: Catalog) -> None:
    functions = [c for c in hub.controls if c.parent is None]
    categories = [c for c in hub.controls if c.parent in FUNCTIONS]
    subcategories = [c for c in hub.controls if c.kind == "requirement"]
    assert {c.id for c in functions} == FUNCTIONS
    assert (len(functions), len(categories), len(subcategories)) == (6, 22, 106)
    assert len(hub.controls) == 134
    assert all(c.kind == "standard" for c in [*functions, *categories])
    assert all(c.parent == c.id.split("-")[0] for c in subcategories)
    assert all(c.parent == c.id.split(".")[0] for c in categories)


def test_hub_holds_exactly_the_listed_ids(hub: Catalog) -> None:
    listed = _listed_ids()
    assert len(listed) == 22 + 106
    subcategories = {c.id for c in hub.controls if c.kind == "requirement"}
    assert subcategories == {i for i in listed if "-" in i}
    assert {c.id for c in hub.controls} == {*listed, *FUNCTIONS}


def test_hub_controls_are_guidance_without_functions_and_cite_csf(hub: Catalog) -> None:
    for control in hub.controls:
        assert control.level == "guidance", control.id
        assert control.functions == (), control.id
        assert control.citation == f"NIST CSF 2.0 {control.id}"
        assert control.title and control.summary and "  " not in control.summary, control.id
    by_id = {c.id: c for c in hub.controls}
    assert by_id["GV.OC-01"].summary == (
        "The organizational mission is understood and informs cybersecurity risk management"
    )
    assert by_id["GV.OC"].title == "Organizational Context"


@pytest.mark.parametrize("catalog_id", REGULATORY)
def test_every_mapping_names_a_hub_subcategory(lib: Library, hub: Catalog, catalog_id: str) -> None:
    subcategories = {c.id for c in hub.controls if c.kind == "requirement"}
    wrong = [
        (c.id, target)
        for c in lib.catalogs[catalog_id].controls
        for target in c.maps_to
        if target not in subcategories
    ]
    assert wrong == []


@pytest.mark.parametrize("catalog_id", REGULATORY)
def test_every_top_unit_maps_to_the_hub(lib: Library, catalog_id: str) -> None:
    controls = lib.catalogs[catalog_id].controls
    if catalog_id == "hipaa-security":
        top = [c for c in controls if c.kind == "standard"]
    else:
        top = [c for c in controls if c.parent is None]
    assert top
    assert [c.id for c in top if not c.maps_to] == []


def test_hub_is_not_a_profile_framework(invoke: Callable[..., Result], tmp_path: Path) -> None:
    minimal = (ROOT / "tests" / "data" / "good" / "minimal.yaml").read_text(encoding="utf-8")
    assert "frameworks: [hipaa-security]" in minimal
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        minimal.replace("frameworks: [hipaa-security]", f"frameworks: [hipaa-security, {HUB}]")
    )
    result = invoke("validate", str(profile))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "frameworks[1]: 'nist-csf-2' is the mapping hub, not a framework to assess" in (
        result.stderr
    )


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?>\n<!DOCTYPE catalog [<!ENTITY x "boom">]>\n<catalog>&x;</catalog>',
        '<?xml version="1.0"?>\n<!DOCTYPE catalog SYSTEM "file:///etc/passwd">\n<catalog/>',
        '<?xml version="1.0"?>\n<!ENTITY x "boom">\n<catalog/>',
    ],
    ids=["internal-entity", "external-dtd", "bare-entity"],
)
def test_reader_refuses_dtds_and_entities(tmp_path: Path, xml: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(xml, encoding="utf-8")
    with pytest.raises(gen_csf.GenerationError, match="are refused"):
        gen_csf.read_oscal_xml(path)


def test_reader_parses_plain_oscal(tmp_path: Path) -> None:
    path = tmp_path / "plain.xml"
    path.write_text('<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0"><group id="GV"/></catalog>')
    root = gen_csf.read_oscal_xml(path)
    assert root.find("o:group", gen_csf.NS) is not None
