"""The report laid out for its templates: names, grouping, the charts and the hand-off map's geometry.

The HTML and Markdown templates only loop over what `view` returns and print it."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ctrlmap.assessment.roles import why_not_required
from ctrlmap.assessment.tracking import due_date
from ctrlmap.models import ROLES, split_key
from ctrlmap.models.base import OWNERS, join_names, plural
from ctrlmap.models.catalog import fact_label, fact_value
from ctrlmap.models.results import Assignment, Gap
from ctrlmap.present.findings import diff_view, plan_state, status_text
from ctrlmap.present.report import (
    GapEntry,
    Keystone,
    ProviderEntry,
    Report,
    canonical_json,
    severity_counts,
)

if TYPE_CHECKING:
    from ctrlmap.models.comparison import Change, CompareResult


PAGE_WIDTH = 700
"""The printable width of an A4 page at 12 mm margins, in CSS pixels: every figure fits in it."""


PALETTE = {
    "internal": "#cfe3ff",
    "provider": "#ffe2b8",
    "shared": "#d9f2d0",
    "unassigned": "#ffc9c9",
    "critical": "#9b1c1c",
    "high": "#c2410c",
    "medium": "#a16207",
    "low": "#4b5563",
    "documented": "#2f855a",
    "missing": "#c0392b",
}
"""The figures' colors, given to SVG as paint attributes: WeasyPrint's SVG renderer applies
neither the page's classes nor var(), and would print every bar and box black. The same colors
as the stylesheet's variables (_style.html), which a test holds them to."""
CHART_LABEL = 150
"""Room for a bar's label, left of the bars."""


CHART_WIDTH = 480
"""Width of a full bar in the summary charts, in SVG units (with the label and the total, the page)."""


MAP_LABEL = 176
"""The hand-off map's column of function names: room for the longest title, "Policies and
documentation", whole."""


MAP_ROW = 24


MAP_BOX_HEIGHT = 18


MAP_GAP = 24
"""The least room between two columns' boxes, for the links."""


MAP_BOX_WIDTH = 90
"""The widest a box gets: a box holds a count, and the room between boxes shows the curves."""


MAP_CHAR = 7.2
"""A generous average width of a character of the map's 11 px text, so that no label clips."""


MAP_LABEL_CHAR = 6.3
"""The same for the function names, in regular weight: every function title fits whole."""


MAP_LINKS = 80
"""The hand-off map draws the busiest links; the table under it lists them all."""


EXPIRY_WINDOW = 90
"""Accepted risks expiring within this many days of the as-of date are called out."""


LONG_FINDING = 20
"""A finding with more controls than this may break across printed pages (its heading and
message kept together): held whole, one long list leaves most of a page empty."""


SEVERE = ("critical", "high")
"""The severities the executive summary lists finding by finding."""


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
        lines = wrap_text(label, CHART_LABEL - 10, 2)
        bars.append(
            {
                "label": fit_text(label, CHART_LABEL - 10),
                "name": label,
                "lines": [
                    {"text": line, "dy": 16 if len(lines) == 1 else 10 + 13 * k}
                    for k, line in enumerate(lines)
                ],
                "y": index * 34,
                "segments": segments,
                "total": sum(values.values()),
                "end": x,
            }
        )
    return bars


def fit_text(text: str, width: float, char: float = MAP_CHAR) -> str:
    """The text cut (with an ellipsis) to what fits in `width` at `char` units a character."""
    room = max(int(width // char), 1)
    return text if len(text) <= room else text[: max(room - 1, 1)].rstrip() + "…"


def wrap_text(text: str, width: float, lines: int = 3) -> list[str]:
    """The text in at most `lines` lines that each fit in `width`, word by word; the last cut."""
    room = max(int(width // MAP_CHAR), 1)
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= room:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out[-1] = out[-1] + " " + " ".join(words)
    return [fit_text(line, width) for line in out]


def _hand_off_map(a: Report, names: dict[str, str], titles: Titles) -> dict[str, Any]:
    """Functions as rows in dependency order, parties as columns, links for work that crosses.

    Laid out to the page width whatever the number of parties: the columns share what the
    function names leave, party names wrap into three lines at most, and every label is cut to
    its room, so nothing overlaps or leaves the figure.

    Long because the map's geometry (columns, rows, curves) is computed in one pass.
    """
    parties = [
        p
        for p in ("internal", *(p.id for p in a.providers))
        if any(n.party == p for n in a.function_nodes)
    ]
    count = max(len(parties), 1)
    column = min((PAGE_WIDTH - MAP_LABEL) / count, 180.0)
    box = min(column - MAP_GAP, MAP_BOX_WIDTH)  # the rest of the column leaves room for the curves
    heads = {p: wrap_text(names[p], column - 8) for p in parties}
    top = 14 * max((len(lines) for lines in heads.values()), default=1) + 12
    rows = sorted({n.row for n in a.function_nodes})
    row_of = {r: i for i, r in enumerate(rows)}
    functions = {n.row: n.function for n in a.function_nodes}

    def left(party: str) -> float:
        return round(MAP_LABEL + parties.index(party) * column + (column - box) / 2, 1)

    def y_of(row: int) -> int:
        return top + row_of[row] * MAP_ROW

    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    for n in a.function_nodes:
        nodes[(n.party, n.function)] = {
            "x": left(n.party),
            "y": y_of(n.row),
            "cx": round(left(n.party) + box / 2, 1),
            "party": n.party,
            "function": titles[n.function],
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
        x1 = round(start["x"] + (box if rightward else 0), 1)
        x2 = round(end["x"] + (0 if rightward else box), 1)
        y1, y2 = start["y"] + MAP_BOX_HEIGHT // 2, end["y"] + MAP_BOX_HEIGHT // 2
        middle = round((x1 + x2) / 2, 1)
        links.append(
            {
                "path": f"M{x1} {y1} C{middle} {y1} {middle} {y2} {x2} {y2}",
                "documented": link.documented,
                "weight": min(1 + link.dependencies // 5, 4),
                "title": f"{names[link.from_party]}: {titles[link.from_function]} feeds "
                f"{names[link.to_party]}: {titles[link.to_function]} ({plural(link.dependencies, 'dependency', 'dependencies')}, "
                f"{'documented' if link.documented else 'no documented hand-off'})",
            }
        )
    return {
        "columns": [
            {
                "party": p,
                "name": names[p],
                "x": round(MAP_LABEL + i * column + column / 2, 1),
                "lines": [{"text": line, "y": 14 * (k + 1)} for k, line in enumerate(heads[p])],
            }
            for i, p in enumerate(parties)
        ],
        "rows": [
            {
                "label": fit_text(titles[functions[r]], MAP_LABEL - 10, MAP_LABEL_CHAR),
                "function": titles[functions[r]],
                "y": y_of(r),
            }
            for r in rows
        ],
        "nodes": list(nodes.values()),
        "links": links,
        "hidden": max(len(crossing) - MAP_LINKS, 0),
        "width": PAGE_WIDTH,
        "height": top + max(len(rows), 1) * MAP_ROW + 6,
        "box_width": round(box, 1),
        "box_height": MAP_BOX_HEIGHT,
        "table": crossing,
    }


class Titles(dict[str, str]):
    """Function titles by id; an id the taxonomy does not know is shown as it is."""

    def __missing__(self, key: str) -> str:
        return key


def _words(a: Report, names: dict[str, str], titles: Titles) -> dict[str, Any]:
    """What the templates print as words rather than ids: facts, parties, frameworks, chains."""
    frameworks = {f.id: f.title for f in a.frameworks}
    parties = ("internal", *(p.id for p in a.providers))
    plain = {**names, "internal": a.organization.name}
    used = {
        p
        for x in a.assignments
        if x.raci
        for p in (*x.raci.responsible, *x.raci.consulted, *x.raci.informed)
    }
    return {
        "titles": titles,
        "plain": plain,
        "fw_titles": frameworks,
        "facts": fact_rows(a),
        "legend": [(p, plain[p]) for p in parties if p in used],
        "party_names": {
            e.gap.id: join_names(plain.get(p, p) for p in e.gap.parties) for e in a.gaps
        },
        "role_names": {
            e.gap.id: join_names(ROLES[r].title if r in ROLES else r for r in e.gap.roles)
            for e in a.gaps
        },
        "people_names": {
            e.gap.id: join_names(names.get(p, p) for p in e.gap.people) for e in a.gaps
        },
        "downstream": {e.gap.id: downstream_text(e.downstream) for e in a.gaps},
        "chains": {e.gap.id: chain_text(e.gap) for e in a.gaps},
        "served": {
            p.id: join_names(frameworks.get(f, f) for f in p.frameworks)
            for p in a.providers
            if p.frameworks
        },
    }


def fact_rows(a: Report) -> list[dict[str, Any]]:
    """The applicability facts by their labels, their values in words."""
    return [
        {
            "label": fact_label(f.fact),
            "value": join_names(fact_value(f.fact, v) for v in f.values),
            "assumed": f.assumed,
        }
        for f in a.applicability
    ]


def downstream_text(n: int) -> str:
    """How many other applicable controls rest on a finding's controls, as a sentence."""
    if n == 0:
        return "No other applicable control depends on these."
    if n == 1:
        return "1 other applicable control depends on these."
    return f"{n} other applicable controls depend on these."


def chain_text(gap: Gap) -> str:
    """A finding's dependency chain as the report prints it: controls by their own ids."""
    if gap.rule == "at-risk-dependency":
        return " → ".join(split_key(k)[1] if ":" in k else k for k in gap.chain)
    return "; ".join(gap.chain)


def view(a: Report) -> dict[str, Any]:
    """Everything the template prints, already sorted, grouped and laid out."""
    names = {"internal": f"{a.organization.name} (internal)"}
    names.update({p.id: p.name for p in a.providers})
    names.update({p.id: p.name for p in a.people})
    titles = Titles(a.function_titles)
    embedded, digest = snapshot_parts(a)
    severities = severity_counts(a)
    steps, steps_of = basis_steps(a.assignments)
    totals = {
        "applicable": sum(f.applicable for f in a.frameworks),
        "controls": sum(f.controls for f in a.frameworks),
        "owners": {o: sum(f.owners.get(o, 0) for f in a.frameworks) for o in OWNERS},
    }
    return {
        "a": a,
        "compare_groups": compare_groups(a.comparison) if a.comparison else [],
        "names": names,
        "snapshot": embedded,
        "snapshot_id": SNAPSHOT_ID,
        "digest": digest,
        "executive": executive(a, totals),
        "matrix": [
            (
                f,
                [matrix_row(x, steps_of) for x in a.assignments if x.framework == f.id],
                excluded(x for x in a.assignments if x.framework == f.id),
            )
            for f in a.frameworks
        ],
        "basis_steps": steps,
        "gaps_by_severity": [
            (s, n, [g for g in a.gaps if g.gap.severity == s]) for s, n in severities
        ],
        "status": {e.gap.id: status_text(e.gap) for e in a.gaps},
        "empty_severities": [s for s, n in severities if n == 0],
        "long_gaps": {e.gap.id for e in a.gaps if len(e.gap.controls) > LONG_FINDING},
        "gap_controls": {
            e.gap.id: controls_text(
                e.gap.controls, {f.id: f.title for f in a.frameworks}, bare=len(a.frameworks) == 1
            )
            for e in a.gaps
        },
        "plan": plan_rows(a.gaps),
        "policy": list(a.remediation_policy.items()),
        "accepted": [e.gap for e in a.gaps if e.gap.status == "accepted"],
        **({k: v for k, v in diff_view(a.changes).items() if k != "d"} if a.changes else {}),
        "owner_bars": _bars([(f.title, f.owners) for f in a.frameworks], OWNERS),
        "severity_bars": _bars([("gaps", dict(severities))], tuple(s for s, _ in severities)),
        "chart": {"label": CHART_LABEL, "width": PAGE_WIDTH},
        "palette": PALETTE,
        "matrix_widths": matrix_widths(a.assignments),
        "owners": OWNERS,
        "columns": agreement_columns(f.id for f in a.frameworks),
        "agreements": provider_agreements(a.providers, [f.id for f in a.frameworks]),
        "designations": {r: d for r, d in a.designations.items() if d.required},
        "other_designations": {r: d for r, d in a.designations.items() if not d.required},
        "not_required": {
            r: why_not_required(d, a.assignments)
            for r, d in a.designations.items()
            if not d.required
        },
        "map": _hand_off_map(a, names, titles),
        "keystones": [
            (f, [_keystone(k) for k in a.keystones if k.framework == f.id])
            for f in a.frameworks
            if any(k.framework == f.id for k in a.keystones)
        ],
        "totals": totals,
        "documented_splits": [s for s in a.splits if s.documented],
        "missing_splits": [s for s in a.splits if not s.documented],
        "documented_handoffs": [h for h in a.handoffs if h.documented],
        "missing_handoffs": [h for h in a.handoffs if not h.documented],
        **_words(a, names, titles),
    }


def _keystone(k: Keystone) -> dict[str, Any]:
    """A keystone with its control id and its chain as the report prints them (controls by
    their own ids, without their catalog's)."""
    own = f"{k.framework}:"
    chain = " → ".join(split_key(c)[1] if ":" in c else c for c in k.chain)
    return {**k.model_dump(), "id": k.control.removeprefix(own), "chain_text": chain}


def agreement_columns(frameworks: Iterable[str]) -> dict[str, bool]:
    """Which agreement facts the providers table shows: those a framework in scope requires."""
    from ctrlmap.assessment.gaps.providers import AGREEMENTS

    kinds = {AGREEMENTS[f].kind for f in frameworks if f in AGREEMENTS}
    return {kind: kind in kinds for kind in ("baa", "pci_acknowledgement", "safeguards_terms")}


def matrix_widths(assignments: Iterable[Assignment]) -> dict[str, int]:
    """The matrix's C / I and Why column widths (percent): C / I wide enough for its longest
    party id, so that a cell wraps between ids and never inside one; Why gives up the rest."""
    longest = max(
        (len(p) for a in assignments if a.raci for p in (*a.raci.consulted, *a.raci.informed)),
        default=1,
    )
    ci = min(14, max(7, math.ceil(longest * 1.1)))
    return {"ci": ci, "why": 41 - ci}


def provider_agreements(
    providers: Iterable[ProviderEntry], frameworks: list[str]
) -> dict[str, dict[str, bool]]:
    """Per provider, which agreement facts apply to it: those a framework in scope requires
    among the frameworks its agreement covers (a PCI-only provider needs no BAA: "n/a")."""
    from ctrlmap.assessment.gaps.providers import AGREEMENTS

    found = {}
    for p in providers:
        served = [f for f in frameworks if p.frameworks is None or f in p.frameworks]
        kinds = {AGREEMENTS[f].kind for f in served if f in AGREEMENTS}
        found[p.id] = {k: k in kinds for k in ("baa", "pci_acknowledgement", "safeguards_terms")}
    return found


def executive(a: Report, totals: dict[str, Any]) -> dict[str, Any]:
    """The executive summary: scope, headline figures, the severe findings one line each,
    accepted risks and what expires soon, and the changes since the baseline."""
    from ctrlmap.assessment.severity import SEVERITIES

    gaps = [e.gap for e in a.gaps]
    tests: dict[str, Callable[[Gap], bool]] = {
        "open": lambda g: g.status == "open",
        "accepted": lambda g: g.status == "accepted",
        "overdue": lambda g: g.overdue,
    }
    counts = {
        state: {s: sum(g.severity == s and test(g) for g in gaps) for s in SEVERITIES}
        for state, test in tests.items()
    }
    severe = sorted(
        (g for g in gaps if g.severity in SEVERE),
        key=lambda g: (SEVERITIES.index(g.severity), g.due or dt.date.max, g.id),
    )
    horizon = due_date(a.as_of, EXPIRY_WINDOW)
    accepted = [g for g in gaps if g.acceptance is not None]
    changes = None
    if a.changes is not None:
        d = a.changes
        changes = {
            "since": d.old.as_of,
            "opened": len(d.opened),
            "closed": len(d.closed),
            "changed": sum(bool(p.changes) for p in d.persisting),
            "moved": len(d.moved),
            "evidence": len(d.evidence),
            "before": d.old.total,
            "after": d.new.total,
        }
    return {
        "excluded": totals["controls"] - totals["applicable"],
        "given": [f for f in fact_rows(a) if not f["assumed"]],
        "assumed": sum(f.assumed for f in a.applicability),
        "counts": counts,
        "severities": SEVERITIES,
        "totals": {state: sum(row.values()) for state, row in counts.items()},
        "severe": [
            {
                "gap": g,
                "what": shorten(g.message, 110),
                "state": plan_state(g),
            }
            for g in severe
        ],
        "accepted": accepted,
        "expiring": [
            g for g in accepted if g.acceptance is not None and g.acceptance.expires <= horizon
        ],
        "horizon": horizon,
        "window": EXPIRY_WINDOW,
        "lapsed": [g for g in gaps if g.acceptance_lapsed is not None],
        "changes": changes,
    }


def controls_text(
    keys: Iterable[str], titles: dict[str, str] | None = None, bare: bool = False
) -> str:
    """Global keys grouped by catalog, each named by its title when known: `HIPAA Security
    Rule: 164.308(a)(1), 164.312(b); HIPAA Breach Notification Rule: ...`; `bare`: a report of one
    framework lists the ids alone."""
    grouped: dict[str, list[str]] = {}
    for key in keys:
        catalog, _, ident = key.partition(":")
        grouped.setdefault(catalog, []).append(ident)
    if bare and len(grouped) == 1:
        return ", ".join(next(iter(grouped.values())))
    named = titles or {}
    return "; ".join(
        f"{named.get(catalog, catalog)}: {', '.join(ids)}" for catalog, ids in grouped.items()
    )


def shorten(text: str, limit: int) -> str:
    """The text, cut at a word with an ellipsis when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


REASON_ORDER = (
    "override",
    "non-delegable",
    "designation",
    "independence",
    "provider",
    "duty",
    "model",
    "coverage",
    "departure",
    "accountable-person",
    "scope",
    "applicability",
    "result",
)
"""Which basis step explains a row best, first first: an override's reason above all."""


REASON_LENGTH = 75


def reason(a: Assignment) -> str:
    """The one line of an assignment's basis that explains it best (the appendix has them all)."""
    steps = [s for s in a.basis if s.step != "result"] or list(a.basis)
    if not steps:
        return ""
    best = min(steps, key=lambda s: REASON_ORDER.index(s.step))
    if best.step == "coverage":
        text = "; ".join(
            s.text.rstrip(".") if i == 0 else _mid(s.text.rstrip("."))
            for i, s in enumerate(x for x in steps if x.step == "coverage")
        )
        text += "."
    else:
        text = best.text
    return shorten(text, REASON_LENGTH)


def _mid(text: str) -> str:
    """A sentence continued after a semicolon: its first letter lowered, unless it starts an
    acronym or a name (`PCI`, `Harbor`)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() and text[:1].isupper() else text


def basis_steps(
    assignments: Iterable[Assignment],
) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """Every distinct step of the applicable controls' bases once, numbered in matrix order; and
    each control's steps, in its basis's order, by number."""
    numbers: dict[tuple[str, str | None], int] = {}
    steps: list[dict[str, Any]] = []
    of: dict[str, list[int]] = {}
    for a in assignments:
        if not a.applicable:
            continue
        mine = []
        for step in a.basis:
            key = (step.text, step.citation)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                steps.append({"number": numbers[key], "step": step, "controls": 0})
            steps[numbers[key] - 1]["controls"] += 1
            mine.append(numbers[key])
        of[a.control] = mine
    return steps, of


def excluded(assignments: Iterable[Assignment]) -> list[dict[str, Any]]:
    """The controls that do not apply, grouped by the reason that excludes them, in matrix order."""
    groups: dict[str, list[Assignment]] = {}
    for a in assignments:
        if not a.applicable:
            groups.setdefault(" ".join(s.text for s in a.basis), []).append(a)
    return [
        {"reason": text, "controls": [(x.control.split(":", 1)[1], x.title) for x in rows]}
        for text, rows in groups.items()
    ]


def matrix_row(a: Assignment, steps_of: dict[str, list[int]]) -> dict[str, Any]:
    """One compact row of the responsibility matrix: the deciding step and the numbers of all
    its basis's steps (Appendix A)."""
    return {
        "r": a,
        "id": a.control.split(":", 1)[1],
        "reason": reason(a) if a.applicable else (a.basis[0].text if a.basis else ""),
        "steps": steps_of.get(a.control, []),
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
    """The moving controls grouped by movement, each group under its heading in words, in the
    movements' display order; then the changes the plan does not make but decides in phase 1
    (no agreement covers their work yet), under their own heading: they are not moves."""
    from ctrlmap.models.comparison import DECISION_TITLE, MOVEMENT_TITLES, MOVEMENTS

    groups = [
        (MOVEMENT_TITLES[m], [ch for ch in c.changes if ch.movement == m and not ch.decision])
        for m in MOVEMENTS
    ]
    groups.append((DECISION_TITLE, [ch for ch in c.changes if ch.decision]))
    return [(title, changes) for title, changes in groups if changes]
