"""Markdown: tables for the command views, the jinja template for the full report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ctrlmap.formats import register
from ctrlmap.formats.text import crosswalk_summary, local, md_escape, md_table
from ctrlmap.models.results import AssignResult, ByProviderResult
from ctrlmap.present.findings import status_text
from ctrlmap.present.views import ModelView

if TYPE_CHECKING:
    from ctrlmap.analyse.changes import DiffResult
    from ctrlmap.analyse.crosswalk import CrosswalkResult
    from ctrlmap.assessment.gaps import GapsResult
    from ctrlmap.models.comparison import CompareResult
    from ctrlmap.models.portfolio import PortfolioResult
    from ctrlmap.present.report import Report


@register("model", "md")
def model(view: ModelView) -> str:
    """The model's description, then its table of functions."""
    out = [f"# Operating model: {md_escape(view.title)} ({view.id})\n\n"]
    if view.description:
        out.append(f"{md_escape(view.description)}\n\n")
    out.append(
        md_table(
            (
                (
                    f.function,
                    f.owner,
                    f.accountable,
                    ", ".join(f.consulted),
                    ", ".join(f.informed),
                    f.rationale,
                )
                for f in view.functions
            ),
            ("Function", "Owner", "Accountable", "Consulted", "Informed", "Rationale"),
        )
        + "\n"
    )
    return "".join(out)


@register("assign", "md")
def assign(result: AssignResult) -> str:
    """One table per framework."""
    out = [f"# Responsibility matrix: {md_escape(result.organization)}\n\nModel: {result.model}\n"]
    for fw in result.frameworks:
        rows = [a for a in result.assignments if a.framework == fw]
        out.append(f"\n## {fw}\n\n")
        out.append(
            md_table(
                (
                    (
                        local(a.control),
                        a.title,
                        a.level,
                        a.owner or "n/a",
                        ", ".join(a.raci.responsible) if a.raci else "",
                        (a.raci.accountable or "nobody")
                        + (f" ({a.raci.accountable_person})" if a.raci.accountable_person else "")
                        if a.raci
                        else "",
                        ", ".join(a.raci.consulted) if a.raci else "",
                        ", ".join(a.raci.informed) if a.raci else "",
                    )
                    for a in rows
                ),
                ("Control", "Title", "Level", "Owner", "R", "A", "C", "I"),
            )
            + "\n"
        )
    return "".join(out)


@register("by-provider", "md")
def by_provider(result: ByProviderResult) -> str:
    """Per provider, the three lists."""
    out = [
        f"# Responsibility by provider: {md_escape(result.organization)}\n\nModel: {result.model}\n"
    ]
    for p in result.providers:
        out.append(f"\n## {md_escape(p.name)} ({p.provider})\n\n")
        out.append(
            md_table(
                (
                    (label, len(keys), ", ".join(keys) or "-")
                    for label, keys in (
                        ("Managed by provider", p.managed_by_provider),
                        ("Managed by entity", p.managed_by_entity),
                        ("Shared", p.shared),
                    )
                ),
                ("Managed by", "Count", "Controls"),
            )
            + "\n"
        )
    return "".join(out)


@register("gaps", "md")
def gaps(result: GapsResult) -> str:
    """A summary line and one table row per finding."""
    counts = ", ".join(f"{n} {s}" for s, n in result.summary.by_severity.items())
    head = (
        f"# Accountability gaps: {md_escape(result.organization)}\n\n"
        f"Model: {md_escape(result.model_title or result.model)}; as of "
        f"{result.as_of.isoformat()}; {result.summary.total} gaps ({counts})\n\n"
    )
    return (
        head
        + md_table(
            (
                (
                    g.id,
                    g.severity,
                    g.rule,
                    ", ".join(result.party(p) for p in g.parties),
                    f"{len(g.controls)}: "
                    + ", ".join(g.controls[:5])
                    + (" ..." if len(g.controls) > 5 else ""),
                    g.message,
                    g.remediation,
                    g.citation,
                    status_text(g),
                )
                for g in result.gaps
            ),
            (
                "Id",
                "Severity",
                "Rule",
                "Parties",
                "Controls",
                "Finding",
                "Remediation",
                "Citation",
                "Status",
            ),
        )
        + "\n"
    )


@register("report", "md")
def report(assessment: Report) -> str:
    """The full report as Markdown, with the same sections as the HTML."""
    from ctrlmap.formats.templates import environment
    from ctrlmap.present.layout import view

    return environment().get_template("report.md").render(**view(assessment))


@register("crosswalk", "md")
def crosswalk(result: CrosswalkResult) -> str:
    """A summary, then one table row per control, grouped by subcategory."""
    head = (
        f"# CSF 2.0 crosswalk: {md_escape(result.organization)}\n\n"
        f"Model: {result.model}; frameworks: {', '.join(result.frameworks)}. "
        f"{crosswalk_summary(result)}.\n\n"
    )
    rows = []
    for sub in result.subcategories:
        first = True
        for fw, controls in sub.frameworks.items():
            for c in controls:
                rows.append(
                    (
                        f"{sub.id} {sub.title}" if first else "",
                        fw,
                        local(c.control),
                        c.title,
                        c.owner or "",
                        ", ".join(c.responsible),
                        (c.accountable or "nobody")
                        + (f" ({c.accountable_person})" if c.accountable_person else ""),
                        "conflict" if c.conflict else "",
                    )
                )
                first = False
    table = md_table(
        rows, ("CSF subcategory", "Framework", "Control", "Title", "Owner", "R", "A", "Conflict")
    )
    return head + table + "\n"


@register("compare", "md")
def compare(result: CompareResult) -> str:
    """The comparison and transition plan as Markdown."""
    from ctrlmap.formats.templates import environment
    from ctrlmap.present.layout import compare_groups

    return (
        environment()
        .get_template("compare.md")
        .render(c=result, compare_groups=compare_groups(result))
    )


@register("diff", "md")
def diff(result: DiffResult) -> str:
    """The changes between two snapshots as Markdown."""
    from ctrlmap.formats.templates import environment
    from ctrlmap.present.findings import diff_view

    return environment().get_template("diff.md").render(**diff_view(result))


@register("portfolio", "md")
def portfolio(result: PortfolioResult) -> str:
    """The totals, then the clients by risk, then the providers across clients."""
    from ctrlmap.present.portfolio import portfolio_view

    v = portfolio_view(result)
    out = [f"# Portfolio as of {result.as_of.isoformat()}\n\n"]
    out += [f"- {label}: {figure}\n" for label, figure in v.figures]
    out.append("\n## Clients, most at risk first\n\n")
    out.append(
        md_table(
            (
                (
                    c.rank,
                    c.label,
                    c.row.file,
                    c.row.problem or c.bar_text,
                    ", ".join(c.row.critical),
                    ", ".join(c.row.missing_baas),
                    ", ".join(c.row.missing_pci_acknowledgments),
                    ", ".join(c.row.reviews_overdue),
                    f"{c.row.evidence_missing} / {c.row.evidence_stale}"
                    if c.row.status == "assessed"
                    else "",
                    c.row.remediation_overdue if c.row.status == "assessed" else "",
                    c.expiring,
                )
                for c in v.clients
            ),
            (
                "#",
                "Client",
                "File",
                "Findings",
                "Open critical",
                "No BAA",
                "No PCI DSS acknowledgment",
                "Reviews overdue",
                "Controls without / with stale evidence",
                "Past due",
                f"Acceptances expiring within {result.expiring_within_days} days",
            ),
        )
        + "\n"
    )
    if v.providers:
        out.append("\n## Providers across clients\n\n")
        out.append(
            md_table(
                (
                    (
                        p.row.name,
                        p.clients,
                        ", ".join(p.row.functions),
                        ", ".join(f"{getattr(p.row.findings, s)} {s}" for s in v.severities),
                        p.reviews_overdue,
                        p.agreements_missing,
                    )
                    for p in v.providers
                ),
                (
                    "Provider",
                    "Clients",
                    "Functions contracted",
                    "Findings it is a party to",
                    "Reviews overdue at",
                    "Agreements missing at",
                ),
            )
            + "\n"
        )
    return "".join(out)
