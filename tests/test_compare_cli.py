"""`ctrlmap compare`, `ctrlmap recommend` and `report --compare-to` through the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import EXAMPLES

CLINIC = str(EXAMPLES / "clinic.yaml")


@pytest.mark.parametrize("fmt", ["table", "json", "md", "html"])
def test_compare_renders_in_every_format(invoke: Callable[..., Result], fmt: str) -> None:
    result = invoke("compare", CLINIC, "--as-of", "2026-11-28", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert "Phase 1" in result.stdout or '"phase": 1' in result.stdout


def test_compare_json_contract(invoke: Callable[..., Result]) -> None:
    data = json.loads(invoke("compare", CLINIC, "--as-of", "2026-11-28", "--format", "json").stdout)
    assert data["schema"] == "ctrlmap/compare@1"
    assert (data["from"], data["to"]) == ("co-managed", "fully-managed")
    phases = data["phases"]
    assert [p["phase"] for p in phases] == list(range(1, len(phases) + 1))
    assert phases[0]["actions"] and not phases[0]["controls"]
    assert phases[-1]["actions"] and not phases[-1]["controls"]
    moving = [k for p in phases for k in p["controls"]]
    # work nobody is contracted for is decided in phase 1 and moves in no phase
    decided = [c for c in data["changes"] if c["phase"] == 1]
    assert len(moving) == len(set(moving)) == len(data["changes"]) - len(decided)


def test_compare_golden(invoke: Callable[..., Result], golden: Callable[[str, str], None]) -> None:
    golden(
        "clinic-compare.md",
        invoke("compare", CLINIC, "--as-of", "2026-11-28", "--format", "md").stdout,
    )


def test_compare_same_model_is_an_error(invoke: Callable[..., Result]) -> None:
    result = invoke("compare", CLINIC, "--to", "co-managed")
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")


def test_recommend_without_a_profile(invoke: Callable[..., Result]) -> None:
    result = invoke(
        "recommend",
        "--internal-staff",
        "0",
        "--control",
        "low",
        "--budget",
        "predictable",
        "--in-house-compliance",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["schema"] == "ctrlmap/recommend@1" and data["recommendation"] == "fully-managed"
    assert invoke("recommend", "--internal-staff", "-1").exit_code == 2


def test_recommend_reads_the_profile(invoke: Callable[..., Result]) -> None:
    result = invoke("recommend", CLINIC, "--as-of", "2026-11-28")
    assert result.exit_code == 0 and result.stdout.startswith("Recommendation: Co-managed IT")
    overridden = json.loads(
        invoke("recommend", CLINIC, "--internal-staff", "0", "--format", "json").stdout
    )
    assert "internal-staff" not in overridden["derived"]


def test_report_with_a_comparison_verifies(invoke: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "clinic.html"
    result = invoke(
        "report",
        CLINIC,
        "-o",
        str(target),
        "--as-of",
        "2026-11-28",
        "--compare-to",
        "fully-managed",
    )
    assert result.exit_code == 0
    page = target.read_text()
    assert '<section id="compare">' in page and "Transition plan" in page
    assert invoke("verify", str(target), CLINIC).exit_code == 0
