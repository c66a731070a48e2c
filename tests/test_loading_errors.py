"""A profile's bad references: each defect exits 2 with one line naming the file, field and fix.

Each fixture of tests/data/bad-profiles/ is the minimal profile with exactly one defect (its first
line says which). They live beside tests/data/bad/ rather than in it, so that the inventory test
of tests/test_loading.py keeps covering exactly its own fixtures.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result

from ctrlmap.errors import InputError
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from tests.conftest import DATA

BAD = DATA / "bad-profiles"

CASES = {
    # fixture: (line, field, the text of the message that says what is wrong and the fix)
    "framework_listed_twice.yaml": (4, "frameworks", "a framework is listed twice; list each once"),
    "own_backup.yaml": (10, "internal[0](pat).backup", "a person cannot be their own backup"),
    "unknown_backup.yaml": (
        10,
        "internal[0](pat).backup",
        "unknown person or provider 'acmee'; did you mean 'acme'?",
    ),
    "overseer_not_internal.yaml": (
        15,
        "designations.security-official.overseer",
        "unknown internal person 'acme'; known: pat (the overseer must be one of the "
        "organization's own people)",
    ),
    "designation_unknown_key.yaml": (
        15,
        "designations.security-official.oversear",
        "unknown key; did you mean 'overseer'?",
    ),
    "provider_with_internal_owner.yaml": (
        17,
        "overrides[0](hipaa-security:164.312(b)).provider",
        "a provider is named but owner is internal; drop the provider or change the owner",
    ),
    "unknown_accountable.yaml": (
        16,
        "overrides[0](hipaa-security:164.312(b)).accountable",
        "unknown party 'acne'; did you mean 'acme'? (a party is 'internal' or a provider id)",
    ),
    "unknown_informed.yaml": (
        18,
        "overrides[0](hipaa-security:164.312(b)).informed[1]",
        "unknown party 'acne'; did you mean 'acme'? (a party is 'internal' or a provider id)",
    ),
    "duplicate_override.yaml": (
        15,
        "overrides[0](hipaa-security:164.312(b)).control",
        "'hipaa-security:164.312(b)' has more than one override; merge them into one",
    ),
    "split_unknown_function.yaml": (
        15,
        "splits[0].function",
        "unknown function 'security-monitorng'; did you mean 'security-monitoring'?",
    ),
    "split_unknown_provider.yaml": (
        16,
        "splits[0].provider",
        "unknown provider 'acne'; did you mean 'acme'?",
    ),
    "split_without_provider.yaml": (
        18,
        "splits[0].provider",
        "the profile has several providers; name the one this split is with",
    ),
    "handoff_unknown_party.yaml": (
        15,
        "handoffs[0].from",
        "unknown party 'acne'; did you mean 'acme'? (a party is 'internal' or a provider id)",
    ),
    "handoff_to_itself.yaml": (
        16,
        "handoffs[0].to",
        "a hand-off goes between two different parties",
    ),
    "handoff_unknown_function.yaml": (
        17,
        "handoffs[0].from_function",
        "unknown function 'security-monitorng'; did you mean 'security-monitoring'?",
    ),
    "control_without_catalog.yaml": (
        15,
        "evidence[0](164.312(b)).control",
        "write the control as a global key '<catalog>:164.312(b)', e.g. 'hipaa-security:164.312(b)'",
    ),
    "control_unknown_catalog.yaml": (
        15,
        "evidence[0](hipaa-securty:164.312(b)).control",
        "unknown catalog 'hipaa-securty'; did you mean 'hipaa-security'?",
    ),
    "control_out_of_scope.yaml": (
        15,
        "overrides[0](pci-dss-4:10.2.1).control",
        "'pci-dss-4:10.2.1' belongs to a framework the profile does not list; add the framework "
        "or remove this entry",
    ),
}

SEVERAL_LINES = {
    # fixtures whose one defect is reported on more than one line, each checked by its own test
    "dotted_key.yaml",
    "applicability_not_a_choice.yaml",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_reference_exits_2_naming_the_file_the_field_and_the_fix(
    invoke: Callable[..., Result], name: str
) -> None:
    path = BAD / name
    line, field, text = CASES[name]
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [f"Error: {path}:{line}: {field}: {text}"]


def test_every_fixture_has_a_case() -> None:
    assert {p.name for p in BAD.iterdir()} == set(CASES) | SEVERAL_LINES


def test_each_fixture_says_its_one_defect() -> None:
    for path in BAD.iterdir():
        assert path.read_text(encoding="utf-8").startswith("# One defect: "), path.name


def test_two_overrides_of_one_control_are_one_problem(lib: Library) -> None:
    path = BAD / "duplicate_override.yaml"
    with pytest.raises(InputError) as caught:
        load_profile(path, lib)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == (str(path), 15)
    assert problem.field == "overrides[0](hipaa-security:164.312(b)).control"
    assert "merge them into one" in problem.message


def test_reference_problems_name_the_file_given_as_name(lib: Library) -> None:
    with pytest.raises(InputError) as caught:
        load_profile(BAD / "split_unknown_provider.yaml", lib, name="clinic.yaml")
    assert caught.value.lines() == [
        "clinic.yaml:16: splits[0].provider: unknown provider 'acne'; did you mean 'acme'?"
    ]


def test_a_dotted_key_is_an_unknown_key_and_the_section_is_missing(
    invoke: Callable[..., Result],
) -> None:
    # The schema problems alone are reported: the rest of the profile is not checked against a
    # stand-in organization, since the dotted key would fail that check too.
    path = BAD / "dotted_key.yaml"
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}:2: organization: required field is missing; add it",
        f"Error: {path}:2: organization.name: unknown key; did you mean 'organization'?",
    ]


def test_a_single_applicability_value_that_is_not_a_choice_names_the_choices(
    invoke: Callable[..., Result],
) -> None:
    path = BAD / "applicability_not_a_choice.yaml"
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    first = result.stderr.strip().splitlines()[0]
    assert first == (
        f"Error: {path}:7: applicability.hipaa: must be 'covered-entity' or 'business-associate'; "
        "did you mean 'covered-entity'?"
    )


def test_a_single_applicability_value_that_is_not_a_choice_is_one_problem(
    invoke: Callable[..., Result],
) -> None:
    path = BAD / "applicability_not_a_choice.yaml"
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
