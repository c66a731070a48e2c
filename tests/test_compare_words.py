"""What a compliance officer reads in `compare` and `assign --explain`: decisions are not moves,
every take-over says from whom, controls name their framework, the gap count says what it means,
and prose names parties and models rather than giving their ids."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from click.testing import Result

from tests.conftest import EXAMPLES

AS_OF = ("--as-of", "2026-12-01")
DENTAL = str(EXAMPLES / "dental-group.yaml")
CLINIC = str(EXAMPLES / "clinic.yaml")
CREDIT_UNION = str(EXAMPLES / "credit-union.yaml")
DECIDE = "To decide: no agreement covers it yet (settled in phase 1, nothing moves)"


def compare(invoke: Callable[..., Result], path: str, fmt: str = "table") -> str:
    result = invoke("compare", path, *AS_OF, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def sections(table: str) -> dict[str, list[str]]:
    """The change tables of compare's text output: heading -> each row's phase."""
    found: dict[str, list[str]] = {}
    head = table.split("\nGaps\n")[0].split("\nTransition plan\n")[0]
    for block in head.split("\n\n")[1:]:
        lines = block.splitlines()
        title = re.sub(r" \(\d+\)$", "", lines[0])
        found[title] = [re.split(r"\s{2,}", row)[-2] for row in lines[3:]]
    return found


def test_a_change_the_plan_decides_in_phase_1_is_not_shown_as_a_move(
    invoke: Callable[..., Result],
) -> None:
    out = compare(invoke, DENTAL)
    groups = sections(out)
    assert DECIDE in groups and set(groups[DECIDE]) == {"1"}
    for title, phases in groups.items():
        if title != DECIDE:
            assert "1" not in phases, f"{title} lists a control the plan only decides"
    assert "From the organization to a provider" not in groups
    assert (
        "4 of 130 applicable controls move, 48 wait on a decision in phase 1, 78 untouched" in out
    )
    data = json.loads(compare(invoke, DENTAL, "json"))
    moving = {k for p in data["phases"] for k in p["controls"]}
    decided = {c["control"] for c in data["changes"] if c["decision"]}
    assert decided and not decided & moving
    assert {c["control"] for c in data["changes"]} - decided == moving
    assert data["summary"]["moved"] == len(moving) and data["summary"]["decisions"] == 48
    for fmt in ("md", "html"):
        assert DECIDE in compare(invoke, DENTAL, fmt)


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_every_take_over_says_whom_it_comes_from(
    invoke: Callable[..., Result], example: str
) -> None:
    data = json.loads(compare(invoke, str(EXAMPLES / f"{example}.yaml"), "json"))
    for phase in data["phases"]:
        if phase["kind"] == "move":
            title = phase["title"].split(": ")[0]
            assert " from " in title or " in place of " in title, phase["title"]


def test_the_credit_union_takes_endpoints_back_from_its_provider(
    invoke: Callable[..., Result],
) -> None:
    out = compare(invoke, CREDIT_UNION)
    assert (
        "Phase 4: The organization takes back a share of endpoints and patching from Keystone "
        "Managed Services: endpoint management"
    ) in out
    assert "Phase 2: Harbor Managed IT takes over endpoints and patching from the organization" in (
        compare(invoke, CLINIC)
    )


def test_a_table_of_several_frameworks_names_each_controls_framework(
    invoke: Callable[..., Result],
) -> None:
    out = compare(invoke, DENTAL)
    head = out.split("\nGaps\n")[0]
    assert "Payment Card Industry Data Security Standard (PCI DSS): 2.2.2 " in head
    assert "HIPAA Security Rule: 164.312(a)(2)(ii) " in head
    assert not re.search(r"^2\.2\.2 ", head, re.M), "a PCI DSS id without its framework"


@pytest.mark.parametrize("fmt", ["table", "md", "html", "json"])
def test_the_gap_count_says_what_it_means_next_to_it(
    invoke: Callable[..., Result], fmt: str
) -> None:
    out = compare(invoke, DENTAL, fmt)
    note = (
        "All 44 gaps that open are work nobody would do under Fully managed IT until the "
        "organization contracts a provider for it or decides to keep it in house (phase 1): "
        "risk assessment, asset management, access management, change management, network "
        "administration, application security, data protection and on-site support for 62 "
        "controls, which Fully managed IT gives to a provider no agreement covers."
    )
    if fmt == "json":
        assert json.loads(out)["summary"]["gaps_note"] == note
        return
    assert note in out
    if fmt == "table":
        lines = out.splitlines()
        assert "gaps 17 -> 59" in lines[1] and lines[2] == note


def test_no_note_when_the_target_leaves_no_work_untaken(invoke: Callable[..., Result]) -> None:
    data = json.loads(compare(invoke, CREDIT_UNION, "json"))
    assert data["summary"]["gaps_note"] == "" and data["summary"]["decisions"] == 0


def test_explain_names_the_model_parties_and_people(invoke: Callable[..., Result]) -> None:
    key = "hipaa-security:164.308(a)(7)(ii)(A)"
    result = invoke("assign", CLINIC, "--explain", key)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "model Co-managed IT; owner provider"
    assert lines[2] == "R Harbor Managed IT; A Riverside Family Clinic (Sam Lee); C -; I -"
    for ident in ("co-managed", "internal", "harbor", "(sam)"):
        assert ident not in "\n".join(lines[1:3])
    data = json.loads(invoke("assign", CLINIC, "--explain", key, "--format", "json").stdout)
    assert data["model"] == "co-managed" and data["assignment"]["raci"]["accountable"] == "internal"
    assert data["names"]["harbor"] == "Harbor Managed IT"
