"""The whole process on real OSCAL data, against compliance-trestle parsing the same catalog.

ctrlmap: load NIST SP 800-53 rev. 5 (OSCAL JSON) and resolve the LOW baseline profile against it,
assign a small organization's controls, find the gaps and render the assignment and the gaps as
JSON. compliance-trestle (when installed): parse the same catalog file into its OSCAL models,
which is where its own commands start. Each figure is the median of several runs in this one
process, the three kinds of run interleaved so that each sees the same machine:

- cold: an empty parsed-catalog cache, as on a first run (every file parsed and converted, the
  built-in YAML catalogs too, and the cache written);
- OSCAL cold: the built-in catalogs cached, the OSCAL files not (as the figure before the OSCAL
  cache was measured: a first run on a new catalog or profile);
- warm: the cache a previous run left (the files are still read and hashed, the cache entries
  checked, the catalogs validated and the library's references checked).

The caches are temporary folders of the bench's own, never the user's. The 1.0x target is judged
on the warm figure; the cold one is printed beside it. Exit 1 when the warm ratio is over 1.0.

Run from the repository root: `.venv/bin/python bench/oscal_bench.py [--runs N] [--oscal DIR]`
(DIR holds the two NIST files; by default ../shared/data/oscal beside the checkout).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
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
CATALOG_NAME = "NIST_SP-800-53_rev5_catalog_v5.0.1.json"
LOW_NAME = "NIST_SP-800-53_rev5_LOW-baseline_profile.json"
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


STAGES = ("load + resolve", "assign", "gaps", "render JSON")


def ctrlmap_process(folder: Path) -> tuple[dict[str, float], str]:
    """One whole run, stage by stage (seconds), and the JSON it rendered."""
    catalog, low = folder / CATALOG_NAME, folder / LOW_NAME
    cpu = time.process_time()
    marks = [time.perf_counter()]
    lib = load_library([str(catalog), f"{LOW_ID}={low}"])
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
    out = {name: marks[i + 1] - marks[i] for i, name in enumerate(STAGES)}
    out["total"] = marks[-1] - marks[0]
    out["cpu"] = time.process_time() - cpu
    return out, text


def trestle_parse(catalog: Path) -> object:
    """compliance-trestle reading the same catalog file into its pydantic OSCAL models."""
    from trestle.oscal.catalog import Catalog

    parsed = Catalog.oscal_read(catalog)
    assert parsed is not None
    return parsed


def seconds(func: Callable[[], object]) -> float:
    """The wall time of one call."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def both(func: Callable[[], object]) -> dict[str, float]:
    """The wall time and the processor time of one call (on a shared machine the processor
    time is the steadier figure: it leaves out the time spent waiting for a core)."""
    cpu, start = time.process_time(), time.perf_counter()
    func()
    return {"total": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def in_cache(folder: str, func: Callable[[], Any]) -> Any:
    """Run with the parsed-catalog cache in this folder."""
    os.environ.pop("CTRLMAP_NO_CACHE", None)
    os.environ["CTRLMAP_CACHE_DIR"] = folder
    return func()


def median(runs: list[dict[str, float]], stage: str) -> float:
    return statistics.median(run[stage] for run in runs)


def main() -> int:
    """Time cold, warm and trestle, interleaved, and print the figures and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (median taken)")
    parser.add_argument(
        "--oscal", type=Path, default=OSCAL, help=f"folder of the NIST files (default {OSCAL})"
    )
    args = parser.parse_args()
    folder: Path = args.oscal
    catalog = folder / CATALOG_NAME
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {args.runs} runs")
    print(f"catalog: {catalog.name} ({catalog.stat().st_size / 1e6:.1f} MB); profile: {LOW_NAME}")
    has_trestle = importlib.util.find_spec("trestle") is not None

    with tempfile.TemporaryDirectory(prefix="ctrlmap-bench-") as scratch:
        warm_cache = os.path.join(scratch, "warm")
        builtins_cache = os.path.join(scratch, "builtins")
        # Warm-up: imports, pydantic model building; and the warm runs' cache filled once.
        _, expected = in_cache(warm_cache, lambda: ctrlmap_process(folder))
        in_cache(builtins_cache, load_library)
        if has_trestle:
            trestle_parse(catalog)
        cold: list[dict[str, float]] = []
        oscal_cold: list[dict[str, float]] = []
        warm: list[dict[str, float]] = []
        builtin: list[float] = []
        parse: list[dict[str, float]] = []
        for run in range(args.runs):
            stages, text = in_cache(
                os.path.join(scratch, f"cold-{run}"), lambda: ctrlmap_process(folder)
            )
            assert text == expected, "a cold run rendered other output"
            cold.append(stages)
            fresh = shutil.copytree(builtins_cache, os.path.join(scratch, f"oscal-cold-{run}"))
            stages, text = in_cache(str(fresh), lambda: ctrlmap_process(folder))
            assert text == expected, "an OSCAL-cold run rendered other output"
            oscal_cold.append(stages)
            stages, text = in_cache(warm_cache, lambda: ctrlmap_process(folder))
            assert text == expected, "a warm run rendered other output than a cold one"
            warm.append(stages)
            builtin.append(in_cache(warm_cache, lambda: seconds(load_library)))
            if has_trestle:
                parse.append(both(lambda: trestle_parse(catalog)))

    controls = len(
        load_library([str(catalog), f"{LOW_ID}={folder / LOW_NAME}"]).catalogs[LOW_ID].controls
    )
    print(f"ctrlmap: load 800-53 + resolve LOW ({controls} controls), assign, gaps, render JSON:")
    for name, runs in (
        ("cold (empty cache)", cold),
        ("OSCAL cold (built-ins cached)", oscal_cold),
        ("warm (cache filled)", warm),
    ):
        stages = ", ".join(f"{stage} {median(runs, stage):.3f}" for stage in STAGES)
        print(
            f"  {name}: {median(runs, 'total'):.3f} s, cpu {median(runs, 'cpu'):.3f} s ({stages})"
        )
    print(f"  (warm, of which the built-in catalogs alone: {statistics.median(builtin):.3f} s)")
    if not has_trestle:
        print("compliance-trestle: not installed (pip install compliance-trestle); no ratio")
        return 0
    from importlib.metadata import version

    theirs, theirs_cpu = median(parse, "total"), median(parse, "cpu")
    print(
        f"compliance-trestle {version('compliance-trestle')}: parse the catalog: "
        f"{theirs:.3f} s, cpu {theirs_cpu:.3f} s"
    )
    kinds = (("cold", cold), ("OSCAL cold", oscal_cold), ("warm", warm))
    for label, key, base in (("wall", "total", theirs), ("cpu", "cpu", theirs_cpu)):
        print(
            f"ratio ({label}), ctrlmap whole process / trestle parse only: "
            + ", ".join(f"{name} {median(runs, key) / base:.2f}" for name, runs in kinds)
        )
    warm_ratio = median(warm, "total") / theirs
    met = warm_ratio <= 1.0
    print(f"target (at most 1.0x, on the warm wall figure): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
