"""The HTML audit-evidence report: one self-contained, printable file that embeds its own snapshot.

Everything shown comes from the Report; this module only lays it out (chart and map geometry
on an integer grid) and hands it to `templates/report.html`, which loops and prints. Jinja's
autoescape covers every value; the snapshot is embedded as inert JSON with `<` escaped so that no
user string can close its element.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ctrlmap.formats import register
from ctrlmap.formats.templates import environment
from ctrlmap.present.layout import compare_groups, view
from ctrlmap.present.report import Report

if TYPE_CHECKING:
    from ctrlmap.analyse.changes import DiffResult
    from ctrlmap.models.comparison import CompareResult
    from ctrlmap.models.portfolio import PortfolioResult


@register("compare", "html")
def compare(result: CompareResult) -> str:
    """The comparison and transition plan as a page of its own."""
    return (
        environment()
        .get_template("compare.html")
        .render(c=result, compare_groups=compare_groups(result))
    )


@register("report", "html")
def report(assessment: Report) -> str:
    """The full audit-evidence report."""
    return page(assessment, "html")


def page(assessment: Report, output: str) -> str:
    """The report's HTML for a file of this form (`html`, or `pdf` printed from it): the
    text names the file a reader verifies."""
    return environment().get_template("report.html").render(**view(assessment), output=output)


@register("diff", "html")
def diff(result: DiffResult) -> str:
    """The changes between two snapshots as a page of their own."""
    from ctrlmap.present.findings import diff_view

    return environment().get_template("diff.html").render(**diff_view(result))


@register("portfolio", "html")
def portfolio(result: PortfolioResult) -> str:
    """The portfolio dashboard: totals, clients by risk with their severity bars, providers."""
    from ctrlmap.present.portfolio import portfolio_view

    v = portfolio_view(result)
    return (
        environment()
        .get_template("portfolio.html")
        .render(
            r=result,
            figures=v.figures,
            clients=v.clients,
            providers=v.providers,
            severities=v.severities,
            bar_width=v.bar_width,
            bar_height=v.bar_height,
        )
    )
