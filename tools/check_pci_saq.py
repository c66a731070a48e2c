"""Check frameworks/saq/pci-saq.yaml against frameworks/pci-dss-4.yaml and print what does not fit.

For every SAQ: its count, the ids the catalog lacks, and the parents an engine would add that are
themselves requirements the SAQ does not ask (only principal parents should be pulled in).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    catalog = yaml.safe_load((ROOT / "frameworks" / "pci-dss-4.yaml").read_text())
    saqs = yaml.safe_load((ROOT / "frameworks" / "saq" / "pci-saq.yaml").read_text())
    units: dict[str, dict[str, Any]] = {c["id"]: c for c in catalog["controls"]}
    problems = 0
    groups = [
        (name, saq["requirements"], saq)
        for name, saq in saqs["saqs"].items()
        if not saq.get("whole_standard")
    ]
    groups += [
        (f"{name} (not confirmed, ids seen)", entry.get("ids_seen_in_source", []), None)
        for name, entry in saqs["not_confirmed"].items()
    ]
    for name, ids, saq in groups:
        listed = set(ids)
        missing = [i for i in ids if i not in units]
        parents = sorted(
            {
                f"{i} -> {units[i]['parent']}"
                for i in ids
                if i in units
                and units[units[i]["parent"]]["kind"] == "requirement"
                and units[i]["parent"] not in listed
            }
        )
        extra = saq["requirements_not_in_catalog"] if saq else []
        print(f"{name}: {len(ids)} in list, {len(extra)} outside the catalog {extra}")
        if missing:
            print(f"  not in the catalog: {missing}")
        if parents:
            print(f"  requirement parents not asked: {parents}")
        if saq is not None:
            problems += len(missing) + len(parents)
            problems += sum(1 for i in extra if i in units)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
