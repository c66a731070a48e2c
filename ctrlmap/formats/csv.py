"""CSV for spreadsheets: one row per control (assignments) or per finding (gaps)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ctrlmap.assessment.severity import SEVERITIES
from ctrlmap.formats import register
from ctrlmap.models.base import OWNERS
from ctrlmap.models.results import Assignment, AssignResult, ByProviderResult

if TYPE_CHECKING:
    from ctrlmap.analyse.crosswalk import CrosswalkResult
    from ctrlmap.assessment.gaps import GapsResult
    from ctrlmap.models.portfolio import PortfolioResult
    from ctrlmap.present.portfolio import ClientView
    from ctrlmap.present.report import Report

ASSIGN_COLUMNS = (
    "control",
    "framework",
    "title",
    "level",
    "applicable",
    "owner",
    "responsible",
    "accountable",
    "accountable_person",
    "consulted",
    "informed",
    "people",
    "basis",
)
"""The columns of the responsibility matrix, in order."""

BY_PROVIDER_COLUMNS = ("provider", "name", "agreement", "control", "managed_by")


def write_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV text with a header and LF line ends: every cell neutralized against formulas,
    and quoted when it holds a comma, a quote, or a line break of any kind (CR included)."""
    lines = [",".join(_field(c) for c in columns)]
    lines.extend(",".join(_field("" if v is None else neutralize(v)) for v in row) for row in rows)
    return "\n".join(lines) + "\n"


def _field(value: Any) -> str:
    text = str(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def neutralize(value: Any) -> Any:
    """Neutralize cells a spreadsheet would run as a formula (CSV injection).

    Spreadsheets skip leading blanks and line breaks before reading a formula, so the first
    character that counts is the first one that is not whitespace.
    """
    if (isinstance(value, str) and value.lstrip()[:1] in ("=", "+", "-", "@")) or (
        isinstance(value, str) and value[:1] in ("\t", "\r", "\n")
    ):
        return "'" + value
    return value


def assignment_row(a: Assignment) -> tuple[Any, ...]:
    """One control's row of the matrix."""
    raci = a.raci
    return (
        a.control,
        a.framework,
        a.title,
        a.level,
        "yes" if a.applicable else "no",
        a.owner or "",
        "; ".join(raci.responsible) if raci else "",
        (raci.accountable or "") if raci else "",
        (raci.accountable_person or "") if raci else "",
        "; ".join(raci.consulted) if raci else "",
        "; ".join(raci.informed) if raci else "",
        "; ".join(a.people),
        " | ".join(step.text for step in a.basis),
    )


@register("assign", "csv")
def assign(result: AssignResult) -> str:
    """The responsibility matrix, one row per control, with R, A, C, I columns."""
    return write_rows(ASSIGN_COLUMNS, (assignment_row(a) for a in result.assignments))


@register("by-provider", "csv")
def by_provider(result: ByProviderResult) -> str:
    """One row per (provider, control) with who manages it."""
    rows: list[tuple[Any, ...]] = []
    for p in result.providers:
        for label, keys in (
            ("provider", p.managed_by_provider),
            ("entity", p.managed_by_entity),
            ("shared", p.shared),
        ):
            rows.extend((p.provider, p.name, p.agreement, key, label) for key in keys)
    return write_rows(BY_PROVIDER_COLUMNS, rows)


GAP_COLUMNS = (
    "id",
    "severity",
    "rule",
    "controls",
    "parties",
    "people",
    "roles",
    "functions",
    "message",
    "remediation",
    "citation",
    "score",
    "status",
    "owner",
    "due",
    "progress",
    "overdue",
    "accepted_by",
    "accepted_until",
    "acceptance_reason",
    "due_basis",
    "due_from",
    "first_seen",
    "first_seen_basis",
)
"""The columns of the gap list, in order (the dates' bases last: added after the others)."""


@register("gaps", "csv")
def gaps(result: GapsResult) -> str:
    """One row per finding; list fields joined with '; '."""
    return write_rows(
        GAP_COLUMNS,
        (
            (
                g.id,
                g.severity,
                g.rule,
                "; ".join(g.controls),
                "; ".join(g.parties),
                "; ".join(g.people),
                "; ".join(g.roles),
                "; ".join(g.functions),
                g.message,
                g.remediation,
                g.citation,
                g.score,
                g.status,
                g.owner or "",
                g.due.isoformat() if g.due else "",
                g.progress,
                "yes" if g.overdue else "no",
                g.acceptance.approved_by if g.acceptance else "",
                g.acceptance.expires.isoformat() if g.acceptance else "",
                g.acceptance.reason if g.acceptance else "",
                g.due_basis or "",
                g.due_from.isoformat() if g.due_from else "",
                g.first_seen.isoformat() if g.first_seen else "",
                g.first_seen_basis or "",
            )
            for g in result.gaps
        ),
    )


@register("report", "csv")
def report(assessment: Report) -> str:
    """The report's responsibility matrix: one row per control, R, A, C, I and basis."""
    return write_rows(ASSIGN_COLUMNS, (assignment_row(a) for a in assessment.assignments))


CROSSWALK_COLUMNS = (
    "subcategory",
    "subcategory_title",
    "category",
    "frameworks",
    "subcategory_conflict",
    "framework",
    "control",
    "title",
    "owner",
    "responsible",
    "accountable",
    "accountable_person",
    "control_conflict",
)
"""The columns of the crosswalk: one row per (subcategory, control)."""


@register("crosswalk", "csv")
def crosswalk(result: CrosswalkResult) -> str:
    """One row per control of each subcategory; a control meeting several subcategories repeats."""

    def rows() -> Iterator[tuple[Any, ...]]:
        for sub in result.subcategories:
            for fw, controls in sub.frameworks.items():
                for c in controls:
                    yield (
                        sub.id,
                        sub.title,
                        sub.category,
                        sub.framework_count,
                        "yes" if sub.conflict else "no",
                        fw,
                        c.control,
                        c.title,
                        c.owner or "",
                        "; ".join(c.responsible),
                        c.accountable or "",
                        c.accountable_person or "",
                        "yes" if c.conflict else "no",
                    )

    return write_rows(CROSSWALK_COLUMNS, rows())


PORTFOLIO_COLUMNS = (
    "rank",
    "file",
    "organization",
    "status",
    "problem",
    "same_name_as_another",
    "frameworks",
    "model",
    "applicable",
    *(f"owner_{o}" for o in OWNERS),
    *(f"open_{s}" for s in SEVERITIES),
    *(f"accepted_{s}" for s in SEVERITIES),
    "critical_findings",
    "providers_without_baa",
    "providers_without_pci_acknowledgment",
    "provider_reviews_overdue",
    "controls_without_evidence",
    "controls_with_stale_evidence",
    "remediation_overdue",
    "acceptances_expiring",
    "report",
)
"""The columns of the portfolio, one row per client, most at risk first."""


@register("portfolio", "csv")
def portfolio(result: PortfolioResult) -> str:
    """One row per client, ranked by risk; list fields joined with '; '."""
    from ctrlmap.present.portfolio import portfolio_view

    def row(c: ClientView) -> tuple[Any, ...]:
        r, assessed = c.row, c.row.status == "assessed"
        return (
            c.rank,
            r.file,
            r.organization or "",
            r.status,
            r.problem or "",
            "yes" if r.duplicate else "no",
            "; ".join(r.frameworks),
            r.model or "",
            r.applicable if assessed else "",
            *((r.owners.get(o, 0) if assessed else "") for o in OWNERS),
            *((getattr(r.open, s) if assessed else "") for s in SEVERITIES),
            *((getattr(r.accepted, s) if assessed else "") for s in SEVERITIES),
            "; ".join(r.critical),
            "; ".join(r.missing_baas),
            "; ".join(r.missing_pci_acknowledgments),
            "; ".join(r.reviews_overdue),
            r.evidence_missing if assessed else "",
            r.evidence_stale if assessed else "",
            r.remediation_overdue if assessed else "",
            c.expiring,
            r.report or "",
        )

    return write_rows(PORTFOLIO_COLUMNS, (row(c) for c in portfolio_view(result).clients))
