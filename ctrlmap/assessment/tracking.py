"""What the practitioner has decided about each finding: accepted risks and the remediation plan.

A finding is matched to the profile's `accepted_risks` and `remediation` entries by its stable
id. An acceptance is in force from its approval date until (not including) its expiry date; a
finding with no plan entry gets an owner (its controls' Accountable person, else the holder of
the first required designated role) and a due date from the remediation policy (README,
"Tracking findings").

A policy due date counts from the finding's first-seen date: the plan's `detected`, else the date
a baseline snapshot (`--baseline OLD`) first saw it or the day an acceptance of it was approved
(the earlier), else the as-of date; for a finding whose
acceptance lapsed, from the lapse when that is later (the clock did not run while it was accepted).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping

from ctrlmap.models import Profile
from ctrlmap.models.profile import AcceptedRisk, RemediationItem
from ctrlmap.models.results import (
    Acceptance,
    Assignment,
    DesignationEntry,
    FirstSeenBasis,
    Gap,
    PlanMilestone,
)


def due_date(start: dt.date, days: int) -> dt.date:
    """`start` plus `days`, the last representable date when that runs past year 9999."""
    try:
        return start + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def default_owner(gap: Gap, applicable: Mapping[str, Assignment]) -> str | None:
    """The Accountable person (or provider) most of the finding's controls name, else None."""
    counted: Counter[str] = Counter()
    for key in gap.controls:
        a = applicable.get(key)
        if a is None or a.raci is None:
            continue
        who = a.raci.accountable_person or (
            a.raci.accountable if a.raci.accountable not in (None, "internal") else None
        )
        if who is not None:
            counted[who] += 1
    return counted.most_common(1)[0][0] if counted else None


def fallback_owner(designations: Mapping[str, DesignationEntry]) -> DesignationEntry | None:
    """The internal holder of the first required designated role: who answers for the program
    when a finding's own controls name nobody (a finding about nobody being Accountable)."""
    return next(
        (d for d in designations.values() if d.required and d.holder_party == "internal"), None
    )


def track(
    gaps: Iterable[Gap],
    profile: Profile,
    applicable: Mapping[str, Assignment],
    designations: Mapping[str, DesignationEntry],
    as_of: dt.date,
    seen: Mapping[str, dt.date] | None = None,
) -> list[Gap]:
    """The findings with their status, acceptance, owner, due date and plan from the profile.

    `seen` gives, by finding id, the first-seen dates a baseline snapshot records
    (`Snapshot.first_seen`); a date after `as_of` is ignored.
    """
    accepted = {r.finding: r for r in profile.accepted_risks}
    planned = {p.finding: p for p in profile.remediation}
    official = fallback_owner(designations)
    return [
        _tracked(
            g,
            accepted.get(g.id),
            planned.get(g.id),
            profile,
            applicable,
            official,
            as_of,
            (seen or {}).get(g.id),
        )
        for g in gaps
    ]


def first_seen(
    item: RemediationItem | None,
    risk: AcceptedRisk | None,
    baseline: dt.date | None,
    as_of: dt.date,
) -> tuple[dt.date, FirstSeenBasis]:
    """When a finding was first seen, and how that is known: the plan's `detected`; else the
    earlier of the baseline's first-seen date and the day an acceptance of it was approved (it
    was known then), each only when not after `as_of`; else `as_of` (no earlier record)."""
    if item is not None and item.detected is not None:
        return item.detected, "detected"
    known: list[tuple[dt.date, FirstSeenBasis]] = []
    if baseline is not None and baseline <= as_of:
        known.append((baseline, "baseline"))
    if risk is not None and risk.approved <= as_of:
        known.append((risk.approved, "accepted"))
    return min(known, key=lambda k: k[0]) if known else (as_of, "as-of")


def _tracked(
    gap: Gap,
    risk: AcceptedRisk | None,
    item: RemediationItem | None,
    profile: Profile,
    applicable: Mapping[str, Assignment],
    official: DesignationEntry | None,
    as_of: dt.date,
    baseline_seen: dt.date | None,
) -> Gap:
    update: dict[str, object] = {}
    in_force = risk is not None and risk.approved <= as_of < risk.expires
    if risk is not None and in_force:
        update["status"] = "accepted"
        update["acceptance"] = Acceptance(
            reason=risk.reason,
            approved_by=risk.approved_by,
            approved_by_name=profile.name_of(risk.approved_by),
            approved=risk.approved,
            expires=risk.expires,
        )
    elif risk is not None and risk.expires <= as_of:
        update["acceptance_lapsed"] = risk.expires
    owner = item.owner if item is not None and item.owner else None
    update["owner_basis"] = "plan" if owner else None
    if owner is None and (owner := default_owner(gap, applicable)) is not None:
        update["owner_basis"] = "accountable"
    if owner is None and official is not None:
        owner, update["owner_basis"] = official.holder, official.role
    update["owner"] = owner
    update["owner_name"] = profile.name_of(owner) if owner else None
    if item is not None:
        update["progress"] = item.status
        update["detected"] = item.detected
        update["milestones"] = tuple(
            PlanMilestone(date=m.date, text=m.text)
            for m in sorted(item.milestones, key=lambda m: m.date)
        )
        update["note"] = item.note
    seen, update["first_seen_basis"] = first_seen(item, risk, baseline_seen, as_of)
    update["first_seen"] = seen
    due: dt.date | None = None
    if item is not None and item.due is not None:
        due, update["due_basis"] = item.due, "plan"
    elif not in_force:
        lapsed = risk.expires if risk is not None and risk.expires <= as_of else None
        start = max(seen, lapsed) if lapsed is not None else seen
        days = getattr(profile.remediation_policy, gap.severity)
        due, update["due_basis"], update["due_from"] = due_date(start, days), "policy", start
    update["due"] = due
    progress = item.status if item is not None else "open"
    update["overdue"] = due is not None and due < as_of and progress != "done" and not in_force
    return gap.model_copy(update=update)
