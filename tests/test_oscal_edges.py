"""OSCAL import at its edges: every malformed shape is a one-line error, every oddity a warning.

The bad-*.json fixtures listed here are new in tests/data/oscal/ (the ones tests/test_oscal.py
checks are left to it); each has exactly one defect. The oddities that still import are built
in tmp_path, so that each test shows the whole input it is about.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from ctrlmap.errors import InputError
from ctrlmap.load.catalogs import load_library
from ctrlmap.load.oscal import convert_oscal
from ctrlmap.load.oscal_model import MAX_IMPORT_DEPTH
from ctrlmap.load.read import read_document
from ctrlmap.models import Catalog
from tests.conftest import DATA

TINY = DATA / "oscal"

BAD_CASES = {
    # file: (line, field, the whole message after the field)
    "bad-no-controls.json": (
        2,
        "catalog",
        "the catalog has no controls (looked in controls[] and groups[]); check that it is the "
        "right file",
    ),
    "bad-metadata-not-mapping.json": (
        4,
        "catalog.metadata",
        "expected a mapping of keys to values, got a list",
    ),
    "bad-metadata-title-not-text.json": (
        4,
        "catalog.metadata.title",
        "expected text, got the value 2024",
    ),
    "bad-control-id-with-space.json": (
        6,
        "catalog.controls[0](x 1).id",
        "control id 'x 1' has spaces or ':'; OSCAL ids are tokens",
    ),
    "bad-control-title-not-text.json": (
        6,
        "catalog.controls[0](x-1).title",
        "a control title must be text, got the value 7",
    ),
    "bad-prop-without-name.json": (
        6,
        "catalog.controls[0](x-1).props[0]",
        "a prop needs a text name and a value",
    ),
    "bad-param-without-id.json": (
        6,
        "catalog.controls[0](x-1).params[0].id",
        "a parameter needs an id (text)",
    ),
    "bad-link-without-href.json": (
        6,
        "catalog.controls[0](x-1).links[0].href",
        "a link needs an href (text)",
    ),
    "bad-link-not-a-control-id.json": (
        6,
        "catalog.controls[0](x-1).links[0].href",
        "'#x%201' does not name a control id",
    ),
    "bad-profile-not-mapping.json": (
        2,
        "profile",
        "expected the OSCAL profile as a mapping of keys to values",
    ),
    "bad-import-not-mapping.json": (
        5,
        "profile.imports[0]",
        "an import must be a mapping with an href, got the value 'tiny-catalog.json'",
    ),
    "bad-import-without-href.json": (
        5,
        "profile.imports[0].href",
        "an import needs an href (the catalog's path or '#<back-matter uuid>')",
    ),
    "bad-import-not-oscal.json": (
        5,
        "profile.imports[0].href",
        f"'not-oscal.yaml' resolves to {TINY / 'not-oscal.yaml'}, which is "
        "not an OSCAL catalog or profile (JSON or YAML)",
    ),
    "bad-import-xml-only.json": (
        5,
        "profile.imports[0].href",
        "cannot resolve the import 'tiny-catalog.xml' (tiny-catalog.xml): only tiny-catalog.xml "
        "exists beside the profile and OSCAL XML is not read; give the catalog with --catalog FILE",
    ),
    "bad-import-url.json": (
        5,
        "profile.imports[0].href",
        "cannot resolve the import 'https://example.org/oscal/tiny-catalog.json' "
        "(tiny-catalog.json): no such file beside the profile and no OSCAL catalog was given "
        "with --catalog; give the catalog with --catalog FILE",
    ),
    "bad-include-controls-not-list.json": (
        5,
        "profile.imports[0].include-controls",
        "expected a list of selections, got a mapping",
    ),
    "bad-selection-not-mapping.json": (
        5,
        "profile.imports[0].include-controls[0]",
        "a selection must be a mapping (with-ids, matching), got the value 'tc-1'",
    ),
    "bad-with-ids-not-text.json": (
        5,
        "profile.imports[0].include-controls[0].with-ids",
        "expected a list of control ids (text)",
    ),
    "bad-matching-not-list.json": (
        5,
        "profile.imports[0].include-controls[0].matching",
        "expected a list of {pattern: ...}",
    ),
    "bad-pattern-not-text.json": (
        5,
        "profile.imports[0].include-controls[0].matching[0]",
        "expected {pattern: <glob>}",
    ),
    "bad-resource-without-rlinks.json": (
        5,
        "profile.imports[0].href",
        "back-matter resource 7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0cff has no rlinks with an href; "
        "add the catalog's path",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_malformed_oscal_exits_2_with_one_line(invoke: Callable[..., Result], name: str) -> None:
    path = TINY / name
    line, field, message = BAD_CASES[name]
    result = invoke("--catalog", str(path), "frameworks", "list")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"Error: {path}:{line}: {field}: {message}"]


def test_each_new_bad_fixture_is_valid_json_so_its_defect_is_oscal_shape() -> None:
    for name in BAD_CASES:
        assert json.loads((TINY / name).read_text(encoding="utf-8")), name


# --- oddities that still import -----------------------------------------------------------


def write(folder: Path, name: str, root: str, body: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps({root: body}, indent=2), encoding="utf-8")
    return path


def catalog_body(controls: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "uuid": "7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0d01",
        "metadata": {"title": "Edge Catalog", "version": "1"},
        "controls": controls,
        **extra,
    }


def convert(path: Path) -> tuple[dict[str, Any], list[str]]:
    data, warnings = convert_oscal(read_document(path), path, None, [])
    Catalog.model_validate(data)  # whatever imports is a valid native catalog
    return data, [w.message for w in warnings]


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in data["controls"]}


def test_a_catalog_without_metadata_imports_with_its_id_as_title(tmp_path: Path) -> None:
    body = catalog_body([{"id": "x-1", "title": "X"}])
    del body["metadata"]
    data, warnings = convert(write(tmp_path, "no-meta.json", "catalog", body))
    assert (data["title"], data["version"], data["license_note"]) == ("no-meta", "unknown", None)
    assert warnings == [
        "no metadata (OSCAL requires it); title and version are unknown",
        "metadata.title is empty; the catalog id 'no-meta' is used as its title",
    ]


def test_an_empty_title_is_replaced_by_the_id_with_a_warning(tmp_path: Path) -> None:
    body = catalog_body([{"id": "x-1", "title": "X"}])
    body["metadata"] = {"title": "  ", "version": 3}
    data, warnings = convert(write(tmp_path, "untitled.json", "catalog", body))
    assert (data["title"], data["version"]) == ("untitled", "3")
    assert warnings == ["metadata.title is empty; the catalog id 'untitled' is used as its title"]


def test_required_links_elsewhere_are_counted_and_repeats_kept_once(tmp_path: Path) -> None:
    links = [
        {"href": "#x-1", "rel": "required"},
        {"href": "#x-1", "rel": "required"},
        {"href": "other-catalog.json#y-1", "rel": "required"},
        {"href": "https://example.org/z-1", "rel": "required"},
    ]
    body = catalog_body([{"id": "x-1", "title": "X"}, {"id": "x-2", "title": "Y", "links": links}])
    data, warnings = convert(write(tmp_path, "links.json", "catalog", body))
    assert by_id(data)["x-2"]["depends_on"] == [
        {"control": "x-1", "basis": "text", "reason": "OSCAL link rel=required"}
    ]
    assert warnings == [
        "catalog.controls[1](x-2): 2 required link(s) to other documents not followed"
    ]


def test_a_group_without_an_id_is_mapped_by_its_prop_value(tmp_path: Path) -> None:
    group = {
        "title": "No id, a standard prop",
        "props": [{"name": "standard", "value": "EDGE-STD"}],
        "controls": [{"id": "q-1", "title": "Q"}],
    }
    path = write(tmp_path, "groups.json", "catalog", catalog_body([], groups=[group]))
    (tmp_path / "groups.functions.yaml").write_text("groups:\n  EDGE-STD: [help-desk]\n")
    data, _ = convert(path)
    assert by_id(data)["q-1"]["functions"] == ["help-desk"]


def test_parameters_that_cannot_be_shown_fall_back_to_their_id(tmp_path: Path) -> None:
    params = [
        # its only choice inserts itself: the insertion stops instead of recursing forever
        {"id": "p-self", "select": {"choice": ["again {{ insert: param, p-self }}"]}},
        # blank choices give way to the guidelines
        {"id": "p-blank", "select": {"choice": ["  "]}, "guidelines": [{"prose": "the period;"}]},
        # guidelines without prose: nothing to show but the id
        {"id": "p-bare", "guidelines": [{"prose": "  "}, "not a mapping"]},
    ]
    prose = (
        "Do {{ insert: param, p-self }} within {{ insert: param, p-blank }} "
        "by {{ insert: param, p-bare }} for {{ insert: param, p-undefined }}."
    )
    control = {
        "id": "x-1",
        "title": "X",
        "params": params,
        "parts": [{"name": "statement", "prose": prose}],
    }
    data, _ = convert(write(tmp_path, "params.json", "catalog", catalog_body([control])))
    assert by_id(data)["x-1"]["summary"] == (
        "Do [again again again again again p-self] within [the period] by [p-bare] "
        "for [p-undefined]."
    )


def _tiny_beside(tmp_path: Path) -> None:
    shutil.copy(TINY / "tiny-catalog.json", tmp_path / "tiny-catalog.json")


def _profile(imports: list[dict[str, Any]], title: str = "Edge Profile", **extra: Any) -> Any:
    return {
        "uuid": "7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0d02",
        "metadata": {"title": title, "version": "1"},
        "imports": imports,
        **extra,
    }


def test_a_profile_of_a_profile_selects_through_both(tmp_path: Path) -> None:
    _tiny_beside(tmp_path)
    inner = [{"href": "tiny-catalog.json", "include-controls": [{"with-ids": ["tc-1", "tc-2"]}]}]
    write(tmp_path, "inner.json", "profile", _profile(inner, "Inner"))
    outer = [{"href": "inner.json", "include-controls": [{"with-ids": ["tc-2"]}]}]
    data, _ = convert(write(tmp_path, "outer.json", "profile", _profile(outer)))
    assert [(c["id"], c["status"]) for c in data["controls"]] == [
        ("tc-2", "active"),
        ("tc-1", "external"),
    ]
    assert data["source"] == (
        "OSCAL profile Edge Profile, outer.json, resolved against tiny-catalog.json"
    )


def test_a_control_imported_twice_keeps_the_first_and_says_so(tmp_path: Path) -> None:
    _tiny_beside(tmp_path)
    imports = [
        {"href": "tiny-catalog.json", "include-controls": [{"with-ids": ["tc-1"]}]},
        {"href": "tiny-catalog.json", "include-controls": [{"with-ids": ["tc-1", "tc-3"]}]},
    ]
    data, warnings = convert(write(tmp_path, "twice.json", "profile", _profile(imports)))
    assert [c["id"] for c in data["controls"] if c["status"] == "active"] == ["tc-1", "tc-3"]
    assert "control 'tc-1' is imported twice; the first import's is kept" in warnings


def test_an_id_missing_from_the_catalog_is_reported_once(tmp_path: Path) -> None:
    _tiny_beside(tmp_path)
    selection = [{"with-ids": ["tc-1", "tc-404"]}, {"with-ids": ["tc-404"]}]
    imports = [{"href": "tiny-catalog.json", "include-controls": selection}]
    _, warnings = convert(write(tmp_path, "missing.json", "profile", _profile(imports)))
    missing = [w for w in warnings if "not in" in w]
    assert missing == [
        f"1 control id(s) selected by imports[0] are not in {tmp_path / 'tiny-catalog.json'}: tc-404"
    ]


def test_the_back_matter_resource_is_found_among_others(tmp_path: Path) -> None:
    _tiny_beside(tmp_path)
    wanted = "7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0d99"
    resources = [
        "not a mapping",
        {"uuid": "7d7c0f1e-2d7b-4f3e-9d8a-1b1f0c0e0d98", "rlinks": [{"href": "nothing.json"}]},
        {"uuid": wanted, "rlinks": [{"href": "tiny-catalog.json"}]},
    ]
    imports = [{"href": f"#{wanted}", "include-controls": [{"with-ids": ["tc-3"]}]}]
    profile = _profile(imports, **{"back-matter": {"resources": resources}})
    data, _ = convert(write(tmp_path, "bm.json", "profile", profile))
    assert [c["id"] for c in data["controls"] if c["status"] == "active"] == ["tc-3"]


def test_an_import_is_found_by_file_name_among_the_catalogs_given(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    # The profile is alone in its folder; of the two catalogs given, one has the file name
    # the import names, and it is used without the fallback's warning.
    imports = [{"href": "tiny-catalog.json", "include-controls": [{"with-ids": ["tc-3"]}]}]
    profile = write(tmp_path, "alone.json", "profile", _profile(imports))
    result = invoke(
        "--catalog",
        str(TINY / "yaml-catalog.yaml"),
        "--catalog",
        str(profile),
        "--catalog",
        str(TINY / "tiny-catalog.json"),
        "frameworks",
        "show",
        "alone",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert "not beside the profile" not in result.stderr
    shown = json.loads(result.stdout)
    assert [c["id"] for c in shown["controls"] if c["status"] == "active"] == ["tc-3"]


def test_profiles_importing_each_other_too_deep_are_refused(tmp_path: Path) -> None:
    _tiny_beside(tmp_path)
    depth = MAX_IMPORT_DEPTH + 2
    for level in range(depth):
        href = f"level-{level + 1}.json" if level + 1 < depth else "tiny-catalog.json"
        write(
            tmp_path,
            f"level-{level}.json",
            "profile",
            _profile([{"href": href, "include-all": {}}]),
        )
    with pytest.raises(InputError) as caught:
        convert(tmp_path / "level-0.json")
    (problem,) = caught.value.problems
    assert problem.file == str(tmp_path / f"level-{MAX_IMPORT_DEPTH}.json")
    assert problem.field == "profile.imports[0].href"
    assert problem.message == (
        f"profiles import each other more than {MAX_IMPORT_DEPTH} deep; check for a loop"
    )


# --- per-file function maps ---------------------------------------------------------------

MAP_CASES = {
    # the text of tiny-catalog.functions.yaml: (line, field, message)
    "- [help-desk]\n": (
        1,
        "",
        "expected a mapping with families, controls, groups and default, got a list",
    ),
    "famillies:\n  tc: [help-desk]\n": (
        1,
        "famillies",
        "unknown key; allowed keys are families, controls, groups, default",
    ),
    "controls: [tc-1]\n": (
        1,
        "controls",
        "expected a mapping of ids to lists of functions, got a list",
    ),
    "controls:\n  tc-1: []\n": (
        2,
        "controls.tc-1",
        "expected a non-empty list of function ids, e.g. [access-management]",
    ),
    "default: 5\n": (
        1,
        "default",
        "expected a non-empty list of function ids, e.g. [access-management]",
    ),
}


@pytest.mark.parametrize("text", list(MAP_CASES))
def test_a_bad_function_map_exits_2_naming_the_map(
    invoke: Callable[..., Result], tmp_path: Path, text: str
) -> None:
    _tiny_beside(tmp_path)
    fmap = tmp_path / "tiny-catalog.functions.yaml"
    fmap.write_text(text, encoding="utf-8")
    line, field, message = MAP_CASES[text]
    result = invoke("--catalog", str(tmp_path / "tiny-catalog.json"), "frameworks", "list")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    where = f"{fmap}:{line}: {field}: " if field else f"{fmap}:{line}: "
    assert result.stderr.strip().splitlines() == [f"Error: {where}{message}"]


def test_a_single_function_in_a_map_is_read_as_a_list(tmp_path: Path) -> None:
    _tiny_beside(tmp_path)
    (tmp_path / "tiny-catalog.functions.yaml").write_text(
        "controls:\n  tc-3: help-desk\ndefault: asset-management\n", encoding="utf-8"
    )
    found = {
        c.id: c
        for c in load_library([str(tmp_path / "tiny-catalog.json")])
        .catalogs["tiny-catalog"]
        .controls
    }
    assert found["tc-3"].functions == ("help-desk",)
    assert found["zz-404"].functions == ("asset-management",)
