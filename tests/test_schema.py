"""`ctrlmap schema`: the JSON Schemas agree with `validate` on every example and bad fixture.

The split: the schema judges what one value or key shows by itself (an unknown key, a wrong type,
a value outside a closed vocabulary, a bad date, a missing required field). What needs the rest
of the file or the catalogs' contents (an unknown provider or person id, a control id that does
not exist in a known catalog, a duplicate id, a cycle, a rule across fields) passes the schema
and is left to `validate`; REFERENCE_ONLY lists those fixtures. Fixtures that fail before any
schema applies (YAML syntax, duplicate keys, bad bytes, an empty file) are READ_ERRORS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from jsonschema import Draft202012Validator

from ctrlmap.errors import InputError
from ctrlmap.load.library import Library
from ctrlmap.load.read import read_document
from ctrlmap.present.schemas import SCHEMAS, build_schema
from tests.conftest import DATA, EXAMPLES
from tests.test_loading import CATALOG_CASES

PROFILE_FIXTURES = sorted(
    [
        *(DATA / "bad-profiles").iterdir(),
        *(DATA / "bad-tracking").iterdir(),
        *(DATA / "once").iterdir(),
        *(p for p in (DATA / "bad").iterdir() if p.name not in CATALOG_CASES),
    ]
)
CATALOG_FIXTURES = sorted(DATA / "bad" / name for name in CATALOG_CASES)

READ_ERRORS = {
    "bad/alias_bomb.yaml",
    "bad/duplicate_key.json",
    "bad/duplicate_key.yaml",
    "bad/empty.yaml",
    "bad/undecodable.yaml",
    "bad/yaml_syntax.yaml",
}
REFERENCE_ONLY = {
    # ids defined elsewhere in the profile, or controls that do not exist in a known catalog
    "bad-profiles/control_out_of_scope.yaml",
    "bad-profiles/duplicate_override.yaml",
    "bad-profiles/framework_listed_twice.yaml",
    "bad-profiles/handoff_to_itself.yaml",
    "bad-profiles/handoff_unknown_party.yaml",
    "bad-profiles/overseer_not_internal.yaml",
    "bad-profiles/own_backup.yaml",
    "bad-profiles/provider_with_internal_owner.yaml",
    "bad-profiles/split_unknown_provider.yaml",
    "bad-profiles/split_without_provider.yaml",
    "bad-profiles/unknown_accountable.yaml",
    "bad-profiles/unknown_backup.yaml",
    "bad-profiles/unknown_informed.yaml",
    "bad-tracking/remediation_due_before_detected.yaml",
    "bad-tracking/remediation_unknown_owner.yaml",
    "bad-tracking/risk_approved_by_provider.yaml",
    "bad-tracking/risk_approved_by_unknown.yaml",
    "bad-tracking/risk_expires_before_approval.yaml",
    "bad-tracking/risk_listed_twice.yaml",
    "bad-tracking/risk_placeholder_reason.yaml",
    "bad/duplicate_person_id.yaml",
    "bad/exclusion_non_delegable.yaml",
    "bad/exclusion_not_scopable.yaml",
    "bad/exclusion_unknown_control.yaml",
    "bad/provider_framework_outside.yaml",
    "bad/reserved_id.yaml",
    "bad/saq_not_confirmed.yaml",
    "bad/saq_without_pci.yaml",
    "bad/saq_wrong_entity.yaml",
    "bad/unknown_control.yaml",
    "bad/unknown_person.yaml",
    "bad/unknown_provider.yaml",
    "once/control_nearest.yaml",
    "once/provider_none_defined.yaml",
    # catalogs: ids within the catalog
    "bad/dependency_cycle.yaml",
    "bad/duplicate_control_id.yaml",
    "bad/unknown_dependency.yaml",
}


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture(scope="module")
def validators(lib: Library) -> dict[str, Draft202012Validator]:
    return {
        kind: Draft202012Validator(
            build_schema(kind, lib).root, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for kind in SCHEMAS
    }


def _schema_errors(validator: Draft202012Validator, path: Path) -> list[str] | None:
    """The schema's complaints about a file as ctrlmap reads it, or None when it cannot be read."""
    try:
        data: Any = read_document(path).data
    except InputError:
        return None
    return [e.message for e in validator.iter_errors(data)]


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_each_schema_is_valid_and_deterministic(invoke: Callable[..., Result], kind: str) -> None:
    first = invoke("schema", kind)
    assert first.exit_code == 0, first.stderr
    assert invoke("schema", kind).stdout == first.stdout
    schema = json.loads(first.stdout)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == f"ctrlmap {kind}" and schema["description"]


def test_the_profile_schema_carries_vocabularies_and_descriptions(lib: Library) -> None:
    schema = build_schema("profile", lib).root
    person = schema["$defs"]["Person"]["properties"]
    enum_branch = next(b for b in person["functions"]["anyOf"] if b.get("type") == "array")
    assert enum_branch["items"]["enum"] == list(lib.functions)
    assert schema["properties"]["model"]["enum"] == list(lib.models)
    assert "pci-dss-4" in schema["properties"]["frameworks"]["anyOf"][0]["items"]["enum"]
    assert "nist-csf-2" not in schema["properties"]["frameworks"]["anyOf"][0]["items"]["enum"]
    assert person["after_hours"]["description"] == "Reachable and working outside business hours."
    roles = schema["properties"]["designations"]["anyOf"][0]["propertyNames"]["enum"]
    assert "qualified-individual" in roles
    nydfs = schema["$defs"]["Applicability"]["properties"]["nydfs"]
    assert "class-a" in nydfs["enum"]


def test_the_model_schema_requires_every_function(lib: Library) -> None:
    functions = build_schema("model", lib).root["properties"]["functions"]
    assert functions["required"] == list(lib.functions)


def test_schema_writes_to_a_file(invoke: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "profile.schema.json"
    result = invoke("schema", "profile", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["title"] == "ctrlmap profile"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_passes_the_schema_and_validate(
    invoke: Callable[..., Result], validators: dict[str, Draft202012Validator], path: Path
) -> None:
    assert _schema_errors(validators["profile"], path) == []
    assert invoke("validate", str(path)).exit_code == 0


@pytest.mark.parametrize(
    ("kind", "path"),
    [("profile", p) for p in PROFILE_FIXTURES] + [("catalog", p) for p in CATALOG_FIXTURES],
    ids=lambda x: _name(x) if isinstance(x, Path) else x,
)
def test_the_schema_agrees_with_validate_on_every_bad_fixture(
    invoke: Callable[..., Result],
    validators: dict[str, Draft202012Validator],
    kind: str,
    path: Path,
) -> None:
    args = (
        ("validate", str(path))
        if kind == "profile"
        else ("--catalog", str(path), "frameworks", "list")
    )
    assert invoke(*args).exit_code == 2  # every fixture is bad
    errors = _schema_errors(validators[kind], path)
    name = _name(path)
    if errors is None:
        assert name in READ_ERRORS
    elif name in REFERENCE_ONLY:
        assert errors == [], "a reference problem the schema cannot see"
    else:
        assert errors, "the schema should judge this one by itself"


def test_the_split_lists_name_real_fixtures() -> None:
    names = {_name(p) for p in [*PROFILE_FIXTURES, *CATALOG_FIXTURES]}
    assert names >= READ_ERRORS | REFERENCE_ONLY


def test_every_shipped_catalog_and_model_passes_its_schema(
    validators: dict[str, Draft202012Validator],
) -> None:
    root = EXAMPLES.parent / "frameworks"
    for path in sorted(root.glob("*.yaml")):
        if path.name != "functions.yaml":
            assert _schema_errors(validators["catalog"], path) == [], path.name
    for path in sorted((root / "models").glob("*.yaml")):
        assert _schema_errors(validators["model"], path) == [], path.name


@pytest.mark.parametrize(
    "text", ["GAP-7K3QX2", "gap-7k3qx2", " GAP-7K3QX2 ", "GAP-7K3QXI", "GAP-7K3Q"]
)
def test_the_finding_id_pattern_reads_ids_as_the_profile_does(text: str) -> None:
    import re

    from ctrlmap.models.profile import FINDING_ID_PATTERN
    from ctrlmap.present.schemas import FINDING_ID_ANY_CASE

    assert bool(re.match(FINDING_ID_ANY_CASE, text)) == bool(
        re.match(FINDING_ID_PATTERN, text.strip().upper())
    )
