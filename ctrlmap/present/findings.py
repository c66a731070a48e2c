"""How a finding's tracking reads: its status, acceptance, owner and due date, in one line."""

from __future__ import annotations

from ctrlmap.models.results import Gap


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
    parts.append(f"owner {gap.owner_name}" if gap.owner_name else "no owner named")
    if gap.due is not None:
        basis = " by policy" if gap.due_basis == "policy" else ""
        parts.append(f"due {gap.due.isoformat()}{basis}" + (" (overdue)" if gap.overdue else ""))
    return "; ".join(parts)


def plan_state(gap: Gap) -> str:
    """`open`, `in progress`, `accepted`, or `marked done, still present`."""
    if gap.status == "accepted":
        return "accepted"
    return {
        "open": "open",
        "in-progress": "in progress",
        "done": "marked done, still present",
    }[gap.progress]
