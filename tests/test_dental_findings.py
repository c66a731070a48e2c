"""What a practitioner found false in the dental group's findings: each statement true to the profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ctrlmap.assessment.gaps.handoffs import missing_handoff  # noqa: F401 (rule registered)
from ctrlmap.assessment.parties import crossings
from ctrlmap.assessment.pipeline import Assessment, assess
from ctrlmap.load.library import Library
from ctrlmap.load.profiles import load_profile
from ctrlmap.models.results import Gap
from ctrlmap.present.report import build_report
from tests.conftest import EXAMPLES

AS_OF = dt.date(2026, 12, 1)


def dental(lib: Library, model: str | None = None) -> tuple[Assessment, Any]:
    profile, doc = load_profile(EXAMPLES / "dental-group.yaml", lib, "examples/dental-group.yaml")
    return assess(profile, lib, model, AS_OF), doc


def of(assessment: Assessment, rule: str) -> list[Gap]:
    return [g for g in assessment.gaps.gaps if g.rule == rule]


@pytest.mark.parametrize("model", [None, "fully-managed"])
def test_no_single_accountable_never_says_nobody_covers_governance(
    lib: Library, model: str | None
) -> None:
    """Maria Chen and Dr. Patel cover governance: a person can always be named here."""
    assessment, _ = dental(lib, model)
    found = of(assessment, "no-single-accountable")
    assert found
    for gap in found:
        assert "no internal person covers" not in gap.message, gap.message
        assert "nobody can be named" not in gap.message, gap.message


def test_no_single_accountable_with_no_provider_says_the_model_wants_one(lib: Library) -> None:
    """Fully managed, nobody is contracted for PCI DSS data protection: that is the reason."""
    assessment, _ = dental(lib, "fully-managed")
    pci = [g for g in of(assessment, "no-single-accountable") if "3.3.1" in g.message]
    assert pci
    assert "the model makes a provider Accountable" in pci[0].message
    assert "no provider does it for Payment Card" in pci[0].message


def test_no_single_accountable_asks_only_for_what_is_missing(lib: Library) -> None:
    """ChartCloud and VaultBox each have a backup-recovery split: only the Accountable is missing."""
    assessment, _ = dental(lib)
    (gap,) = [g for g in of(assessment, "no-single-accountable") if "chartcloud" in g.parties]
    assert "split" not in gap.remediation
    assert "which provider does which part" not in gap.remediation
    assert "override" in gap.remediation and "Accountable" in gap.remediation
    assert "documented" in gap.message or "split" in gap.message


def test_no_single_accountable_still_asks_for_a_missing_split(lib: Library) -> None:
    profile, _ = load_profile(EXAMPLES / "dental-group.yaml", lib, "examples/dental-group.yaml")
    splits = tuple(s for s in profile.splits if s.provider != "vaultbox")
    assessment = assess(profile.model_copy(update={"splits": splits}), lib, None, AS_OF)
    (gap,) = [g for g in of(assessment, "no-single-accountable") if "chartcloud" in g.parties]
    assert "VaultBox Offsite Backup" in gap.remediation and "split" in gap.remediation
    assert "ChartCloud EHR's" not in gap.remediation


def test_handoff_map_shows_only_crossings_the_findings_use(lib: Library) -> None:
    """Two providers sharing backup and recovery under splits hand nothing to each other."""
    assessment, doc = dental(lib)
    report = build_report(assessment, doc)
    pairs = {(link.from_party, link.to_party) for link in report.function_links}
    assert ("chartcloud", "vaultbox") not in pairs
    assert ("vaultbox", "chartcloud") not in pairs
    # and every missing link of the map is a pair some missing-handoff finding names
    named = {frozenset(g.parties) for g in of(assessment, "missing-handoff")}
    for link in report.function_links:
        if not link.documented:
            assert frozenset((link.from_party, link.to_party)) in named, link
    # the map's links are crossings by the one definition
    applicable = assessment.applicable
    crossed = set()
    for dependent, prerequisite, data in assessment.scope.graph.edges(data=True):
        a, b = applicable.get(dependent), applicable.get(prerequisite)
        if a is not None and b is not None and data.get("kind") != "parent":
            crossed.update(crossings(a, b))
    assert pairs <= crossed


def test_no_internal_capability_names_the_framework_another_provider_serves(
    lib: Library,
) -> None:
    """ChartCloud is contracted for data protection and application security, under HIPAA only."""
    assessment, _ = dental(lib)
    found = of(assessment, "no-internal-capability")
    assert {f for g in found for f in g.functions} >= {"data-protection", "application-security"}
    for gap in found:
        assert "no provider is contracted for it for Payment Card Industry Data Security " in (
            gap.message
        ), gap.message
