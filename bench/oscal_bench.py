"""The whole process on real OSCAL data, against compliance-trestle parsing the same catalog.

ctrlmap: load NIST SP 800-53 rev. 5 (OSCAL JSON) and resolve the LOW baseline profile against it,
assign a small organization's controls, find the gaps and render the assignment and the gaps as
JSON. compliance-trestle (when installed): parse the same catalog into its OSCAL models, which is
where its own commands start. Each figure is the median of several runs in this one process.

Run from the repository root: `.venv/bin/python bench/oscal_bench.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ctrlmap.assessment.assign import assign_all
from ctrlmap.assessment.context import Context
from ctrlmap.assessment.gaps import find_gaps
from ctrlmap.assessment.gaps.registry import Facts
from ctrlmap.formats import render
from ctrlmap.load.catalogs import load_library
from ctrlmap.models import Profile

ROOT = Path(__file__).resolve().parent.parent
OSCAL = ROOT.parent / "shared" / "data" / "oscal"
CATALOG = OSCAL / "NIST_SP-800-53_rev5_catalog_v5.0.1.json"
LOW = OSCAL / "NIST_SP-800-53_rev5_LOW-baseline_profile.json"
LOW_ID = "low"
AS_OF = dt.date(2026, 11, 28)

ORGANIZATION: dict[str, Any] = {
    "organization": {"name": "Bench Agency", "sector": "other"},
    "frameworks": [LOW_ID],
    "model": "co-managed",
    "internal": [
        {
            "id": "ada",
            "name": "Ada Park",
            "role": "IT Manager",
            "functions": [
                "governance",
                "access-management",
                "network-administration",
                "server-management",
                "change-management",
                "asset-management",
                "physical-security",
                "on-site-support",
            ],
            "backup": "msp",
        },
        {
            "id": "ben",
            "name": "Ben Ortiz",
            "role": "Compliance Officer",
            "functions": [
                "governance",
                "policy-documentation",
                "risk-assessment",
                "workforce-training",
                "vendor-management",
                "compliance-reporting",
                "regulatory-notification",
            ],
        },
    ],
    "providers": [
        {
            "id": "msp",
            "name": "Bench Managed IT",
            "agreement": "MSA 2026",
            "functions": [
                "security-monitoring",
                "patch-management",
                "vulnerability-management",
                "backup-recovery",
                "endpoint-management",
                "help-desk",
                "incident-response",
            ],
            "after_hours": True,
            "last_reviewed": "2026-06-01",
        },
        {
            "id": "audit",
            "name": "Bench Assurance",
            "agreement": "Engagement letter 2026",
            "functions": ["independent-assessment"],
            "independent": True,
            "last_reviewed": "2026-03-01",
        },
    ],
}
"""A small organization on the LOW baseline: two people, a managed-IT partner and an assessor."""


def ctrlmap_process() -> dict[str, float]:
    """One whole run, stage by stage: load and resolve, assign, gaps, render JSON (seconds)."""
    marks = [time.perf_counter()]
    lib = load_library([str(CATALOG), f"{LOW_ID}={LOW}"])
    marks.append(time.perf_counter())
    profile = Profile.model_validate(ORGANIZATION)
    context = Context.build(profile, lib.model(profile.model), lib)
    result = assign_all(context)
    marks.append(time.perf_counter())
    found = find_gaps(Facts.build(context, result, lib.scope(profile.frameworks), AS_OF))
    marks.append(time.perf_counter())
    text = render("assign", "json", result) + render("gaps", "json", found)
    marks.append(time.perf_counter())
    assert text and len(result.assignments) == len(lib.catalogs[LOW_ID].controls)
    stages = ("load + resolve", "assign", "gaps", "render JSON")
    out = {name: marks[i + 1] - marks[i] for i, name in enumerate(stages)}
    out["total"] = marks[-1] - marks[0]
    return out


def trestle_parse() -> object:
    """compliance-trestle reading the same catalog into its pydantic OSCAL models."""
    from trestle.oscal.catalog import Catalog

    catalog = Catalog.oscal_read(CATALOG)
    assert catalog is not None
    return catalog


def seconds(func: Callable[[], object]) -> float:
    """The wall time of one call."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    """Time both, interleaved so that both see the same machine, and print the figures and ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (median taken)")
    runs = parser.parse_args().runs
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {runs} runs")
    print(f"catalog: {CATALOG.name} ({CATALOG.stat().st_size / 1e6:.1f} MB); profile: {LOW.name}")
    has_trestle = importlib.util.find_spec("trestle") is not None

    # Warm-up: imports, pydantic model building, the built-in catalogs' parsed-YAML cache.
    ctrlmap_process()
    if has_trestle:
        trestle_parse()
    stage_runs: list[dict[str, float]] = []
    builtin: list[float] = []
    parse: list[float] = []
    for _ in range(runs):
        stage_runs.append(ctrlmap_process())
        builtin.append(seconds(load_library))
        if has_trestle:
            parse.append(seconds(trestle_parse))

    ours = statistics.median(r["total"] for r in stage_runs)
    controls = len(load_library([str(CATALOG), f"{LOW_ID}={LOW}"]).catalogs[LOW_ID].controls)
    print(
        f"ctrlmap: load 800-53 + resolve LOW ({controls} controls), assign, gaps, render JSON: "
        f"{ours:.3f} s"
    )
    for stage in ("load + resolve", "assign", "gaps", "render JSON"):
        print(f"  {stage}: {statistics.median(r[stage] for r in stage_runs):.3f} s")
    print(f"  (of which the built-in catalogs alone: {statistics.median(builtin):.3f} s)")
    if not has_trestle:
        print("compliance-trestle: not installed (pip install compliance-trestle); no ratio")
        return
    from importlib.metadata import version

    theirs = statistics.median(parse)
    print(f"compliance-trestle {version('compliance-trestle')}: parse the catalog: {theirs:.3f} s")
    print(f"ratio (ctrlmap whole process / trestle parse only): {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
