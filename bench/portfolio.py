"""`ctrlmap portfolio` over 1,000 and 2,000 generated clients: whole processes, medians of 5.

Targets: 1,000 clients in at most 10 s of wall time, 2,000 in at most 2.1 times the 1,000
figure (linear), peak memory at most 500 MB. The sizes take turns (1,000, 2,000, 1,000, ...),
so that a slow spell of a shared machine weighs on both alike. Memory is the largest resident set of any
process of the run (the parent or a worker), as `os.wait4` reports it for the process and the
workers it waited for, and the total of the whole process tree, sampled from /proc
(Linux) every quarter second. Exit 1 when a target is missed.

Then where the time goes: one worker's share of the work, timed stage by stage in this process
(reading and validating a profile, assessing it, building its row, pickling the row), and with
`--cprofile` the functions that take the most of it.

Run from the repository root: `.venv/bin/python bench/portfolio.py [--sizes 1000 2000]
[--repeat 5] [--jobs N] [--cprofile]`.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.clients import AS_OF, client_profiles, write_clients

ROOT = Path(__file__).resolve().parent.parent
TARGET_1000 = 10.0
"""Seconds of wall time for 1,000 clients."""
LINEAR = 2.1
"""The most 2,000 clients may take, as a multiple of 1,000."""
MEMORY_MB = 500.0


@dataclass(frozen=True)
class Run:
    """One whole `ctrlmap portfolio` process."""

    wall: float
    cpu: float
    """User and system time of the process and its workers."""
    largest_mb: float
    tree_mb: float
    exit_code: int


def tree_rss_kb(root: int) -> int:
    """The resident memory of `root` and its descendants now, in KiB (0 where /proc is absent)."""
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("PPid:"):
                        parent[pid] = int(line.split()[1])
                    elif line.startswith("VmRSS:"):
                        rss[pid] = int(line.split()[1])
        except OSError:
            continue
    members, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parent.items():
            if ppid in members and pid not in members:
                members.add(pid)
                grew = True
    return sum(rss.get(pid, 0) for pid in members)


def run_once(folder: Path, out: Path, jobs: int | None) -> Run:
    """One `ctrlmap portfolio DIR --format json -o FILE` process, measured."""
    args = [sys.executable, "-m", "ctrlmap", "portfolio", str(folder), "--format", "json"]
    args += ["-o", str(out), "--as-of", AS_OF.isoformat()]
    args += ["--jobs", str(jobs)] if jobs else []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    tree = 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        tree = max(tree, tree_rss_kb(child.pid))
        time.sleep(0.25)  # reading /proc costs processor time the run would otherwise have
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"ctrlmap portfolio exited {code}: {child.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, tree / 1024, code)


def median_run(runs: Sequence[Run]) -> Run:
    """The medians of each figure."""
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        statistics.median(r.largest_mb for r in runs),
        statistics.median(r.tree_mb for r in runs),
        runs[0].exit_code,
    )


def stages(folder: Path, count: int, cprofile: bool) -> None:
    """One worker's work on `count` clients, stage by stage, in this process."""
    import datetime as dt

    from ctrlmap.analyse.portfolio import client_row, portfolio
    from ctrlmap.assessment.pipeline import assess
    from ctrlmap.formats import render
    from ctrlmap.load.catalogs import load_library
    from ctrlmap.load.profiles import load_profile

    start = time.perf_counter()
    lib = load_library()
    _ = lib.graph
    library = time.perf_counter() - start
    files = sorted(folder.glob("*.yaml"))[:count]
    spent = dict.fromkeys(("load", "assess", "row", "pickle"), 0.0)
    rows = []

    def work() -> None:
        for path in files:
            t0 = time.perf_counter()
            profile, _ = load_profile(path, lib)
            t1 = time.perf_counter()
            assessment = assess(profile, lib, as_of=dt.date.fromisoformat(AS_OF.isoformat()))
            t2 = time.perf_counter()
            row = client_row(assessment, str(path))
            t3 = time.perf_counter()
            pickle.dumps(row)
            t4 = time.perf_counter()
            rows.append(row)
            for key, took in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                spent[key] += took

    if cprofile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(work)
    else:
        work()
    t0 = time.perf_counter()
    text = render("portfolio", "json", portfolio(rows, AS_OF))
    merged = time.perf_counter() - t0
    total = sum(spent.values())
    print(f"\nWhere one worker's time goes ({len(files)} clients, in this process):")
    print(f"  load the library and build the graph once per process: {library:.2f} s")
    for key, label in (
        ("load", "read and validate the profile"),
        ("assess", "assess (scope, assign, gaps, tracking): the engine"),
        ("row", "build the portfolio row"),
        ("pickle", "pickle the row for the parent"),
    ):
        share = spent[key] / total * 100 if total else 0.0
        print(f"  {label}: {spent[key] / len(files) * 1000:.2f} ms per client ({share:.1f}%)")
    print(f"  merge and render the JSON of {len(files)} rows ({len(text):,} bytes): {merged:.3f} s")
    if cprofile:
        print("\nThe functions taking most of it (cumulative):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the clients, time the runs, print the table, check the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="default: ctrlmap's (the cores)")
    parser.add_argument("--stage-clients", type=int, default=100)
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args(argv)
    from ctrlmap.load.catalogs import load_library

    lib = load_library()
    results: dict[int, Run] = {}
    with tempfile.TemporaryDirectory(prefix="ctrlmap-portfolio-") as tmp:
        base = Path(tmp)
        profiles = client_profiles(lib, max(args.sizes))
        folders = {}
        for size in args.sizes:
            folders[size] = base / f"clients-{size}"
            write_clients(folders[size], profiles[:size])
            run_once(folders[size], base / "warm.json", args.jobs)  # the caches, the page cache
        # the sizes take turns, so that a slow spell of a shared machine slows each alike and
        # the ratio between them stays the code's
        runs: dict[int, list[Run]] = {size: [] for size in args.sizes}
        for _ in range(args.repeat):
            for size in args.sizes:
                runs[size].append(
                    run_once(folders[size], base / f"portfolio-{size}.json", args.jobs)
                )
        for size in args.sizes:
            results[size] = median_run(runs[size])
            walls = ", ".join(f"{r.wall:.2f}" for r in runs[size])
            print(f"{size} clients: wall {walls} s", file=sys.stderr)
        print(f"\nctrlmap portfolio DIR --format json, medians of {args.repeat} (jobs: "
              f"{args.jobs or os.cpu_count()}, {os.cpu_count()} cores)")  # fmt: skip
        print("| clients | wall | processor (all processes) | largest process | process tree |")
        print("|---|---|---|---|---|")
        for size, r in results.items():
            print(
                f"| {size:,} | {r.wall:.2f} s | {r.cpu:.2f} s | {r.largest_mb:.0f} MB | "
                f"{r.tree_mb:.0f} MB |"
            )
        stages(base / f"clients-{args.sizes[0]}", args.stage_clients, args.cprofile)
    missed = []
    if 1000 in results and results[1000].wall > TARGET_1000:
        missed.append(f"1,000 clients took {results[1000].wall:.2f} s (target {TARGET_1000:.0f} s)")
    if 1000 in results and 2000 in results:
        ratio = results[2000].wall / results[1000].wall
        print(f"\n2,000 / 1,000 clients: {ratio:.2f} (target at most {LINEAR})")
        if ratio > LINEAR:
            missed.append(f"2,000 clients took {ratio:.2f} times 1,000 (target {LINEAR})")
    for size, r in results.items():
        if r.largest_mb > MEMORY_MB:
            missed.append(f"{size:,} clients: a process peaked at {r.largest_mb:.0f} MB")
    for line in missed:
        print(f"MISSED: {line}")
    print("all targets met" if not missed else f"{len(missed)} target(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
