"""Validation reports every problem once: one pass, no knock-on errors, a "did you mean" for
every closed vocabulary (issue 15, item 5).

Each fixture of tests/data/once/ has one defect (its first line says which), except
`cascade.yaml`, the issue's case, which holds four; each test pins the exact, full set of lines.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctrlmap.errors import InputError
from ctrlmap.load.library import Library
from ctrlmap.load.problems import hint, suggest, unknown
from ctrlmap.load.profiles import load_profile
from ctrlmap.load.read import read_document
from tests.conftest import DATA, EXAMPLES

ONCE = DATA / "once"

PROVIDER_KEYS = (
    "id, name, agreement, url, functions, after_hours, on_site, baa, pci_acknowledgement, "
    "last_reviewed, independent, frameworks, baa_expires, safeguards_terms"
)
OVERRIDE_KEYS = (
    "control, owner, provider, accountable, responsible, consulted, informed, reason, reference"
)
NEAREST_12_8 = "did you mean one of '12.8.1', '12.8.2', '12.8.3', '12.8.4', '12.8.5'?"

CASES: dict[str, list[str]] = {
    "cascade.yaml": [
        f"73: providers[3](vaultbox).locations: unknown key; allowed keys are {PROVIDER_KEYS}",
        f"79: overrides[0](pci-dss-4:12.8.9).type: unknown key; allowed keys are {OVERRIDE_KEYS}",
        "74: providers[3](vaultbox).functions[1]: unknown function 'patching'; "
        "did you mean 'patch-management'?",
        f"78: overrides[0](pci-dss-4:12.8.9).control: unknown control of pci-dss-4 '12.8.9'; "
        f"{NEAREST_12_8}",
    ],
    "function_near_miss.yaml": [
        "13: providers[0](acme).functions[1]: unknown function 'patching'; "
        "did you mean 'patch-management'?"
    ],
    "control_nearest.yaml": [
        f"15: evidence[0](pci-dss-4:12.8.9).control: unknown control of pci-dss-4 '12.8.9'; "
        f"{NEAREST_12_8}"
    ],
    "fact_key.yaml": [
        "11: applicability.hipaa-clearing-house: unknown key; did you mean 'hipaa-clearinghouse'?"
    ],
    "fact_value.yaml": [
        "11: applicability.pci[0]: must be 'merchant' or 'service-provider'; "
        "did you mean 'merchant'?"
    ],
    "role.yaml": [
        "11: designations.security-oficial: the key 'security-oficial' is not allowed: must be "
        "'security-official', 'qualified-individual', 'ciso', 'pci-executive', "
        "'supervising-lawyer' or 'ma-wisp-coordinator'; did you mean 'security-official'?"
    ],
    "framework_typo_referenced.yaml": [
        "5: frameworks[0]: unknown framework 'hipaa-securty'; did you mean 'hipaa-security'?"
    ],
    "model.yaml": ["5: model: unknown model 'co-manged'; did you mean 'co-managed'?"],
    "framework.yaml": ["4: frameworks[1]: unknown framework 'pci-dss4'; did you mean 'pci-dss-4'?"],
    "provider_none_defined.yaml": [
        "12: splits[0].provider: unknown provider 'vaultbox'; none are defined"
    ],
    "provider_without_name_referenced.yaml": [
        "12: providers[0](acme).name: required field is missing; add it"
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_case_gives_exactly_its_messages_in_one_run(
    invoke: Callable[..., Result], name: str
) -> None:
    path = ONCE / name
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"Error: {path}:{line}" for line in CASES[name]]


def test_every_fixture_has_a_case_and_says_its_defect() -> None:
    assert {p.name for p in ONCE.iterdir()} == set(CASES)
    for path in ONCE.iterdir():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# One defect: ") or path.name == "cascade.yaml", path.name


def test_the_cascade_once_fixed_validates(invoke: Callable[..., Result], tmp_path: Path) -> None:
    # the four lines are the whole story: fixing them leaves a valid profile
    text = (ONCE / "cascade.yaml").read_text(encoding="utf-8")
    fixed = (
        text.replace("    locations: [Main office imaging server]\n", "")
        .replace("    type: acknowledgement\n", "")
        .replace("patching]", "patch-management]")
        .replace("pci-dss-4:12.8.9", "pci-dss-4:12.8.4")
    )
    path = tmp_path / "fixed.yaml"
    path.write_text(fixed, encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("value", "known", "expected"),
    [
        ("patching", ["patch-management", "help-desk", "governance"], ["patch-management"]),
        ("monitoring", ["security-monitoring", "help-desk"], ["security-monitoring"]),
        ("helpdesk", ["help-desk", "governance"], ["help-desk"]),
        ("Help-Desk", ["help-desk"], ["help-desk"]),
        ("locations", ["functions", "frameworks"], []),
        ("zzz", ["help-desk"], []),
    ],
)
def test_suggest_finds_near_misses_and_nothing_far(
    value: str, known: list[str], expected: list[str]
) -> None:
    assert suggest(value, known) == expected


def test_word_matches_come_most_similar_first() -> None:
    known = ["aaa-recovery-testing-long", "backup-recovery"]
    assert suggest("recovery", known) == ["backup-recovery", "aaa-recovery-testing-long"]


def test_a_known_list_is_never_printed_empty() -> None:
    assert hint("x", []) == "none are defined"
    assert unknown("provider", "x", {}) == "unknown provider 'x'; none are defined"
    many = [f"id-{i:02}" for i in range(30)]
    assert hint("zzz", many).endswith("(and 18 more)")


def test_a_set_of_ids_gives_the_same_hint_every_time() -> None:
    ids = {"12.8.1", "12.8.2", "12.8.3", "12.8.4", "12.8.5", "12.9"}
    assert hint("12.8.9", ids, nearest=True) == NEAREST_12_8


def test_hints_over_a_20000_control_catalog_stay_cheap() -> None:
    # "did you mean" scores a bounded window of candidates: one linear pass per unknown id
    ids = [f"{a}.{b}.{c}" for a in range(1, 41) for b in range(1, 26) for c in range(1, 21)]
    assert len(ids) == 20_000
    start = time.perf_counter()
    for probe in ("12.8.99", "40.25.21", "7.7.x", "zz-top"):
        unknown("control of big", probe, ids, nearest=True)
        unknown("control of big", probe, ids)
    assert time.perf_counter() - start < 2.0
    assert hint("12.8.99", ids, nearest=True) == "did you mean '12.8.9'?"


def test_a_catalog_fact_near_miss_is_suggested() -> None:
    from pydantic import ValidationError

    from ctrlmap.models import Control

    with pytest.raises(ValidationError, match="unknown fact 'hipa'; did you mean 'hipaa'"):
        Control.model_validate(
            {
                "id": "T-1",
                "title": "t",
                "summary": "s",
                "citation": "c",
                "kind": "standard",
                "level": "required",
                "applies_if": {"hipa": ["covered-entity"]},
            }
        )


BASE = """organization:
  name: Minimal Clinic
frameworks: [hipaa-security]
model: co-managed
internal:
  - id: pat
    name: Pat Doe
    functions: [governance, network-administration]
providers:
  - id: acme
    name: Acme IT
    functions: [security-monitoring]
"""
PATCHING = BASE.replace("[security-monitoring]", "[patching]")
UNKNOWN_PATCHING = (
    "providers[0](acme).functions[0]: unknown function 'patching'; did you mean 'patch-management'?"
)

SALVAGE = {
    # a schema problem anywhere, and the reference problem beside it, in one run
    "missing_model": (
        PATCHING.replace("model: co-managed\n", ""),
        ["1: model: required field is missing; add it", f"11: {UNKNOWN_PATCHING}"],
    ),
    "frameworks_not_a_list": (
        PATCHING.replace("[hipaa-security]", "5"),
        ["3: frameworks: expected text; quote the value", f"12: {UNKNOWN_PATCHING}"],
    ),
    "organization_not_a_mapping": (
        PATCHING.replace("organization:\n  name: Minimal Clinic\n", "organization: [x]\n"),
        ["1: organization: expected a mapping of keys to values", f"11: {UNKNOWN_PATCHING}"],
    ),
    "bad_person_id_is_still_known": (
        BASE.replace("    name: Acme IT\n", "    name: Acme IT\n    backup: bad id\n").replace(
            "  - id: pat\n", "  - id: bad id\n"
        ),
        [
            "6: internal[0](bad id).id: use letters, digits, '.', '_' and '-' only, starting "
            "with a letter or digit",
            "12: providers[0](acme).backup: unknown key; allowed keys are id, name, agreement, "
            "url, functions, after_hours, on_site, baa, pci_acknowledgement, last_reviewed, "
            "independent, frameworks, baa_expires, safeguards_terms",
        ],
    ),
    "a_person_with_a_bad_value_is_still_a_backup": (
        BASE.replace(
            "  - id: pat\n    name: Pat Doe\n",
            "  - id: pat\n    name: Pat Doe\n    backup: zed\n  - id: zed\n    name: Zed\n"
            "    after_hours: sometimes\n",
        ),
        [
            "11: internal[1](zed).after_hours: expected true or false, unquoted (yes, no, on and "
            "off are text, not booleans)"
        ],
    ),
    "milestone_and_owner": (
        BASE
        + "remediation:\n  - finding: GAP-7K3QX2\n    milestones: [{date: 2026-12-01}]\n"
        + "  - finding: GAP-7K3QX3\n    owner: patt\n",
        [
            "15: remediation[0].milestones[0].text: required field is missing; add it",
            "17: remediation[1].owner: unknown person or provider 'patt'; did you mean 'pat'?",
        ],
    ),
    "designation_without_holder": (
        BASE + "designations:\n  security-official: {overseer: pat}\n  ciso: {holder: acmee}\n",
        [
            "14: designations.security-official.holder: required field is missing; add it",
            "15: designations.ciso.holder: unknown person or provider 'acmee'; "
            "did you mean 'acme'?",
        ],
    ),
    "bad_date_and_unknown_control_in_one_entry": (
        BASE + "evidence:\n  - control: hipaa-security:164.312(z)\n    reference: r\n"
        "    reviewed: 2026-13-01\n",
        [
            "16: evidence[0](hipaa-security:164.312(z)).reviewed: not a valid date (no such day); "
            "write it as YYYY-MM-DD",
            "14: evidence[0](hipaa-security:164.312(z)).control: unknown control of "
            "hipaa-security '164.312(z)'; did you mean one of '164.312(b)', '164.312(d)', "
            "'164.312(a)(1)', '164.312(c)(1)', '164.312(c)(2)'?",
        ],
    ),
    "override_that_contradicts_itself_and_one_that_names_a_typo": (
        BASE + "overrides:\n  - control: hipaa-security:164.312(b)\n    owner: internal\n"
        "    responsible: [acme]\n    reason: r\n  - control: hipaa-security:164.312(d)\n"
        "    owner: provider\n    provider: acne\n",
        [
            "14: overrides[0](hipaa-security:164.312(b)): owner internal contradicts "
            "responsible ['acme'] (that is provider); give one of them, or make them agree",
            "18: overrides[1](hipaa-security:164.312(d)).reason: required field is missing; add it",
            "20: overrides[1](hipaa-security:164.312(d)).provider: unknown provider 'acne'; "
            "did you mean 'acme'?",
        ],
    ),
    "a_section_that_is_not_a_list": (
        BASE + "splits: 5\nhandoffs:\n  - from: acne\n    to: internal\n    agreement: x\n",
        [
            "13: splits: expected a list, e.g. [a, b]",
            "15: handoffs[0].from: unknown party 'acne'; did you mean 'acme'? (a party is "
            "'internal' or a provider id)",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(SALVAGE))
def test_a_schema_problem_hides_no_reference_problem_and_adds_none(
    invoke: Callable[..., Result], tmp_path: Path, name: str
) -> None:
    text, expected = SALVAGE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [f"Error: {path}:{line}" for line in expected]


def _mutations() -> Any:
    junk = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.sampled_from(["", "x", "patching", "GAP-7K3QX2", "2026-13-01", "acme", "pat"]),
        st.lists(st.sampled_from(["x", "acme", "governance"]), max_size=2),
        st.dictionaries(st.sampled_from(["id", "name", "type"]), st.just("x"), max_size=2),
    )
    return st.lists(st.tuples(st.integers(0, 10_000), junk, st.booleans()), min_size=1, max_size=3)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=_mutations())
def test_any_broken_profile_gives_problems_never_a_crash(
    lib: Library, tmp_path: Path, changes: list[tuple[int, Any, bool]]
) -> None:
    data = read_document(EXAMPLES / "mortgage-lender.yaml").data
    for pick, value, as_key in changes:
        paths = [p for p in _paths(data) if p]
        path = paths[pick % len(paths)]
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if as_key and isinstance(parent, dict):
            parent[f"{path[-1]}x"] = value
        else:
            parent[path[-1]] = value
    target = tmp_path / "mutated.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    try:
        load_profile(target, lib)
    except InputError as exc:
        lines = exc.lines()
        assert lines and len(lines) == len(set(lines))  # each problem once
        assert not any(line.endswith("known: ") for line in lines)
