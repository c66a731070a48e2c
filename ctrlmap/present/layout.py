"""The report laid out for its templates: names, grouping, the charts and the hand-off map's geometry.

The HTML and Markdown templates only loop over what [?1006;1000h[?1002h[?1049h[22;0;0t[>4;2m[?1h=[?2004h[?1004h[1;24r[?12h[?12l[22;2t[22;1t[27m[23m[29m[m[H[2J[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?25l[2;1H[1m[34m~                                                                               [3;1H~                                                                               [4;1H~                                                                               [5;1H~                                                                               [6;1H~                                                                               [7;1H~                                                                               [8;1H~                                                                               [9;1H~                                                                               [10;1H~                                                                               [11;1H~                                                                               [12;1H~                                                                               [13;1H~                                                                               [14;1H~                                                                               [15;1H~                                                                               [16;1H~                                                                               [17;1H~                                                                               [18;1H~                                                                               [19;1H~                                                                               [20;1H~                                                                               [21;1H~                                                                               [22;1H~                                                                               [23;1H~                                                                               [m[24;63H0,0-1[9CAll[6;32HVIM - Vi IMproved[8;33Hversion 9.0.2142[9;29Hby Bram Moolenaar et al.[10;21HModified by team+vim@tracker.debian.org[11;19HVim is open source and freely distributable[13;26HBecome a registered Vim user![14;18Htype  :help register[34m<Enter>[m   for information [16;18Htype  :q[34m<Enter>[m               to exit         [17;18Htype  :help[34m<Enter>[m  or  [34m<F1>[m  for on-line help[18;18Htype  :help version9[34m<Enter>[m   for version info[1;1H[?25h[?4m[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[?1006;1000l[?1002l[?2004l[>4;m[?2004h[>4;2m[?1006;1000h[?1002h[24;1H[?1006;1000l[?1002l[?2004l[>4;m[?1004l[?2004l[?1l>[?1049l[23;0;0t[>4;mVim: Error reading input, exiting...
Vim: Finished.
[24;1H[23;2t[23;1t[J returns and print it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ctrlmap.models.base import OWNERS
from ctrlmap.present.findings import diff_view, plan_state, status_text
from ctrlmap.present.report import GapEntry, Report, canonical_json, severity_counts

if TYPE_CHECKING:
    from ctrlmap.models.comparison import Change, CompareResult


CHART_WIDTH = 560
"""Width of a full bar in the summary charts, in SVG units."""


MAP_COLUMN = 250


MAP_ROW = 30


MAP_BOX = (190, 22)


MAP_LINKS = 80
"""The hand-off map draws the busiest links; the table under it lists them all."""


SNAPSHOT_ID = "ctrlmap-snapshot"


def snapshot_parts(assessment: Report) -> tuple[str, str]:
    """The snapshot as embedded (with `<` escaped) and the SHA-256 of its canonical text."""
    text = canonical_json(assessment)
    return text.replace("<", "\\u003c"), hashlib.sha256(text.encode("utf-8")).hexdigest()


def _bars(rows: list[tuple[str, dict[str, int]]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Stacked horizontal bars on a shared scale: each segment's x and width."""
    biggest = max((sum(values.values()) for _, values in rows), default=0) or 1
    bars = []
    for index, (label, values) in enumerate(rows):
        x = 0
        segments = []
        for key in keys:
            value = values.get(key, 0)
            width = round(CHART_WIDTH * value / biggest)
            if value:
                segments.append({"key": key, "value": value, "x": x, "width": max(width, 1)})
            x += width
        bars.append(
            {
                "label": label,
                "y": index * 34,
                "segments": segments,
                "total": sum(values.values()),
                "end": x,
            }
        )
    return bars


def _hand_off_map(a: Report, names: dict[str, str]) -> dict[str, Any]:
    """Parties as columns, functions as rows in dependency order, links for work that crosses.

    Long because the map's geometry (columns, rows, curves) is computed in one pass.
    """
    parties = [
        p
        for p in ("internal", *(p.id for p in a.providers))
        if any(n.party == p for n in a.function_nodes)
    ]
    column = {p: i for i, p in enumerate(parties)}
    rows = sorted({n.row for n in a.function_nodes})
    row_of = {r: i for i, r in enumerate(rows)}
    width, height = MAP_BOX
    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    for n in a.function_nodes:
        nodes[(n.party, n.function)] = {
            "x": 20 + column[n.party] * MAP_COLUMN,
            "y": 40 + row_of[n.row] * MAP_ROW,
            "party": n.party,
            "function": n.function,
            "controls": n.controls,
        }
    crossing = sorted(
        a.function_links,
        key=lambda link: (
            -link.dependencies,
            link.from_party,
            link.from_function,
            link.to_party,
            link.to_function,
        ),
    )
    links = []
    for link in crossing[:MAP_LINKS]:
        start, end = (
            nodes.get((link.from_party, link.from_function)),
            nodes.get((link.to_party, link.to_function)),
        )
        if start is None or end is None:
            continue
        rightward = end["x"] >= start["x"]
        x1 = start["x"] + (width if rightward else 0)
        x2 = end["x"] + (0 if rightward else width)
        y1, y2 = start["y"] + height // 2, end["y"] + height // 2
        middle = (x1 + x2) // 2
        links.append(
            {
                "path": f"M{x1} {y1} C{middle} {y1} {middle} {y2} {x2} {y2}",
                "documented": link.documented,
                "weight": min(1 + link.dependencies // 5, 4),
                "title": f"{names[link.from_party]}: {link.from_function} feeds {names[link.to_party]}: "
                f"{link.to_function} ({link.dependencies} dependencies, "
                f"{'documented' if link.documented else 'no documented hand-off'})",
            }
        )
    return {
        "columns": [
            {"party": p, "name": names[p], "x": 20 + column[p] * MAP_COLUMN} for p in parties
        ],
        "nodes": list(nodes.values()),
        "links": links,
        "hidden": max(len(crossing) - MAP_LINKS, 0),
        "width": 40 + max(len(parties), 1) * MAP_COLUMN,
        "height": 60 + max(len(rows), 1) * MAP_ROW,
        "box_width": width,
        "box_height": height,
        "table": crossing,
    }


def view(a: Report) -> dict[str, Any]:
    """Everything the template prints, already sorted, grouped and laid out."""
    names = {"internal": f"{a.organization.name} (internal)"}
    names.update({p.id: p.name for p in a.providers})
    names.update({p.id: p.name for p in a.people})
    embedded, digest = snapshot_parts(a)
    by_framework = {f.id: [x for x in a.assignments if x.framework == f.id] for f in a.frameworks}
    severities = severity_counts(a)
    return {
        "a": a,
        "compare_groups": compare_groups(a.comparison) if a.comparison else [],
        "names": names,
        "snapshot": embedded,
        "snapshot_id": SNAPSHOT_ID,
        "digest": digest,
        "matrix": [(f, by_framework[f.id]) for f in a.frameworks],
        "gaps_by_severity": [
            (s, n, [g for g in a.gaps if g.gap.severity == s]) for s, n in severities
        ],
        "status": {e.gap.id: status_text(e.gap) for e in a.gaps},
        "plan": plan_rows(a.gaps),
        "policy": list(a.remediation_policy.items()),
        "accepted": [e.gap for e in a.gaps if e.gap.status == "accepted"],
        **({k: v for k, v in diff_view(a.changes).items() if k != "d"} if a.changes else {}),
        "owner_bars": _bars([(f.id, f.owners) for f in a.frameworks], OWNERS),
        "severity_bars": _bars([("gaps", dict(severities))], tuple(s for s, _ in severities)),
        "chart_width": CHART_WIDTH,
        "owners": OWNERS,
        "map": _hand_off_map(a, names),
        "totals": {
            "applicable": sum(f.applicable for f in a.frameworks),
            "controls": sum(f.controls for f in a.frameworks),
            "owners": {o: sum(f.owners.get(o, 0) for f in a.frameworks) for o in OWNERS},
        },
        "documented_splits": [s for s in a.splits if s.documented],
        "missing_splits": [s for s in a.splits if not s.documented],
        "documented_handoffs": [h for h in a.handoffs if h.documented],
        "missing_handoffs": [h for h in a.handoffs if not h.documented],
    }


def plan_rows(entries: Iterable[GapEntry]) -> list[dict[str, Any]]:
    """The open findings as the remediation plan: overdue first, then by due date and severity."""
    from ctrlmap.assessment.severity import SEVERITIES

    open_ = [e.gap for e in entries if e.gap.status == "open"]
    open_.sort(
        key=lambda g: (not g.overdue, g.due or dt.date.max, SEVERITIES.index(g.severity), g.id)
    )
    return [
        {
            "gap": g,
            "state": plan_state(g),
            "milestones": "; ".join(f"{m.date.isoformat()} {m.text}" for m in g.milestones),
        }
        for g in open_
    ]


def compare_groups(c: CompareResult) -> list[tuple[str, list[Change]]]:
    """The moving controls grouped by movement, in the movements' display order."""
    from ctrlmap.models.comparison import MOVEMENTS

    return [
        (m, [ch for ch in c.changes if ch.movement == m])
        for m in MOVEMENTS
        if any(ch.movement == m for ch in c.changes)
    ]
