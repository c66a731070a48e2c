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

SubjectKind = Literal[
    "functions", "people", "parties", "provider-function", "framework", "roles", "subcategory"
]
SUBJECTS: dict[str, SubjectKind] = {
    "unowned": "functions",
    "no-single-accountable": "functions",
    "shared-without-split": "functions",
    "no-internal-capability": "functions",
    "after-hours-gap": "functions",
    "at-risk-dependency": "functions",
    "single-point-of-failure": "people",
    "missing-handoff": "parties",
    "non-delegable-accountability": "parties",
    "provider-agreement-missing": "parties",
    "provider-oversight-overdue": "parties",
    "on-site-gap": "provider-function",
    "provider-not-contracted": "provider-function",
    "notification-after-hours": "framework",
    "self-assessment": "framework",
    "missing-evidence": "framework",
    "stale-evidence": "framework",
    "designation-missing": "roles",
    "outsourced-designation-without-overseer": "roles",
    "crosswalk-conflict": "subcategory",
}
"""What each rule's weakness is named by: what its finding id is computed from (its grouping
key), in words (an at-risk dependency by its root findings' functions)."""
FEW_FUNCTIONS = 3
"""A weakness name lists this many functions, then says how many more."""


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
    """The finding's first-seen date (`Gap.first_seen`: the plan's `detected`, the baseline's
    record, the approval of its acceptance, else the as-of date)."""
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
        weakness_name=weakness_name(data, gap),
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


def weakness_name(data: ExportInput, gap: Gap) -> str:
    """`<rule>: <subject>`, the subject being what the finding is about (`weakness_subject`)."""
    return f"{gap.rule}: {weakness_subject(data, gap)}"


def weakness_subject(data: ExportInput, gap: Gap) -> str:
    """What the finding is about, in a few words, the same kind of subject for every finding of
    a rule (`SUBJECTS`): its functions, person, parties, provider and function, framework, role or
    CSF subcategory."""
    kind = SUBJECTS.get(gap.rule, "parties")
    providers = [p for p in data.profile.party_order(gap.parties) if p != "internal"]
    if kind == "functions" and gap.functions:
        return _few(list(gap.functions))
    if kind == "people" and gap.people:
        return ", ".join(data.profile.name_of(p) for p in gap.people)
    if kind == "provider-function" and providers:
        names = ", ".join(party_name(data, p) for p in providers)
        return f"{names}: {_few(list(gap.functions))}" if gap.functions else names
    if kind == "framework":
        titles = {c.id: c.title for c in data.catalogs}
        frameworks = dict.fromkeys(k.partition(":")[0] for k in gap.controls)
        if frameworks:
            return ", ".join(titles.get(f, f) for f in frameworks)
    if kind == "roles" and gap.roles:
        return ", ".join(gap.roles)
    if kind == "subcategory" and gap.subcategory:
        return gap.subcategory
    return ", ".join(party_name(data, p) for p in data.profile.party_order(gap.parties))


def _few(items: list[str]) -> str:
    if len(items) <= FEW_FUNCTIONS:
        return ", ".join(items)
    return f"{', '.join(items[:FEW_FUNCTIONS])} and {len(items) - FEW_FUNCTIONS} more"


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
