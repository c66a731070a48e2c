"""How tracking reads: a finding's status, acceptance, owner and due date; the changes since a baseline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctrlmap.models.results import Gap

if TYPE_CHECKING:
    from ctrlmap.analyse.changes import DiffResult, Placement


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
        basis = " by policy" if gap.due_basis == "policy" else ""
        parts.append(f"due {gap.due.isoformat()}{basis}" + (" (overdue)" if gap.overdue else ""))
    return "; ".join(parts)


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


def diff_view(d: DiffResult) -> dict[str, Any]:
    """What the diff templates print, shaped: counts, placements in words, changed findings."""
    return {
        "d": d,
        "severities": list(d.new.by_severity),
        "changed_findings": [p for p in d.persisting if p.changes],
        "unchanged": sum(not p.changes for p in d.persisting),
        "moves": [(m, placement_text(m.before), placement_text(m.after)) for m in d.moved],
    }
