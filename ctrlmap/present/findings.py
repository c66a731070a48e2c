"""How tracking reads: a finding's status, acceptance, owner and due date; the changes since a baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctrlmap.models.results import Gap

if TYPE_CHECKING:
    from ctrlmap.analyse.changes import DiffResult, FindingChange, Placement


def status_text(gap: Gap) -> str:
    """`accepted by Kim Lee until 2027-04-01: <reason>`, or `open; owner ...; due ...`."""
    if gap.acceptance is not None:
        a = gap.acceptance
        return (
            f"accepted by {a.approved_by_name} on {a.approved.isoformat()} until "
            f"{a.expires.isoformat()}: {a.reason}"
        )
    parts = [plan_state(gap)]
    if gap.acceptance_lapsed is not None:
        parts.append(f"acceptance lapsed on {gap.acceptance_lapsed.isoformat()}")
    parts.append(owner_text(gap))
    if gap.due is not None:
        parts.append(due_text(gap))
    return "; ".join(parts)


FIRST_SEEN = {
    "detected": "the plan's detected date",
    "baseline": "first seen in the baseline",
    "accepted": "the day its risk acceptance was approved",
    "as-of": "the as-of date, no earlier record",
}
"""Where a first-seen date comes from, in words (`Gap.first_seen_basis`)."""


def due_text(gap: Gap) -> str:
    """`due 2027-03-01` (a planned date), or `due 2027-03-01 by policy: 90 days from 2026-12-01
    (first seen in the baseline)`, with `(overdue)` after the date when it is."""
    if gap.due is None:
        return "no due date"
    text = f"due {gap.due.isoformat()}" + (" (overdue)" if gap.overdue else "")
    if gap.due_basis == "policy" and gap.due_from is not None:
        text += f" by policy: {(gap.due - gap.due_from).days} days from {due_from_text(gap)}"
    return text


def due_from_text(gap: Gap) -> str:
    """The day a policy due date counts from and why: `2026-12-01 (first seen in the baseline)`."""
    if gap.due_from is None:
        return ""
    if gap.first_seen is not None and gap.due_from > gap.first_seen:
        why = "the day its acceptance lapsed"
    else:
        why = FIRST_SEEN.get(gap.first_seen_basis or "as-of", "")
    return f"{gap.due_from.isoformat()} ({why})"


def owner_text(gap: Gap) -> str:
    """`owner Kim Lee`, with the role when the owner stands in as its holder."""
    if not gap.owner_name:
        return "no owner named"
    if gap.owner_basis in (None, "plan", "accountable"):
        return f"owner {gap.owner_name}"
    return f"owner {gap.owner_name} ({gap.owner_basis}: nobody is Accountable for its controls)"


def plan_state(gap: Gap) -> str:
    """`open`, `in progress`, `accepted`, or `marked done, still present`."""
    if gap.status == "accepted":
        return "accepted"
    return {
        "open": "open",
        "in-progress": "in progress",
        "done": "marked done, still present",
    }[gap.progress]


def placement_text(p: Placement) -> str:
    """`shared; R internal, harbor; A internal (sam)`, or `not applicable`."""
    if not p.applicable:
        return "not applicable"
    accountable = p.accountable or "nobody"
    if p.accountable_person:
        accountable += f" ({p.accountable_person})"
    return f"{p.owner or 'unassigned'}; R {', '.join(p.responsible) or 'nobody'}; A {accountable}"


PROGRESS = {"open": "open", "in-progress": "in progress", "done": "marked done"}


def closed_text(f: FindingChange) -> str:
    """How a closed finding stood at the baseline and that it is closed now:
    `was open, overdue; closed (no longer found)`."""
    was = "accepted" if f.status == "accepted" else PROGRESS.get(f.progress, f.progress)
    return f"was {was}{', overdue' if f.overdue else ''}; closed (no longer found)"


def opened_text(f: FindingChange) -> str:
    """An opened finding's status now: `open`, `accepted`, `open, overdue`."""
    now = "accepted" if f.status == "accepted" else PROGRESS.get(f.progress, f.progress)
    return now + (", overdue" if f.overdue else "")


def diff_view(d: DiffResult) -> dict[str, Any]:
    """What the diff templates print, shaped: counts, placements in words, changed findings,
    and each opened and closed finding with its status in words."""
    return {
        "d": d,
        "finding_tables": [
            ("Opened", "Status now", [(f, opened_text(f)) for f in d.opened]),
            ("Closed", "Status", [(f, closed_text(f)) for f in d.closed]),
        ],
        "severities": list(d.new.by_severity),
        "changed_findings": [p for p in d.persisting if p.changes],
        "unchanged": sum(not p.changes for p in d.persisting),
        "moves": [(m, placement_text(m.before), placement_text(m.after)) for m in d.moved],
    }
