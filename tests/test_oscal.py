"""OSCAL import: NIST SP 800-53, the LOW baseline profile, messy real catalogs and bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap.errors import InputError
from ctrlmap.load.catalogs import load_library
from ctrlmap.load.library import Library
from ctrlmap.load.oscal import convert_oscal
from ctrlmap.load.oscal_model import EXTERNAL_SUMMARY, SUMMARY_MAX
from ctrlmap.load.read import read_document
from ctrlmap.models import Catalog, Control
from tests.conftest import DATA, ROOT, SHARED

OSCAL = SHARED / "oscal"
NIST = OSCAL / "NIST_SP-800-53_rev5_catalog_v5.0.1.json"
LOW = OSCAL / "NIST_SP-800-53_rev5_LOW-baseline_profile.json"
LOW_RESOLVED = OSCAL / "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json"
HIPAA = OSCAL / "oscal-compass_hipaa-2.0.0_catalog.json"
BASIC = OSCAL / "basic-catalog.json"
TINY = DATA / "oscal"

NIST_ID = "nist-sp-800-53-rev5-catalog-v5-0-1"
LOW_ID = "nist-sp-800-53-rev5-low-baseline-profile"
LOW_RESOLVED_ID = "nist-sp-800-53-rev5-low-baseline-resolved-profile-catalog"
HIPAA_ID = "oscal-compass-hipaa-2-0-0-catalog"
FAMILIES = [
    "ac",
    "at",
    "au",
    "ca",
    "cm",
    "cp",
    "ia",
    "ir",
    "ma",
    "mp",
    "pe",
    "pl",
    "pm",
    "ps",
    "pt",
    "ra",
    "sa",
    "sc",
    "si",
    "sr",
]


@pytest.fixture(autouse=True, scope="module")
def _shared_data() -> None:
    """The real OSCAL inputs live in ../shared/data beside the project (CI has them there too)."""
    if not OSCAL.is_dir():
        pytest.fail(f"{OSCAL} is missing: the OSCAL tests read the public catalogs kept there")


@pytest.fixture(scope="module")
def real() -> Library:
    """The real OSCAL files, loaded once: 800-53, the LOW profile and its resolved form, HIPAA, basic."""
    return load_library([str(p) for p in (NIST, LOW, LOW_RESOLVED, HIPAA, BASIC)])


@pytest.fixture(scope="module")
def tiny() -> Library:
    """The handmade OSCAL files of tests/data/oscal."""
    names = (
        "tiny-catalog.json",
        "tiny-profile.json",
        "tiny-profile-children.yaml",
        "yaml-catalog.yaml",
    )
    return load_library([str(TINY / n) for n in names])


def controls(lib: Library, catalog_id: str) -> dict[str, Control]:
    return {c.id: c for c in lib.catalogs[catalog_id].controls}


def warnings_of(lib: Library, path: Path) -> list[str]:
    return [w.message for w in lib.warnings if w.file == str(path)]


def test_nist_catalog_keeps_1007_controls_and_reports_the_182_withdrawn(real: Library) -> None:
    catalog = real.catalogs[NIST_ID]
    assert len(catalog.controls) == 1007
    assert {c.status for c in catalog.controls} == {"active"}
    assert catalog.version == "5.0.1"
    assert catalog.sector == "other"
    assert catalog.source == (
        "OSCAL catalog NIST Special Publication 800-53 Revision 5: Security and Privacy Controls "
        "for Federal Information Systems and Organizations, NIST_SP-800-53_rev5_catalog_v5.0.1.json"
    )
    withdrawn = [m for m in warnings_of(real, NIST) if "withdrawn" in m]
    assert withdrawn == [
        "182 withdrawn controls left out: ac-2.10, ac-3.1, ac-3.6, ac-4.16, ac-4.18, ac-7.1, "
        "ac-13, ac-14.1, ac-15, ac-17.5, and 172 more"
    ]
    ids = {c.id for c in catalog.controls}
    assert "ac-2.10" not in ids
    assert "ac-13" not in ids


def test_nist_enhancement_points_to_its_base_control(real: Library) -> None:
    found = controls(real, NIST_ID)
    assert found["ac-2.1"].parent == "ac-2"
    assert found["ac-2"].parent is None
    # the link rel=required to the base only restates the parent: it adds no second edge
    assert found["ac-2.1"].depends_on == ()
    assert real.graph.has_edge(f"{NIST_ID}:ac-2.1", f"{NIST_ID}:ac-2")


def test_nist_labels_titles_and_sort_order(real: Library) -> None:
    catalog = real.catalogs[NIST_ID]
    assert [c.id for c in catalog.controls[:5]] == ["ac-1", "ac-2", "ac-2.1", "ac-2.2", "ac-2.3"]
    assert catalog.controls[-1].id == "sr-12"
    ac21 = controls(real, NIST_ID)["ac-2.1"]
    assert ac21.title == "Automated System Account Management"
    assert ac21.citation.startswith("AC-2(1) (NIST Special Publication 800-53 Revision 5")
    assert (ac21.kind, ac21.level, ac21.status) == ("requirement", "required", "active")


def test_nist_summary_flattens_items_and_makes_parameters_readable(real: Library) -> None:
    ac1 = controls(real, NIST_ID)["ac-1"].summary
    assert ac1.startswith(
        "a. Develop, document, and disseminate to [organization-defined personnel or roles]: "
        "1. [Organization-level or Mission/business process-level or System-level] access "
        "control policy that: (a) Addresses purpose"
    )
    assert "b. Designate an [organization-defined official] to manage" in ac1
    for control in real.catalogs[NIST_ID].controls:
        assert "{{" not in control.summary, control.id
        assert "  " not in control.summary, control.id
        assert len(control.summary) <= SUMMARY_MAX, control.id
    capped = [c for c in real.catalogs[NIST_ID].controls if len(c.summary) == SUMMARY_MAX]
    assert capped
    assert all(c.summary.endswith("…") for c in capped)


def test_nist_functions_come_from_the_shipped_map(real: Library) -> None:
    found = controls(real, NIST_ID)
    for family in FAMILIES:
        assert found[f"{family}-1"].functions[0] == "policy-documentation", family
    assert found["ac-2"].functions == ("access-management",)
    assert found["si-2"].functions[0] == "patch-management"
    # an enhancement falls back to its base control's entry before the family's
    assert found["si-2.2"].functions == found["si-2"].functions
    assert found["ra-5"].functions == ("vulnerability-management",)
    assert found["sc-28"].functions == ("data-protection",)
    assert found["pe-3"].functions == ("physical-security",)


def test_frameworks_show_lists_the_imported_catalog(invoke: Callable[..., Result]) -> None:
    result = invoke("--catalog", str(NIST), "frameworks", "show", NIST_ID, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == NIST_ID
    assert len(data["controls"]) == 1007
    ac21 = next(c for c in data["controls"] if c["id"] == "ac-2.1")
    assert ac21["parent"] == f"{NIST_ID}:ac-2"
    assert result.stderr.startswith(f"Warning: {NIST}: 182 withdrawn controls left out: ac-2.10,")
    table = invoke("--catalog", f"sp800-53={NIST}", "frameworks", "show", "sp800-53")
    assert table.exit_code == 0, table.stderr
    assert "1007 controls" in table.stdout
    assert "ac-2.1" in table.stdout


def test_low_profile_selects_exactly_the_resolved_catalogs_controls(real: Library) -> None:
    profile = real.catalogs[LOW_ID]
    resolved = real.catalogs[LOW_RESOLVED_ID]
    assert {c.id for c in profile.controls} == {c.id for c in resolved.controls}
    assert len(profile.controls) == 149
    assert {c.status for c in profile.controls} == {"active"}
    assert profile.title == "NIST Special Publication 800-53 Revision 5.1.1 LOW IMPACT BASELINE"
    assert profile.source is not None
    assert profile.source.endswith("resolved against NIST_SP-800-53_rev5_catalog_v5.0.1.json")
    # the import names NIST_SP-800-53_rev5_catalog.json; the catalog given has another file name
    (used,) = [m for m in warnings_of(real, LOW) if "not beside the profile" in m]
    assert "using NIST_SP-800-53_rev5_catalog_v5.0.1.json" in used
    assert "same title" in used
    found = controls(real, LOW_ID)
    assert found["ia-2.1"].parent == "ia-2"
    assert found["ac-2"].citation.startswith("AC-2 (NIST Special Publication 800-53 Revision 5:")


def test_low_profile_without_its_catalog_is_a_clear_error(invoke: Callable[..., Result]) -> None:
    result = invoke("--catalog", str(LOW), "frameworks", "list")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {LOW}:")
    assert "profile.imports[0].href: cannot resolve the import '#84cbf061" in line
    assert "NIST_SP-800-53_rev5_catalog.json" in line
    assert "give the catalog with --catalog FILE" in line


def test_resolved_catalog_loads_as_a_catalog_with_the_plain_labels(real: Library) -> None:
    found = controls(real, LOW_RESOLVED_ID)
    assert len(found) == 149
    assert found["ac-2"].citation.startswith("AC-2 (NIST Special Publication 800-53 Revision 5.1.1")
    assert "[prerequisites and criteria]" in found["ac-2"].summary


def test_messy_hipaa_catalog_loads_with_functions_by_security_rule_standard(real: Library) -> None:
    catalog = real.catalogs[HIPAA_ID]
    assert len(catalog.controls) == 126
    assert catalog.title == "HIPAA Cybersecurity Resource Guide"
    assert catalog.version == "2.0.0"
    found = controls(real, HIPAA_ID)
    assert found["hipaa-001"].functions == ("risk-assessment", "governance")  # 164.308(a)(1)
    assert found["hipaa-010"].functions == ("governance",)  # 164.308(a)(2)
    assert found["hipaa-080"].functions == ("access-management",)  # 164.312(a)
    assert found["hipaa-001"].citation == "hipaa-001"
    assert found["hipaa-001"].summary.startswith("Identify where ePHI is generated")
    assert [c.id for c in catalog.controls[:3]] == ["hipaa-001", "hipaa-002", "hipaa-003"]
    assert all(c.functions for c in catalog.controls)


def test_basic_catalog_keeps_its_remarks_as_license_note(real: Library) -> None:
    catalog = real.catalogs["basic-catalog"]
    assert [c.id for c in catalog.controls] == ["s1.1.1", "s1.1.2", "s2.1.1", "s2.1.2"]
    assert catalog.license_note is not None
    assert catalog.license_note.startswith(
        "The following is a short excerpt from [ISO/IEC 27002:2013]"
    )
    assert controls(real, "basic-catalog")["s1.1.1"].citation == (
        "1.1.1 (Sample Security Catalog *for Demonstration* and Testing)"
    )


def test_convert_without_a_path_takes_the_id_from_the_title() -> None:
    doc = read_document(TINY / "yaml-catalog.yaml")
    data, warnings = convert_oscal(doc, None, None, [])
    assert data["id"] == "yaml-test-catalog"
    assert warnings == []
    assert Catalog.model_validate(data).controls[0].id == "y-2"
    data, _ = convert_oscal(doc, TINY / "yaml-catalog.yaml", "mine", [])
    assert data["id"] == "mine"


def test_tiny_catalog_sorts_by_sort_id_then_document_order(tiny: Library) -> None:
    ids = [c.id for c in tiny.catalogs["tiny-catalog"].controls]
    # tc-2 comes first in the file; tc-9 has no sort-id and stays after tc-2; externals last
    assert ids == ["tc-1", "tc-1.1", "tc-2", "tc-9", "tc-3", "tc-1.2", "zz-404"]


def test_yaml_catalog_without_sort_ids_keeps_document_order(tiny: Library) -> None:
    found = tiny.catalogs["yaml-catalog"].controls
    assert [c.id for c in found] == ["y-2", "y-1", "y-3"]
    assert tiny.catalogs["yaml-catalog"].version == "3"
    # no statement: the first part with prose stands in; no parts at all: a fixed text
    assert found[1].summary == "Back up [daily or weekly]."
    assert found[2].summary == "No statement text."


def test_statement_items_and_every_kind_of_parameter(tiny: Library) -> None:
    found = controls(tiny, "tiny-catalog")
    assert found["tc-1"].summary == (
        "The organization must: a. Write a policy for [organization-defined personnel]; "
        "1. covering scope; and 2. covering roles; b. Review it "
        "[yearly or after organization-defined personnel asks], within "
        "[the review period is defined], by [tc-1_prm_4]."
    )
    # an enhancement sees its base's parameters, every control the catalog's
    assert found["tc-1.1"].summary == "Automate it for [organization-defined personnel]."
    assert found["tc-2"].summary == "Do the second thing with [catalog-wide value]."


def test_required_link_becomes_a_dependency_and_related_is_ignored(tiny: Library) -> None:
    found = controls(tiny, "tiny-catalog")
    (dep,) = found["tc-2"].depends_on
    assert (dep.control, dep.basis, dep.reason) == ("tc-1", "text", "OSCAL link rel=required")
    assert tiny.graph.has_edge("tiny-catalog:tc-2", "tiny-catalog:tc-1")
    assert found["tc-1.1"].parent == "tc-1"
    assert found["tc-1.1"].depends_on == ()


def test_required_link_outside_the_catalog_becomes_an_external_control(tiny: Library) -> None:
    found = controls(tiny, "tiny-catalog")
    assert [d.control for d in found["tc-3"].depends_on] == ["tc-1.2", "zz-404"]
    withdrawn, unknown = found["tc-1.2"], found["zz-404"]
    assert (withdrawn.status, withdrawn.title) == ("external", "Withdrawn Enhancement")
    assert withdrawn.citation == "TC-1(2) (Tiny Test Catalog)"
    assert withdrawn.summary == EXTERNAL_SUMMARY
    assert withdrawn.functions == ("governance",)
    assert (unknown.status, unknown.title, unknown.citation) == ("external", "zz-404", "zz-404")
    assert tiny.graph.nodes["tiny-catalog:zz-404"]["status"] == "external"
    messages = warnings_of(tiny, TINY / "tiny-catalog.json")
    assert "1 withdrawn control left out: tc-1.2" in messages
    assert (
        "1 control(s) named by required links are not in the catalog; shown as external "
        "controls: zz-404" in messages
    )


def test_empty_title_takes_the_label_with_a_warning(tiny: Library) -> None:
    assert controls(tiny, "tiny-catalog")["tc-9"].title == "TC-9"
    assert "1 control(s) have no title; their label or id is used: tc-9" in warnings_of(
        tiny, TINY / "tiny-catalog.json"
    )


def test_profile_adds_the_unselected_base_and_prerequisite_as_external(tiny: Library) -> None:
    catalog = tiny.catalogs["tiny-profile"]
    assert [(c.id, c.status) for c in catalog.controls] == [
        ("tc-1.1", "active"),
        ("tc-2", "active"),
        ("tc-1", "external"),
    ]
    found = controls(tiny, "tiny-profile")
    assert found["tc-1.1"].parent == "tc-1"
    assert [d.control for d in found["tc-2"].depends_on] == ["tc-1"]
    assert found["tc-1"].title == "Policy"
    assert catalog.source == (
        "OSCAL profile Tiny Test Profile, tiny-profile.json, resolved against tiny-catalog.json"
    )
    messages = warnings_of(tiny, TINY / "tiny-profile.json")
    assert "1 withdrawn control left out: tc-1.2" in messages
    assert "profile modify/merge directives are not applied" in messages
    assert any("tc-404" in m and "not in" in m for m in messages)


def test_yaml_profile_with_back_matter_children_and_patterns(tiny: Library) -> None:
    catalog = tiny.catalogs["tiny-profile-children"]
    assert [(c.id, c.status) for c in catalog.controls] == [
        ("tc-1", "active"),
        ("tc-1.1", "active"),
        ("tc-3", "active"),
        ("tc-1.2", "external"),
        ("zz-404", "external"),
    ]
    messages = warnings_of(tiny, TINY / "tiny-profile-children.yaml")
    assert "1 withdrawn control left out: tc-1.2" in messages


def test_profile_import_falls_back_to_the_only_catalog_given(invoke: Callable[..., Result]) -> None:
    profile = TINY / "bad-unresolvable-import.json"
    result = invoke(
        "--catalog",
        str(profile),
        "--catalog",
        str(TINY / "tiny-catalog.json"),
        "frameworks",
        "list",
    )
    assert result.exit_code == 0, result.stderr
    assert "using tiny-catalog.json, the only OSCAL catalog given with --catalog" in result.stderr


def test_profile_import_names_the_candidates_when_several_catalogs_are_given(
    invoke: Callable[..., Result],
) -> None:
    profile = TINY / "bad-unresolvable-import.json"
    result = invoke(
        "--catalog",
        str(profile),
        "--catalog",
        str(TINY / "tiny-catalog.json"),
        "--catalog",
        str(TINY / "yaml-catalog.yaml"),
        "frameworks",
        "list",
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {profile}:6: profile.imports[0].href: cannot resolve")
    assert "none of the OSCAL catalogs given (tiny-catalog.json, yaml-catalog.yaml)" in line
    assert "give the catalog with --catalog FILE" in line


def test_shipped_function_map_names_only_known_functions() -> None:
    functions = set(read_document(ROOT / "frameworks" / "functions.yaml").data["functions"])
    fmap = read_document(ROOT / "frameworks" / "oscal" / "function-map.yaml").data
    assert set(fmap) == {"families", "controls", "groups", "default"}
    assert set(fmap["families"]) == set(FAMILIES)
    used = {
        f
        for section in ("families", "controls", "groups")
        for fs in fmap[section].values()
        for f in fs
    }
    assert used | set(fmap["default"]) <= functions
    for family in FAMILIES:
        assert fmap["controls"][f"{family}-1"][0] == "policy-documentation", family


def test_function_map_is_not_taken_for_a_catalog(lib: Library) -> None:
    assert "function-map" not in lib.catalogs
    assert "oscal" not in lib.catalogs


def _copy_tiny(tmp_path: Path) -> Path:
    target = tmp_path / "tiny-catalog.json"
    shutil.copy(TINY / "tiny-catalog.json", target)
    return target


def test_per_catalog_functions_file_overrides_the_shipped_map(tmp_path: Path) -> None:
    target = _copy_tiny(tmp_path)
    (tmp_path / "tiny-catalog.functions.yaml").write_text(
        "controls:\n"
        "  tc-1: [patch-management]\n"
        "groups:\n"
        "  TINY-STD-1: [network-administration]\n"
        "families:\n"
        "  TC: [help-desk]\n"
        "default: [asset-management]\n",
        encoding="utf-8",
    )
    lib = load_library([str(target)])
    found = controls(lib, "tiny-catalog")
    assert found["tc-1"].functions == ("patch-management",)
    assert found["tc-1.1"].functions == ("patch-management",)  # its base's entry
    assert found["tc-2"].functions == ("network-administration",)  # its group's prop value
    assert found["tc-3"].functions == ("help-desk",)  # the family, case-insensitive
    assert found["zz-404"].functions == ("asset-management",)  # no family zz: the default


def test_profile_uses_its_catalogs_functions_file_then_its_own(tmp_path: Path) -> None:
    _copy_tiny(tmp_path)
    shutil.copy(TINY / "tiny-profile.json", tmp_path / "tiny-profile.json")
    (tmp_path / "tiny-catalog.functions.yaml").write_text(
        "controls: {tc-1: [patch-management], tc-2: [help-desk]}\n", encoding="utf-8"
    )
    (tmp_path / "tiny-profile.functions.yaml").write_text(
        "controls: {tc-2: [backup-recovery]}\n", encoding="utf-8"
    )
    found = controls(load_library([str(tmp_path / "tiny-profile.json")]), "tiny-profile")
    assert found["tc-1"].functions == ("patch-management",)
    assert found["tc-1.1"].functions == ("patch-management",)
    assert found["tc-2"].functions == ("backup-recovery",)


def test_functions_file_with_an_unknown_function_is_a_clear_error(
    tmp_path: Path, invoke: Callable[..., Result]
) -> None:
    target = _copy_tiny(tmp_path)
    override = tmp_path / "tiny-catalog.functions.yaml"
    override.write_text("controls:\n  tc-1: [patch-managment]\n", encoding="utf-8")
    result = invoke("--catalog", str(target), "frameworks", "list")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        f"Error: {override}:2: controls.tc-1[0]: unknown function 'patch-managment'; "
        "use one of frameworks/functions.yaml"
    )


BAD_CASES = {
    # file: (line, field, text the message must contain)
    "bad-control-without-id.json": (
        11,
        "catalog.groups[0](g).controls[1]",
        "a control needs an id",
    ),
    "bad-control-without-id.yaml": (10, "catalog.controls[1]", "a control needs an id"),
    "bad-group-not-mapping.json": (7, "catalog.groups[1]", "a group must be a mapping"),
    "bad-controls-not-list.json": (
        6,
        "catalog.groups[0](g).controls",
        "expected a list of controls",
    ),
    "bad-duplicate-control-id.json": (
        7,
        "catalog.controls[1](d-2).controls[0](d-1).id",
        "duplicate control id 'd-1'",
    ),
    "bad-prose-not-text.json": (
        6,
        "catalog.controls[0](p-1).parts[0](p-1_smt).prose",
        "prose must be text",
    ),
    "bad-catalog-not-mapping.json": (1, "catalog", "expected the OSCAL catalog as a mapping"),
    "bad-all-withdrawn.json": (
        2,
        "catalog",
        "nothing to import: all of its controls are withdrawn",
    ),
    "bad-unresolvable-import.json": (6, "profile.imports[0].href", "cannot resolve the import"),
    "bad-unknown-resource.json": (5, "profile.imports[0].href", "no back-matter resource has uuid"),
    "bad-profile-without-imports.json": (
        2,
        "profile.imports",
        "a profile needs a non-empty list of imports",
    ),
    "bad-import-loop.json": (5, "profile.imports[0].href", "an import loop"),
    "bad-import-without-selection.json": (
        5,
        "profile.imports[0]",
        "needs include-all or include-controls",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_oscal_input_exits_2_naming_file_and_field(
    invoke: Callable[..., Result], name: str
) -> None:
    path = TINY / name
    line, field, text = BAD_CASES[name]
    result = invoke("--catalog", str(path), "frameworks", "list")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {path}:{line}: {field}: "), lines[0]
    assert text in lines[0]


def test_bad_input_raises_input_error_from_the_core() -> None:
    with pytest.raises(InputError) as caught:
        load_library([str(TINY / "bad-group-not-mapping.json")])
    (problem,) = caught.value.problems
    assert problem.file == str(TINY / "bad-group-not-mapping.json")
    assert problem.field == "catalog.groups[1]"
