"""Every user mistake ends in one clear line per problem, exit code 2, and never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ctrlmap.errors import InputError
from ctrlmap.load.catalogs import load_library
from ctrlmap.load.profiles import load_profile
from ctrlmap.models.base import slugify
from tests.conftest import DATA, EXAMPLES

BAD = DATA / "bad"

PROFILE_CASES = {
    # fixture: (line, text the message must contain)
    "yaml_syntax.yaml": (5, "YAML syntax error"),
    "not_mapping.yaml": (1, "expected a mapping"),
    "empty.yaml": (None, "file is empty"),
    "undecodable.yaml": (8, "not valid UTF-8"),
    "unknown_key.yaml": (
        9,
        "internal[0](pat).after_hour: unknown key; did you mean 'after_hours'?",
    ),
    "wrong_type.yaml": (13, "providers[0](acme).after_hours: expected true or false"),
    "bad_date.yaml": (13, "providers[0](acme).last_reviewed: not a valid date"),
    "duplicate_key.yaml": (6, "model: duplicate key 'model'"),
    "duplicate_key.json": (5, "model: duplicate key 'model'"),
    "duplicate_person_id.yaml": (11, "providers[0](pat).id: duplicate id 'pat'"),
    "reserved_id.yaml": (11, "'internal' is a reserved word"),
    "unknown_catalog.yaml": (
        4,
        "frameworks[0]: unknown framework 'hipaa-securty'; did you mean 'hipaa-security'?",
    ),
    "unknown_model.yaml": (5, "model: unknown model 'half-managed'"),
    "unknown_function.yaml": (
        13,
        "providers[0](acme).functions[0]: unknown function 'security-monitorng'",
    ),
    "unknown_provider.yaml": (17, ".provider: unknown provider 'acne'; did you mean 'acme'?"),
    "unknown_person.yaml": (
        15,
        "designations.security-official.holder: unknown person or provider 'patt'",
    ),
    "unknown_role.yaml": (15, "the key 'security-officer' is not allowed"),
    "unknown_control.yaml": (15, ".control: unknown control of hipaa-security '164.308(a)(99)'"),
    "override_without_reason.yaml": (15, ".reason: required field is missing"),
    "alias_bomb.yaml": (7, "alias bomb"),
    "provider_framework_outside.yaml": (
        14,
        "providers[0](acme).frameworks[0]: unknown framework of the profile 'pci-dss-4'",
    ),
    "exclusion_non_delegable.yaml": (
        11,
        "cannot exclude 'pci-dss-4:12.8.1': it is a duty the law keeps",
    ),
    "exclusion_not_scopable.yaml": (11, "hipaa-security has no scoping"),
    "exclusion_without_reason.yaml": (11, ".reason: required field is missing"),
    "exclusion_unknown_control.yaml": (11, "unknown control of hipaa-security '164.310(d)(9)'"),
    "saq_not_confirmed.yaml": (
        7,
        "applicability.pci-saq: SAQ C-VT's requirement list could not be confirmed",
    ),
    "saq_wrong_entity.yaml": (8, "SAQ A is for merchants, but the pci fact says service-provider"),
    "saq_without_pci.yaml": (7, "add pci-dss-4 to frameworks or remove it"),
    "bad_baa_expires.yaml": (15, "providers[0](acme).baa_expires: not a valid date"),
}

CATALOG_CASES = {
    "unknown_dependency.yaml": (
        12,
        "controls[0](T-1).depends_on[0]: unknown control of tiny 'T-9'",
    ),
    "duplicate_control_id.yaml": (5, "duplicate control id 'T-1'"),
    "dependency_cycle.yaml": (5, "dependency cycle: tiny:T-1 -> tiny:T-3 -> tiny:T-2 -> tiny:T-1"),
    "catalog_unknown_function.yaml": (
        5,
        "unknown function 'governence'; did you mean 'governance'?",
    ),
}


def _assert_one_clean_error(result: Result, path: Path, line: int | None, text: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    where = f"{path}:{line}: " if line else f"{path}: "
    assert lines[0].startswith(f"Error: {where}"), lines[0]
    assert text in lines[0]


@pytest.mark.parametrize("name", sorted(PROFILE_CASES))
def test_bad_profile(invoke: Callable[..., Result], name: str) -> None:
    path = BAD / name
    line, text = PROFILE_CASES[name]
    _assert_one_clean_error(invoke("validate", str(path)), path, line, text)


@pytest.mark.parametrize("name", sorted(CATALOG_CASES))
def test_bad_catalog(invoke: Callable[..., Result], name: str) -> None:
    path = BAD / name
    line, text = CATALOG_CASES[name]
    _assert_one_clean_error(invoke("--catalog", str(path), "frameworks", "list"), path, line, text)


def test_every_bad_fixture_has_a_case() -> None:
    assert {p.name for p in BAD.iterdir()} == set(PROFILE_CASES) | set(CATALOG_CASES)


def test_missing_file(invoke: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    _assert_one_clean_error(invoke("validate", str(path)), path, None, "file not found")


def test_oversized_file_is_refused(invoke: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 500_000)
    _assert_one_clean_error(
        invoke("validate", str(path)), path, None, "over the 4,194,304-byte limit"
    )


def test_all_problems_of_a_file_are_listed(invoke: Callable[..., Result], tmp_path: Path) -> None:
    text = (DATA / "good" / "minimal.yaml").read_text()
    text = text.replace("model: co-managed", "model: nope").replace(
        "[security-monitoring]", "[nope]"
    )
    path = tmp_path / "two.yaml"
    path.write_text(text)
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 2


def test_catalog_id_clash_is_an_error(invoke: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        (BAD / "unknown_dependency.yaml").read_text().replace("depends_on: [T-9]", "depends_on: []")
    )
    result = invoke("--catalog", f"hipaa-security={path}", "frameworks", "list")
    assert result.exit_code == 2
    assert "already used by frameworks/hipaa-security.yaml" in result.stderr


def test_catalog_id_defaults_to_the_slugified_stem(tmp_path: Path) -> None:
    text = (
        (BAD / "unknown_dependency.yaml")
        .read_text()
        .replace("id: tiny\n", "")
        .replace("depends_on: [T-9]", "depends_on: []")
    )
    path = tmp_path / "My Catalog v2.yaml"
    path.write_text(text)
    assert "my-catalog-v2" in load_library([str(path)]).catalogs
    assert slugify("PCI DSS 4.0") == "pci-dss-4-0"


def test_catalog_dir_adds_models_and_functions(tmp_path: Path, lib: object) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "functions.yaml").write_text(
        "functions:\n  legal-hold: {title: Legal hold, description: Preserving records.}\n"
    )
    model = (Path(__file__).parent.parent / "frameworks" / "models" / "co-managed.yaml").read_text()
    model = model.replace("id: co-managed", "id: my-model") + (
        "  legal-hold: {owner: internal, accountable: internal, rationale: Counsel decides}\n"
    )
    (tmp_path / "models" / "my-model.yaml").write_text(model)
    loaded = load_library(catalog_dirs=[tmp_path])
    assert "my-model" in loaded.models and "legal-hold" in loaded.functions


def test_custom_model_missing_a_function_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "thin.yaml").write_text(
        "id: thin\ntitle: Thin\nfunctions:\n  governance: {owner: internal, accountable: internal, rationale: x}\n"
    )
    with pytest.raises(InputError, match="no default for"):
        load_library(catalog_dirs=[tmp_path])


def test_load_profile_returns_the_document(lib: object) -> None:
    profile, doc = load_profile(DATA / "good" / "minimal.yaml", lib)  # type: ignore[arg-type]
    assert profile.organization.name == "Minimal Clinic"
    assert len(doc.sha256) == 64
    assert profile.applicability.defaults_assumed()[0] == "hipaa"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("review_period_days: 190:20:30\n", "review_period_days: expected a whole number"),
        ("review_period_days: true\n", "review_period_days: expected a whole number"),
        ('review_period_days: "365"\n', "review_period_days: expected a whole number"),
        ("review_period_days: " + "9" * 40 + "\n", "is too long"),
        ("applicability: {hipaa: []}\n", "applicability.hipaa: needs at least one item"),
        ("hipaa_clearinghouse: true\n", "unknown key"),
        ("organization: {name: '   '}\n", "organization.name: must not be empty"),
        ('organization: {name: "Evil\\e]0;pwned"}\n', "control character U+001B"),
        ("1: x\n", "the key 1 is not text"),
    ],
)
def test_strict_values(tmp_path: Path, lib: object, text: str, message: str) -> None:
    base = (DATA / "good" / "minimal.yaml").read_text()
    key = text.split(":")[0]
    if key in ("organization",):
        base = base.replace("organization:\n  name: Minimal Clinic\n", "")
    path = tmp_path / "p.yaml"
    path.write_text(base + text)
    with pytest.raises(InputError) as err:
        load_profile(path, lib)  # type: ignore[arg-type]
    assert any(message in str(p) for p in err.value.problems), err.value.lines()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"owner": "internal", "responsible": ["acme"]}, "owner internal contradicts responsible"),
        ({"owner": "provider", "responsible": []}, "responsible: [] means nobody"),
        ({"owner": "internal", "reason": "  "}, "reason: must not be empty"),
    ],
)
def test_contradictory_overrides_are_refused(
    tmp_path: Path, lib: object, override: dict[str, object], message: str
) -> None:
    import yaml

    data = yaml.safe_load((DATA / "good" / "minimal.yaml").read_text())
    data["overrides"] = [{"control": "hipaa-security:164.312(b)", "reason": "because", **override}]
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as err:
        load_profile(path, lib)  # type: ignore[arg-type]
    assert any(message in str(p) for p in err.value.problems), err.value.lines()


def test_schema_and_reference_problems_are_reported_together(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    text = (DATA / "good" / "minimal.yaml").read_text().replace("model: co-managed", "model: nope")
    text = text.replace("[security-monitoring]", "[golf]") + "review_period_days: zero\n"
    path = tmp_path / "mixed.yaml"
    path.write_text(text)
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert any("review_period_days" in x for x in lines) and any("'golf'" in x for x in lines)
    assert any("unknown model 'nope'" in x for x in lines)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"review_period_days": ' + "9" * 5000 + "}", "is too long"),
        ("[" * 80 + "]" * 80, "nested deeper than 64 levels"),
        ('{"organization": {"name": "a\\u001bb"}}', "control character U+001B"),
    ],
)
def test_hostile_json(
    invoke: Callable[..., Result], tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "p.json"
    path.write_text(text)
    result = invoke("validate", str(path))
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr) < 400  # the input is never echoed back whole


def test_catalog_rules(tmp_path: Path) -> None:
    control = {
        "id": "T-1",
        "title": "T",
        "summary": "A control.",
        "citation": "T 1",
        "kind": "requirement",
        "level": "required",
        "functions": ["governance"],
    }
    cases = {
        "empty.json": (
            {"id": "e", "title": "E", "version": "1", "controls": []},
            "needs at least one item",
        ),
        "hub.json": (
            {
                "id": "h",
                "title": "H",
                "version": "1",
                "controls": [{**control, "depends_on": ["nist-csf-2:GV.OC-01"]}],
            },
            "mapping hub",
        ),
        "quote.json": (
            {"id": "q", "title": "Q", "version": "1", "controls": [{**control, "id": 'X",y="1'}]},
            "must not contain spaces",
        ),
        "due.json": (
            {
                "id": "d",
                "title": "D",
                "version": "1",
                "controls": [{**control, "annual_due": "02-30"}],
            },
            "a real 'MM-DD'",
        ),
        "never.json": (
            {
                "id": "n",
                "title": "N",
                "version": "1",
                "controls": [{**control, "applies_if": {"hipaa": []}}],
            },
            "list at least one value",
        ),
    }
    import json

    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_text(json.dumps(data))
        with pytest.raises(InputError) as err:
            load_library([str(path)])
        assert any(message in str(p) for p in err.value.problems), (name, err.value.lines())


def test_an_entry_that_failed_its_schema_raises_no_knock_on_errors(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    source = (EXAMPLES / "dental-group.yaml").read_text()
    broken = tmp_path / "dental.yaml"
    broken.write_text(source.replace("baa_expires: 2027-05-01", "baa_expires: soon"))
    result = invoke("validate", str(broken))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    # the splits, hand-offs and backups that name the providers are not reported as well
    assert len(lines) == 1 and "providers[2](chartcloud).baa_expires: not a valid date" in lines[0]
