"""Validation reports every problem once: one pass, no knock-on errors, a "did you mean" for
every closed vocabulary (issue 15, item 5).

Each fixture of tests/data/once/ has one defect (its first line says which), except
`cascade.yaml`, the issue's case, which holds four; each test pins the exact, full set of lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from click.testing import Result

from ctrlmap.load.problems import hint, suggest, unknown
from tests.conftest import DATA

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


def test_the_cascade_once_fixed_validates(invoke: Callable[..., Result], tmp_path: object) -> None:
    # the four lines are the whole story: fixing them leaves a valid profile
    text = (ONCE / "cascade.yaml").read_text(encoding="utf-8")
    fixed = (
        text.replace("    locations: [Main office imaging server]\n", "")
        .replace("    type: acknowledgement\n", "")
        .replace("patching]", "patch-management]")
        .replace("pci-dss-4:12.8.9", "pci-dss-4:12.8.4")
    )
    path = tmp_path / "fixed.yaml"  # type: ignore[operator]
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
