"""Fail when any module of the package is below the coverage floor, one line per such module.

Reads the JSON report that `pytest --cov=ctrlmap --cov-branch --cov-report=json:.coverage.json`
writes and checks each file's `percent_covered`: coverage's own figure, which counts branches as
well as lines when the run measured branches. A report made without `--cov-branch` is refused,
since a line-only figure would let untested branches through.

    python tools/coverage_floor.py [REPORT] [--floor PERCENT]

Exits 0 when every module reaches the floor, 1 when one does not or the report is unusable.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

FLOOR = 90.0
REPORT = Path(".coverage.json")


def below_floor(report: dict[str, Any], floor: float = FLOOR) -> list[tuple[str, float]]:
    """The modules under `floor` percent, with their percent, in path order."""
    files: dict[str, Any] = report["files"]
    return [
        (name, float(data["summary"]["percent_covered"]))
        for name, data in sorted(files.items())
        if float(data["summary"]["percent_covered"]) < floor
    ]


def _shown(percent: float) -> str:
    """One decimal, rounded down, so that 89.96% is never shown as a passing 90.0%."""
    return f"{math.floor(percent * 10) / 10:.1f}%"


def main(argv: list[str]) -> int:
    """Print each module under the floor; exit 1 when there is one."""
    args = list(argv)
    floor = FLOOR
    if "--floor" in args:
        at = args.index("--floor")
        try:
            floor = float(args[at + 1])
        except (IndexError, ValueError):
            print("coverage floor: --floor needs a number, e.g. --floor 90", file=sys.stderr)
            return 1
        del args[at : at + 2]
    path = Path(args[0]) if args else REPORT
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(
            f"coverage floor: {path}: not found; run pytest with --cov-report=json:{path}",
            file=sys.stderr,
        )
        return 1
    except (OSError, ValueError) as exc:
        print(f"coverage floor: {path}: not a coverage JSON report ({exc})", file=sys.stderr)
        return 1
    if not isinstance(report, dict) or not isinstance(report.get("files"), dict):
        print(f"coverage floor: {path}: not a coverage JSON report (no 'files')", file=sys.stderr)
        return 1
    if not report.get("meta", {}).get("branch_coverage"):
        print(
            f"coverage floor: {path}: measured without branches; run pytest with --cov-branch",
            file=sys.stderr,
        )
        return 1
    if not report["files"]:
        print(f"coverage floor: {path}: measured no module; check --cov", file=sys.stderr)
        return 1
    failing = below_floor(report, floor)
    for name, percent in failing:
        print(f"{name}: {_shown(percent)} line+branch coverage, under the {floor:g}% floor")
    if failing:
        print(f"{len(failing)} of {len(report['files'])} modules under {floor:g}%")
        return 1
    print(f"{len(report['files'])} modules, each at {floor:g}% line+branch coverage or more")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
