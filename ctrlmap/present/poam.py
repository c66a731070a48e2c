"""The POA&M: each current finding as a plan-of-action-and-milestones item, filled only from facts.

`poam_rows` gives one `PoamItem` per finding (open or accepted, in the gap list's order) with the
FedRAMP POA&M columns ctrlmap can fill; `ctrlmap.formats.poam` lays them out as the FedRAMP CSV
(`poam-csv`) and as an OSCAL plan of action and milestones (`oscal-poam`). A column ctrlmap holds
no fact for (Resources Required, Milestone Changes, Adjusted Risk Rating, Risk Adjustment) stays
empty; the mapping is tabled in the README ("Exports", POA&M).

FedRAMP rates risk Low, Moderate or High: ctrlmap's critical and high are High, medium is
Moderate, low is Low, and ctrlmap's own severity is kept in the comments.
"""

from __future__ import annotations

from typing import Literal

from ctrlmap.models import Strict
from ctrlmap.models.base import Date
from ctrlmap.models.results import Gap
from ctrlmap.present.exports import ExportInput, party_name
from ctrlmap.present.findings import FIRST_SEEN, due_from_text, plan_state

RiskRating = Literal["Low", "Moderate", "High"]
RISK_RATINGS: dict[str, RiskRating] = {
    "critical": "High",
    "high": "High",
    "medium": "Moderate",
    "low": "Low",
}
"""ctrlmap's severity read on FedRAMP's three-level scale."""

EVIDENCE_RULES = ("missing-evidence", "stale-evidence")
"""Rules grouped by framework: their subject is the framework, not the organization."""
FEW_FUNCTIONS = 3
"""A finding on more functions than this is named by its people or parties instead."""


class VendorCheckIn(Strict):
    """A provider a finding depends on, and its last oversight review where recorded."""

    provider: str
    name: str
    last_reviewed: Date | None


class PoamItem(Strict):
    """One finding with every POA&M fact ctrlmap holds about it."""

    gap: Gap
    weakness_name: str
    detector: str
    """`ctrlmap <version> accountability analysis`."""
    assets: tuple[str, ...]
    """The organization, then the other parties of the finding, by name."""
    remediation_plan: str
    detected: Date
    """The finding's first-seen date: the plan's `detected`, else the baseline's first-seen
    date (`--baseline`), else the as-of date."""
    status_date: Date
    vendors: tuple[VendorCheckIn, ...]
    risk_rating: RiskRating
    deviation_rationale: str
    """For an accepted finding: who accepted it, when, until when, and why; else empty."""
    evidence: tuple[str, ...]
    """The profile's evidence references for the finding's controls, with their review dates."""
    comments: tuple[str, ...]


def poam_rows(data: ExportInput) -> list[PoamItem]:
    """One POA&M item per current finding (open or accepted), in the gap list's order."""
    return [poam_item(data, g) for g in data.gaps]


def poam_item(data: ExportInput, gap: Gap) -> PoamItem:
    """The POA&M facts of one finding."""
    providers = {p.id: p for p in data.profile.providers}
    vendors = tuple(
        VendorCheckIn(provider=p, name=providers[p].name, last_reviewed=providers[p].last_reviewed)
        for p in gap.parties
        if p in providers
    )
    plan = gap.remediation + (f" Plan note: {gap.note}" if gap.note else "")
    return PoamItem(
        gap=gap,
        weakness_name=f"{gap.rule}: {weakness_subject(data, gap)}",
        detector=f"ctrlmap {data.tool_version} accountability analysis",
        assets=tuple(
            party_name(data, p) for p in data.profile.party_order(("internal", *gap.parties))
        ),
        remediation_plan=plan,
        detected=gap.first_seen or data.as_of,
        status_date=data.as_of,
        vendors=vendors,
        risk_rating=RISK_RATINGS[gap.severity],
        deviation_rationale=deviation_rationale(gap),
        evidence=evidence_references(data, gap),
        comments=comments(gap),
    )


def weakness_subject(data: ExportInput, gap: Gap) -> str:
    """What the finding is about, in a few words: its role, CSF subcategory, function(s),
    person(s), framework (a finding on the organization alone), else its parties."""
    if gap.roles:
        return ", ".join(gap.roles)
    if gap.subcategory:
        return gap.subcategory
    if gap.functions and len(gap.functions) <= FEW_FUNCTIONS:
        return ", ".join(gap.functions)
    if gap.people:
        return ", ".join(data.profile.name_of(p) for p in gap.people)
    frameworks = list(dict.fromkeys(k.partition(":")[0] for k in gap.controls))
    titles = {c.id: c.title for c in data.catalogs}
    if gap.rule in EVIDENCE_RULES and frameworks:
        return ", ".join(titles.get(f, f) for f in frameworks)
    return ", ".join(party_name(data, p) for p in data.profile.party_order(gap.parties))


def deviation_rationale(gap: Gap) -> str:
    """`Risk accepted by NAME on DATE until DATE: REASON`, for an accepted finding."""
    a = gap.acceptance
    if a is None:
        return ""
    return (
        f"Risk accepted by {a.approved_by_name} on {a.approved.isoformat()} until "
        f"{a.expires.isoformat()}: {a.reason}"
    )


def evidence_references(data: ExportInput, gap: Gap) -> tuple[str, ...]:
    """Each evidence reference the profile records for the finding's controls, once."""
    keys = set(gap.controls)
    return tuple(
        dict.fromkeys(
            f"{e.reference} (reviewed {e.reviewed.isoformat()})"
            for e in data.profile.evidence
            if e.control in keys
        )
    )


def comments(gap: Gap) -> tuple[str, ...]:
    """The citation, ctrlmap's severity, and what the plan adds: overdue, done yet still found."""
    out = [f"Citation: {gap.citation}", f"ctrlmap severity: {gap.severity} (score {gap.score})"]
    state = plan_state(gap)
    if state not in ("open", "accepted"):
        out.append(state.capitalize())
    if gap.overdue:
        out.append("Overdue")
    if gap.acceptance_lapsed is not None:
        out.append(f"Acceptance lapsed on {gap.acceptance_lapsed.isoformat()}")
    if gap.first_seen_basis is not None:
        out.append(f"Original detection date: {FIRST_SEEN[gap.first_seen_basis]}")
    if gap.due_basis == "policy" and gap.due is not None and gap.due_from is not None:
        start = (
            "the original detection date" if gap.due_from == gap.first_seen else due_from_text(gap)
        )
        out.append(
            "Scheduled completion from the remediation policy for its severity: "
            f"{(gap.due - gap.due_from).days} days from {start}"
        )
    return tuple(out)


POAM_COLUMNS = (
    "POAM ID",
    "Controls",
    "Weakness Name",
    "Weakness Description",
    "Weakness Detector Source",
    "Weakness Source Identifier",
    "Asset Identifier",
    "Point of Contact",
    "Resources Required",
    "Overall Remediation Plan",
    "Original Detection Date",
    "Scheduled Completion Date",
    "Planned Milestones",
    "Milestone Changes",
    "Status Date",
    "Vendor Dependency",
    "Last Vendor Check-in Date",
    "Vendor Dependent Product Name",
    "Original Risk Rating",
    "Adjusted Risk Rating",
    "Risk Adjustment",
    "False Positive",
    "Operational Requirement",
    "Deviation Rationale",
    "Supporting Documents",
    "Comments",
)
"""The FedRAMP POA&M columns, in the template's order."""


def poam_row(item: PoamItem) -> tuple[str, ...]:
    """One item as the FedRAMP POA&M's cells, in POAM_COLUMNS order (CSV and workbook alike)."""
    g = item.gap
    return (
        g.id,
        "; ".join(g.controls),
        item.weakness_name,
        g.message,
        item.detector,
        g.rule,
        "; ".join(item.assets),
        g.owner_name or "",
        "",
        item.remediation_plan,
        item.detected.isoformat(),
        g.due.isoformat() if g.due else "",
        "\n".join(f"{m.date.isoformat()}: {m.text}" for m in g.milestones),
        "",
        item.status_date.isoformat(),
        "Yes" if item.vendors else "No",
        check_ins(item),
        "; ".join(v.name for v in item.vendors),
        item.risk_rating,
        "",
        "",
        "No",
        "Yes" if g.status == "accepted" else "No",
        item.deviation_rationale,
        "\n".join(item.evidence),
        "\n".join(item.comments),
    )


def check_ins(item: PoamItem) -> str:
    """The provider's last review date; with several providers, each one's by name."""
    dates = [(v.name, v.last_reviewed.isoformat()) for v in item.vendors if v.last_reviewed]
    if len(item.vendors) == 1:
        return dates[0][1] if dates else ""
    return "; ".join(f"{name}: {day}" for name, day in dates)
