"""What changed between two report snapshots: findings opened, closed and persisting (by id),
controls whose owner or RACI moved, and evidence added, refreshed, gone stale or removed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Literal

from pydantic import Field

from ctrlmap.assessment.severity import SEVERITIES
from ctrlmap.load.snapshots import SnapAssignment, SnapEvidence, SnapGap, Snapshot
from ctrlmap.models import Strict
from ctrlmap.models.base import Date, Severity


class Side(Strict):
    """One of the two snapshots compared."""

    file: str
    sha256: str
    schema_: str = Field(alias="schema")
    tool: str
    organization: str
    model: str
    as_of: Date
    total: int
    by_severity: dict[str, int]
    accepted: int
    overdue: int = 0
    """Findings past their due date (as that snapshot judged them)."""


class FindingChange(Strict):
    """A finding opened or closed: what it is, as the snapshot that has it records it (for a
    closed finding, OLD: its status, progress and overdue are how it stood at the baseline)."""

    id: str | None
    rule: str
    severity: Severity
    status: str
    controls: int
    message: str
    progress: str = "open"
    overdue: bool = False
    first_seen: Date | None = None


class Persisting(Strict):
    """A finding in both snapshots, with what changed about it (nothing, often)."""

    id: str | None
    rule: str
    severity: Severity
    status: str
    before_severity: Severity
    before_status: str
    changes: tuple[str, ...]
    """`severity high -> medium`, `status open -> accepted`, `progress open -> in-progress`,
    `owner rosa -> tidewater`, `due 2026-12-01 -> 2027-03-01` (a planned date, or a policy date
    when NEW kept the finding's first-seen date), `overdue no -> yes`, `controls 1 -> 3 (2
    added)`, `acceptance lapsed on 2027-01-31`."""


class Placement(Strict):
    """Who a control is placed with."""

    owner: str | None
    responsible: tuple[str, ...]
    accountable: str | None
    accountable_person: str | None
    applicable: bool


class Moved(Strict):
    """A control whose owner, Responsible or Accountable parties changed."""

    control: str
    title: str
    before: Placement
    after: Placement


class EvidenceChange(Strict):
    """An evidence item added, refreshed, gone stale or removed."""

    control: str
    reference: str
    change: Literal["added", "refreshed", "stale", "removed"]
    before: Date | None
    after: Date | None


class DiffResult(Strict):
    """`ctrlmap diff OLD NEW`: the changes from one assessment to the next."""

    schema_: Literal["ctrlmap/diff@1"] = Field("ctrlmap/diff@1", alias="schema")
    old: Side
    new: Side
    changed: bool
    """False when nothing was opened, closed, moved or changed."""
    opened: tuple[FindingChange, ...]
    closed: tuple[FindingChange, ...]
    persisting: tuple[Persisting, ...]
    moved: tuple[Moved, ...]
    evidence: tuple[EvidenceChange, ...]
    notes: tuple[str, ...]
    """What the comparison could not see (older snapshots, other organizations, other dates)."""


def side(snapshot: Snapshot, file: str, sha256: str) -> Side:
    """The summary of one snapshot."""
    gaps = [e.gap for e in snapshot.gaps]
    counted: Counter[str] = Counter(g.severity for g in gaps)
    return Side.model_validate(
        {
            "file": file,
            "sha256": sha256,
            "schema": snapshot.schema_,
            "tool": snapshot.tool,
            "organization": snapshot.organization.name,
            "model": snapshot.model,
            "as_of": snapshot.as_of,
            "total": len(gaps),
            "by_severity": {s: counted.get(s, 0) for s in SEVERITIES},
            "accepted": sum(g.status == "accepted" for g in gaps),
            "overdue": sum(g.overdue for g in gaps),
        }
    )


def _match_key(gap: SnapGap, by_id: bool) -> tuple[str, ...]:
    return (gap.id or "",) if by_id else (gap.rule, *sorted(gap.controls))


def _change(gap: SnapGap) -> FindingChange:
    return FindingChange(
        id=gap.id,
        rule=gap.rule,
        severity=gap.severity,
        status=gap.status,
        controls=len(gap.controls),
        message=gap.message,
        progress=gap.progress,
        overdue=gap.overdue,
        first_seen=gap.first_seen,
    )


def _placement(a: SnapAssignment) -> Placement:
    raci = a.raci
    return Placement(
        owner=a.owner,
        responsible=tuple(sorted(raci.responsible)) if raci else (),
        accountable=raci.accountable if raci else None,
        accountable_person=raci.accountable_person if raci else None,
        applicable=a.applicable,
    )


def diff(old: Snapshot, new: Snapshot, old_side: Side, new_side: Side) -> DiffResult:
    """Compare two snapshots on what both carry, saying in `notes` what one of them lacks."""
    notes: list[str] = []
    old_gaps = [e.gap for e in old.gaps]
    new_gaps = [e.gap for e in new.gaps]
    by_id = all(g.id for g in old_gaps) and all(g.id for g in new_gaps)
    if not by_id:
        notes.append(
            "One snapshot has no finding ids (a ctrlmap/report@1 snapshot from ctrlmap 0.1.0): "
            "findings are matched by rule and controls, so a finding whose controls changed shows "
            "as closed and opened."
        )
    if old.schema_ != new.schema_:
        notes.append(
            f"OLD is {old.schema_} and NEW is {new.schema_}: they are compared on what both carry."
        )
    if old.organization.name != new.organization.name:
        notes.append(
            f"OLD is a report of {old.organization.name} and NEW of {new.organization.name}."
        )
    if new.as_of < old.as_of:
        notes.append(
            f"NEW ({new.as_of.isoformat()}) is dated before OLD ({old.as_of.isoformat()})."
        )
    if old.model != new.model:
        notes.append(f"The model changed from {old.model} to {new.model}.")

    before = {_match_key(g, by_id): g for g in old_gaps}
    after = {_match_key(g, by_id): g for g in new_gaps}
    opened = [_change(g) for k, g in after.items() if k not in before]
    closed = [_change(g) for k, g in before.items() if k not in after]
    persisting = []
    recounted = 0
    for key, now in after.items():
        was = before.get(key)
        if was is None:
            continue
        # A policy date moves with the as-of date unless NEW kept the finding's first-seen date:
        # only then (or for a planned date) is a due date moving news.
        kept = now.first_seen is not None and now.first_seen == (was.first_seen or old.as_of)
        # an accepted finding has no policy due date: its status change says it all
        dated = "plan" in (was.due_basis, now.due_basis) or (
            kept and was.status == now.status == "open"
        )
        if not kept and now.due_basis == "policy" and was.status == now.status == "open":
            recounted += 1
        changes = [
            f"{label} {a or 'none'} -> {b or 'none'}"
            for label, a, b in (
                ("severity", was.severity, now.severity),
                ("status", was.status, now.status),
                ("progress", was.progress, now.progress),
                ("owner", was.owner, now.owner),
                ("due", _day(was.due), _day(now.due)) if dated else ("due", None, None),
                ("overdue", _yes(was.overdue), _yes(now.overdue)),
            )
            if a != b
        ]
        if spread := _controls_change(was, now):
            changes.append(spread)
        if now.acceptance_lapsed is not None and was.status == "accepted":
            changes.append(f"acceptance lapsed on {now.acceptance_lapsed.isoformat()}")
        persisting.append(
            Persisting(
                id=now.id,
                rule=now.rule,
                severity=now.severity,
                status=now.status,
                before_severity=was.severity,
                before_status=was.status,
                changes=tuple(changes),
            )
        )

    if recounted:
        notes.append(
            f"{recounted} finding(s) OLD already had count their policy due dates in NEW from "
            "NEW's own date, not from when OLD first saw them: their due dates are not compared. "
            "Make NEW with `--baseline OLD` to keep the first-seen dates."
        )

    old_controls = {a.control: a for a in old.assignments}
    moved = []
    only_new = 0
    for a in new.assignments:
        was_a = old_controls.get(a.control)
        if was_a is None:
            only_new += 1
            continue
        then, now_p = _placement(was_a), _placement(a)
        if then != now_p and (then.applicable or now_p.applicable):
            moved.append(Moved(control=a.control, title=a.title, before=then, after=now_p))
    only_old = len(set(old_controls) - {a.control for a in new.assignments})
    if only_new or only_old:
        notes.append(
            f"{only_new} control(s) only in NEW and {only_old} only in OLD (a catalog update or a "
            "framework added or dropped): not counted as moved."
        )

    evidence = _evidence(old, new)
    return DiffResult.model_validate(
        {
            "old": old_side,
            "new": new_side,
            "changed": bool(
                opened or closed or moved or evidence or any(p.changes for p in persisting)
            ),
            "opened": _by_severity(opened),
            "closed": _by_severity(closed),
            "persisting": persisting,
            "moved": moved,
            "evidence": evidence,
            "notes": notes,
        }
    )


def _controls_change(was: SnapGap, now: SnapGap) -> str | None:
    """`controls 1 -> 3 (2 added)`: a finding that now covers other controls (evidence gone stale,
    a function's controls grown), else None."""
    before, after = set(was.controls), set(now.controls)
    added, removed = len(after - before), len(before - after)
    if not added and not removed:
        return None
    parts = [f"{n} {word}" for n, word in ((added, "added"), (removed, "removed")) if n]
    return f"controls {len(before)} -> {len(after)} ({', '.join(parts)})"


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _by_severity(items: list[FindingChange]) -> list[FindingChange]:
    return sorted(items, key=lambda c: (SEVERITIES.index(c.severity), c.id or "", c.rule))


def _evidence(old: Snapshot, new: Snapshot) -> list[EvidenceChange]:
    then = {(e.control, e.reference): e for e in old.evidence}
    now = {(e.control, e.reference): e for e in new.evidence}
    found: list[EvidenceChange] = []

    def add(e: SnapEvidence, change: str, before: dt.date | None, after: dt.date | None) -> None:
        found.append(
            EvidenceChange.model_validate(
                {
                    "control": e.control,
                    "reference": e.reference,
                    "change": change,
                    "before": before,
                    "after": after,
                }
            )
        )

    for key, e in now.items():
        was = then.get(key)
        if was is None:
            add(e, "added", None, e.reviewed)
        elif e.reviewed > was.reviewed:
            add(e, "refreshed", was.reviewed, e.reviewed)
        elif e.status == "stale" and was.status != "stale":
            add(e, "stale", was.reviewed, e.reviewed)
    for key, was in then.items():
        if key not in now:
            add(was, "removed", was.reviewed, None)
    return sorted(found, key=lambda c: (c.control, c.reference, c.change))
