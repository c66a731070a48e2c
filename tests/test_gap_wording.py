"""How the gap rules' findings read to a compliance officer (ctrlmap/assessment/gaps/*).

Every shipped example, under its own model and under the other built-in one (what `compare`
shows): a message and the action of a remediation name functions, parties and frameworks by
their display names, never by their ids or the profile's YAML keys; how to record the fix in the
profile follows only after a labeled "In the profile:"; every sentence starts with a capital.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

import pytest
from click.testing import Result

from ctrlmap.assessment.pipeline import assess
from ctrlmap.load.library import Library
from ctrlmap.models import Profile
from ctrlmap.models.base import join_names, sentence
from tests.conftest import EXAMPLES as EXAMPLE_DIR

EXAMPLES = (
    "clinic",
    "cpa-firm",
    "credit-union",
    "dental-group",
    "investment-adviser",
    "law-firm",
    "mortgage-lender",
)
HINT = " In the profile: "
YAML_KEYS = re.compile(
    r"\b(handoffs|splits|designations|functions list|after_hours|on_site|last_reviewed|"
    r"baa_expires|safeguards_terms|internal_part|provider_part|independent: true|"
    r"backup: a person)\b"
)


def _texts(lib: Library, profile: Profile, model: str) -> list[tuple[str, str, str]]:
    found = assess(profile, lib, model, dt.date(2026, 12, 1), arrangement="target")
    own = assess(profile, lib, None, dt.date(2026, 12, 1))
    return [(g.id, g.message, g.remediation) for result in (found, own) for g in result.gaps.gaps]


@pytest.mark.parametrize("stem", EXAMPLES)
def test_findings_name_things_by_their_display_names(
    lib: Library, load_example: Callable[[str], Profile], stem: str
) -> None:
    profile = load_example(stem)
    other = "fully-managed" if profile.model == "co-managed" else "co-managed"
    ids = [f for f in lib.functions if "-" in f]
    ids += [p.id for p in profile.providers] + [p.id for p in profile.internal]
    ids += list(profile.frameworks)
    words = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    for ident, message, remediation in _texts(lib, profile, other):
        action = remediation.split(HINT)[0]
        for text in (message, action):
            assert not words.search(text), (ident, text)
            assert not YAML_KEYS.search(text), (ident, text)
            assert text[:1].isupper() or text[:1].isdigit(), (ident, text)
        assert remediation.count(HINT) <= 1, (ident, remediation)


def test_a_dental_self_assessment_names_both_parties_in_a_sentence(
    lib: Library, load_example: Callable[[str], Profile]
) -> None:
    profile = load_example("dental-group")
    found = assess(profile, lib, None, dt.date(2026, 12, 1))
    (gap,) = [g for g in found.gaps.gaps if g.rule == "self-assessment"]
    assert gap.message.startswith("The organization and Coastal IT Partners would do 11.4.5")
    assert "Payment Card Industry Data Security Standard" in gap.message
    assert gap.remediation.startswith("Commission an outside assessor")
    assert HINT in gap.remediation


def test_a_list_in_prose_joins_with_and() -> None:
    assert join_names([]) == ""
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B"]) == "A and B"
    assert join_names(["A", "B", "C"]) == "A, B and C"
    assert join_names(["A", "B"], "or") == "A or B"
    assert sentence("the organization does") == "The organization does"


def test_a_list_whose_items_hold_and_parts_them_with_a_serial_comma() -> None:
    services = [
        "the security program",
        "infrastructure",
        "identity and access",
        "security operations",
    ]
    assert join_names(services) == (
        "the security program, infrastructure, identity and access, and security operations"
    )
    assert join_names(["identity and access", "user support"]) == (
        "identity and access, and user support"
    )
    assert (
        join_names(["user support", "backup and recovery"])
        == "user support, and backup and recovery"
    )


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_the_gaps_listing_names_the_model_and_parties_not_their_ids(
    invoke: Callable[..., Result], fmt: str
) -> None:
    """`ctrlmap gaps` reads like the report: the model's title, and each finding's parties by
    name (the JSON and CSV keep the ids, and the JSON gives the names beside them)."""
    clinic = str(EXAMPLE_DIR / "clinic.yaml")
    result = invoke("gaps", clinic, "--as-of", "2026-12-01", "--format", fmt)
    assert result.exit_code in (0, 1), result.output
    text = result.stdout
    assert "Co-managed IT" in text and "model co-managed" not in text
    assert "Harbor Managed IT" in text
    assert "[internal" not in text and "| internal" not in text and "harbor," not in text
    data = json.loads(invoke("gaps", clinic, "--as-of", "2026-12-01", "--format", "json").stdout)
    assert data["names"]["harbor"] == "Harbor Managed IT"
    assert data["names"]["internal"] == "Riverside Family Clinic"
    assert {p for g in data["gaps"] for p in g["parties"]} == set(data["names"])
