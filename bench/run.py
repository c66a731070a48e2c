"""Run every benchmark and print the figures the README records (`make bench`).

The command-line figures are whole processes of this checkout's ctrlmap (`python -m ctrlmap`
with the checkout first on the import path), medians of 5; `ctrlmap --help` is set against
`trestle --help` (compliance-trestle's start-up) and must take at most 0.2 of it (exit 1 if not).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REGULATORY, generated_catalog, generated_profiles, median_time, timed
from ctrlmap.assessment.assign import assign_owners
from ctrlmap.assessment.pipeline import assess
from ctrlmap.load.catalogs import load_library

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 28)


def ctrlmap_command(*args: str) -> list[str]:
    """The command line that runs this checkout's ctrlmap (not whichever one is installed)."""
    return [sys.executable, "-m", "ctrlmap", *args]


def checkout_env() -> dict[str, str]:
    """The environment with this checkout first on the import path."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def process_seconds(command: list[str]) -> float:
    """The median wall time of 5 whole runs of a command, as a user feels them."""

    def run() -> None:
        subprocess.run(command, cwd=ROOT, check=False, capture_output=True, env=checkout_env())

    return median_time(run)


def help_startup() -> bool:
    """`ctrlmap --help` against `trestle --help`, whole processes, medians of 5 (target: 0.2x)."""
    ours = process_seconds(ctrlmap_command("--help"))
    print(f"cli: ctrlmap --help: {ours:.3f} s (median of 5)")
    trestle = Path(sys.executable).parent / "trestle"
    if not trestle.exists():
        print("cli: trestle --help: not installed (pip install compliance-trestle); no ratio")
        return True
    theirs = process_seconds([str(trestle), "--help"])
    ratio = ours / theirs
    met = ratio <= 0.2
    print(
        f"cli: trestle --help: {theirs:.3f} s (median of 5); ratio {ratio:.2f} "
        f"(target at most 0.20: {'met' if met else 'NOT met'})"
    )
    return met


def cli_startup() -> None:
    """Wall time of whole `ctrlmap` runs, as a user feels them."""
    for args in (
        ["frameworks", "list"],
        ["assign", "examples/clinic.yaml"],
        ["gaps", "examples/mortgage-lender.yaml", "--as-of", "2026-11-28"],
    ):
        took = process_seconds(ctrlmap_command(*args))
        print(f"cli: ctrlmap {' '.join(args)}: {took:.3f} s (median of 5)")


def assignment() -> None:
    """Assigning every built-in catalog for 1,000 generated profiles."""
    lib = load_library()
    profiles = generated_profiles(lib, 1000)
    controls = sum(len(lib.catalogs[f].controls) for f in REGULATORY)
    start = time.perf_counter()
    for profile in profiles:
        assign_owners(profile, lib)
    took = time.perf_counter() - start
    print(
        f"assign: 1,000 profiles x {controls} controls ({len(REGULATORY)} catalogs): {took:.2f} s, "
        f"{took / 1000 * 1000:.2f} ms per profile"
    )


def graph_and_gaps() -> None:
    """Graph and gap analysis on all built-in catalogs and on a generated 2,000-control catalog."""
    lib = load_library()
    start = time.perf_counter()
    _ = lib.graph
    print(
        f"graph: build over every built-in catalog ({lib.graph.number_of_nodes()} nodes, "
        f"{lib.graph.number_of_edges()} edges): {time.perf_counter() - start:.3f} s"
    )
    profile = generated_profiles(lib, 1, seed=3)[0]
    took, done = timed(lambda: assess(profile, lib, None, AS_OF))
    print(
        f"assess: all built-in catalogs ({len(done.assignment.assignments)} controls): {took:.3f} s, "
        f"{done.gaps.summary.total} findings"
    )

    catalog = generated_catalog(2000)
    big = dataclasses.replace(lib, catalogs={**lib.catalogs, "generated": catalog})
    start = time.perf_counter()
    _ = big.graph
    scope = big.scope(["generated"])
    print(
        f"graph: generated 2,000-control catalog ({scope.graph.number_of_edges()} edges), build and weights: "
        f"{time.perf_counter() - start:.3f} s"
    )
    gen_profile = generated_profiles(lib, 1, seed=5, frameworks=["generated"])[0]
    took, done = timed(lambda: assess(gen_profile, big, None, AS_OF))
    print(
        f"assess: generated 2,000-control catalog: {took:.3f} s, {done.gaps.summary.total} findings"
    )


def reporting() -> None:
    """Building and rendering the report of the largest example."""
    from ctrlmap.formats import render
    from ctrlmap.load.profiles import load_profile
    from ctrlmap.present.report import build_report

    lib = load_library()
    profile, doc = load_profile(ROOT / "examples" / "mortgage-lender.yaml", lib)

    def run(fmt: str) -> str:
        return render("report", fmt, build_report(assess(profile, lib, None, AS_OF), doc))

    run("html")  # compile the templates once
    controls = len(assess(profile, lib, None, AS_OF).assignment.assignments)
    for fmt in ("html", "md", "json"):
        took = median_time(lambda fmt=fmt: run(fmt))
        print(
            f"report: mortgage-lender ({controls} controls), assess, build and render {fmt}: "
            f"{took:.3f} s (median of 5)"
        )


if __name__ == "__main__":
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    met = help_startup()
    cli_startup()
    assignment()
    graph_and_gaps()
    reporting()
    sys.exit(0 if met else 1)
