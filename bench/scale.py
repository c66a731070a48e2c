"""How `gaps` and the HTML `report` grow with each input: catalog size, chain depth, people,
providers, overrides and unknown overrides, each at 1x, 2x and 4x (`make bench-scale`).

Every figure is one whole `ctrlmap` process (as a user runs it) on generated files: a user
catalog in a `--catalog-dir` and a profile. Each axis grows one input and keeps the others at
their base; the growth ratio is time(2x) / time(1x) and time(4x) / time(2x), so 2.0 is linear.
Times are processor seconds (user + system) of the child, steadier than wall time on a shared
machine; peak memory is its maximum resident set size. `--target` checks the README's promise
alone: 5,000 controls, 1,000 people and 200 providers, `gaps` and `report` each under 10 s.

Run from the repository root: `.venv/bin/python bench/scale.py [--axis NAME ...] [--target]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-12-01"
CATALOG_ID = "gen"
FUNCTIONS = (
    "governance",
    "risk-assessment",
    "policy-documentation",
    "workforce-training",
    "vendor-management",
    "asset-management",
    "access-management",
    "endpoint-management",
    "patch-management",
    "vulnerability-management",
    "change-management",
    "network-administration",
    "server-management",
    "application-security",
    "security-monitoring",
    "incident-response",
    "backup-recovery",
    "data-protection",
    "physical-security",
    "help-desk",
)


@dataclass(frozen=True)
class Shape:
    """One generated input: catalog size and form, people, providers and overrides."""

    controls: int = 1000
    chain: bool = False
    people: int = 10
    providers: int = 3
    catalogs: int = 1
    """The controls split over this many catalogs, each provider contracted for one of them (the
    way a large organization scopes its agreements: every provider for every framework would
    make each pair of providers a missing-handoff finding, an output that grows as their square)."""
    overrides: int = 0
    unknown: int = 0
    """Overrides of controls that do not exist (each gets a "did you mean"; the run exits 2)."""


@dataclass(frozen=True)
class Axis:
    """An input grown at 1x, 2x and 4x with everything else at the base."""

    name: str
    what: str
    shapes: tuple[Shape, Shape, Shape]
    commands: tuple[str, ...] = ("gaps", "report")


def axes() -> dict[str, Axis]:
    """The series the README records."""

    def grow(label: str, what: str, base: Shape, key: str, sizes: Sequence[int]) -> Axis:
        shapes = tuple(Shape(**{**base.__dict__, key: n}) for n in sizes)
        return Axis(label, what, shapes)  # type: ignore[arg-type]

    series = [
        grow("catalog", "controls, 3 dependencies each", Shape(), "controls", (2500, 5000, 10000)),
        grow("chain", "controls in one chain", Shape(chain=True), "controls", (2500, 5000, 10000)),
        grow(
            "people",
            "people (1,000 controls in 10 catalogs, 20 providers)",
            Shape(catalogs=10, providers=20),
            "people",
            (1000, 2000, 4000),
        ),
        grow(
            "providers",
            "providers (2,000 controls in 10 catalogs, 100 people)",
            Shape(controls=2000, catalogs=10, people=100),
            "providers",
            (100, 200, 400),
        ),
        grow(
            "overrides",
            "overrides (5,000 controls)",
            Shape(controls=5000),
            "overrides",
            (1000, 2000, 4000),
        ),
        grow(
            "unknown",
            "unknown overrides (10,000 controls)",
            Shape(controls=10000),
            "unknown",
            (250, 500, 1000),
        ),
    ]
    out = {a.name: a for a in series}
    out["unknown"] = Axis(
        out["unknown"].name, out["unknown"].what, out["unknown"].shapes, ("gaps",)
    )
    return out


TARGET = Shape(controls=5000, catalogs=10, people=1000, providers=200)
"""The README's promise: this organization's gaps and report, each in under 10 s."""


def catalogs(shape: Shape, seed: int = 11) -> dict[str, dict[str, Any]]:
    """User catalogs of `shape.controls` controls in all: 3 earlier prerequisites each, or one chain."""
    rng = random.Random(seed)
    per = shape.controls // shape.catalogs
    return {
        catalog_id(n): {
            "id": catalog_id(n),
            "title": f"Scale {n}",
            "version": "1",
            "controls": [control(rng, shape, i) for i in range(per)],
        }
        for n in range(shape.catalogs)
    }


def catalog_id(n: int) -> str:
    """The id of the n-th generated catalog."""
    return CATALOG_ID if n == 0 else f"{CATALOG_ID}-{n}"


def control(rng: random.Random, shape: Shape, i: int) -> dict[str, Any]:
    """The i-th control of a generated catalog."""
    if shape.chain:
        deps = [f"S-{i - 1}"] if i else []
    else:
        deps = [f"S-{j}" for j in sorted(rng.sample(range(i), min(3, i)))]
    return {
        "id": f"S-{i}",
        "title": f"Scale control {i}",
        "summary": "A generated control.",
        "citation": f"Scale {i}",
        "kind": "requirement",
        "level": rng.choice(["required", "required", "addressable", "guidance"]),
        "functions": rng.sample(FUNCTIONS, rng.randint(1, 2)),
        "depends_on": deps,
        **({"designation": "security-official"} if i == 0 else {}),
        **(
            {"accountability": "non-delegable", "accountability_basis": "Scale rule"}
            if i % 97 == 0
            else {}
        ),
    }


def profile(shape: Shape, seed: int = 7) -> dict[str, Any]:
    """A profile of the catalog with `shape`'s people, providers and overrides."""
    rng = random.Random(seed)
    people = [
        {
            "id": f"p{i}",
            "name": f"Person {i}",
            "functions": rng.sample(FUNCTIONS, 3),
            "after_hours": rng.random() < 0.3,
            **({"backup": f"p{i - 1}"} if i and rng.random() < 0.5 else {}),
        }
        for i in range(shape.people)
    ]
    providers = [
        {
            "id": f"v{i}",
            "name": f"Provider {i}",
            "agreement": f"MSA {i}",
            "functions": rng.sample(FUNCTIONS, 2),
            "after_hours": rng.random() < 0.7,
            "on_site": rng.random() < 0.5,
            "last_reviewed": "2026-06-01",
            "frameworks": [catalog_id(i % shape.catalogs)],
        }
        for i in range(shape.providers)
    ]
    overrides = [
        {
            "control": f"{CATALOG_ID}:S-{i}",
            "owner": "provider",
            "provider": f"v{i % shape.providers}",
            "reason": "Generated override",
        }
        for i in range(shape.overrides)
    ] + [
        {"control": f"{CATALOG_ID}:T-{i}", "owner": "internal", "reason": "Generated override"}
        for i in range(shape.unknown)
    ]
    return {
        "organization": {"name": "Scale Org"},
        "frameworks": [catalog_id(n) for n in range(shape.catalogs)],
        "model": "co-managed",
        "internal": people,
        "providers": providers,
        "designations": {"security-official": {"holder": "p0"}} if people else {},
        "overrides": overrides,
    }


@dataclass
class Run:
    """One whole process: wall time, processor time, peak memory and exit code."""

    wall: float
    seconds: float
    peak_mb: float
    code: int
    timed_out: bool = False


def write_inputs(shape: Shape, folder: Path) -> Path:
    """The catalog folder and the profile of `shape` under `folder`; the profile's path."""
    (folder / "catalogs").mkdir(parents=True, exist_ok=True)
    for name, data in catalogs(shape).items():
        (folder / "catalogs" / f"{name}.json").write_text(json.dumps(data))
    path = folder / "profile.json"
    path.write_text(json.dumps(profile(shape)))
    return path


def run(command: str, shape: Shape, folder: Path, timeout: float) -> Run:
    """One `ctrlmap gaps` or `ctrlmap report --format html` of `shape`, output discarded."""
    prof = folder / "profile.json"
    args = [sys.executable, "-m", "ctrlmap", "--catalog-dir", str(folder / "catalogs")]
    args += [command, str(prof)]
    args += ["--as-of", AS_OF, "--format", "json" if command == "gaps" else "html"]
    start = time.perf_counter()
    env = {**os.environ, "CTRLMAP_NO_CACHE": "1"}
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = -9
            return Run(timeout, cpu(usage), usage.ru_maxrss / 1024, -9, timed_out=True)
        time.sleep(0.01)
    took = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(took, cpu(usage), usage.ru_maxrss / 1024, child.returncode)


def cpu(usage: resource.struct_rusage) -> float:
    """The child's processor time, user and system (steadier than wall time on a busy machine)."""
    return usage.ru_utime + usage.ru_stime


@dataclass
class Row:
    """An axis's figures for one command."""

    axis: Axis
    command: str
    runs: list[Run] = field(default_factory=list)

    def line(self) -> str:
        """The figures and growth ratios as one Markdown table row."""
        cells = [
            f"{'>' if r.timed_out else ''}{r.seconds:.2f} s, {r.peak_mb:.0f} MB"
            + (f" (exit {r.code})" if r.code not in (0,) and not r.timed_out else "")
            for r in self.runs
        ]
        ratios = [
            f"{b.seconds / a.seconds:.2f}" if not (a.timed_out or b.timed_out) else "n/a"
            for a, b in zip(self.runs, self.runs[1:], strict=False)
        ]
        sizes = "/".join(f"{size(self.axis.name, s):,}" for s in self.axis.shapes)
        return (
            f"| {self.axis.name}: {sizes} {self.axis.what} | `{self.command}` | "
            + " | ".join([*cells, " / ".join(ratios)])
            + " |"
        )


def size(axis: str, shape: Shape) -> int:
    """The grown input's count in `shape`."""
    return {
        "catalog": shape.controls,
        "chain": shape.controls,
        "people": shape.people,
        "providers": shape.providers,
        "overrides": shape.overrides,
        "unknown": shape.unknown,
    }[axis]


def series(names: Sequence[str], timeout: float) -> None:
    """Each named axis at 1x, 2x and 4x, printed as a Markdown table."""
    print("| axis: 1x/2x/4x | command | 1x | 2x | 4x | ratio 2x/1x / 4x/2x |")
    print("|---|---|---|---|---|---|")
    for name in names:
        axis = axes()[name]
        rows = {c: Row(axis, c) for c in axis.commands}
        with tempfile.TemporaryDirectory() as tmp:
            for index, shape in enumerate(axis.shapes):
                folder = Path(tmp) / str(index)
                write_inputs(shape, folder)
                for command in axis.commands:
                    rows[command].runs.append(run(command, shape, folder, timeout))
        for row in rows.values():
            print(row.line(), flush=True)


def target(timeout: float) -> bool:
    """The promised organization: gaps and the HTML report each under 10 s; prints both."""
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        write_inputs(TARGET, Path(tmp))
        for command in ("gaps", "report"):
            result = run(command, TARGET, Path(tmp), timeout)
            passed = result.code == 0 and result.seconds < 10
            ok = ok and passed
            print(
                f"target: {TARGET.controls:,} controls, {TARGET.people:,} people, "
                f"{TARGET.providers} providers, `{command}`: {result.seconds:.2f} s processor time "
                f"({result.wall:.2f} s wall), {result.peak_mb:.0f} MB, exit {result.code}: "
                f"{'ok' if passed else 'TOO SLOW'}"
            )
    return ok


def main() -> None:
    """Run the chosen series (default: all) and the target check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--axis", action="append", choices=sorted(axes()), help="repeatable")
    parser.add_argument("--target", action="store_true", help="only the 10 s target check")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, one whole process per figure")
    ok = target(args.timeout)
    if not args.target:
        series(args.axis or list(axes()), args.timeout)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
