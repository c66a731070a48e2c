"""The spreadsheet export shaped as sheets of rows: the matrix, by provider, the findings, the POA&M.

`workbook_sheets` decides every row, column and width; `ctrlmap.formats.xlsx` only writes them
with openpyxl. Cells hold text (or a date); names stand where a reader expects names (the
organization, its providers, its people), ids where a reader filters (framework, control, rule).

A POA&M sheet is not built here: no POA&M row builder exists on this branch yet (see README,
"Exports").
"""

from __future__ import annotations

from ctrlmap.models import Strict
from ctrlmap.models.base import Date, split_key
from ctrlmap.models.results import Assignment
from ctrlmap.present.exports import ExportInput, party_name, person_name
from ctrlmap.present.findings import plan_state

Cell = str | int | Date | None

REASON_STEPS = (
    "override",
    "scope",
    "applicability",
    "non-delegable",
    "designation",
    "independence",
    "coverage",
    "model",
    "provider",
    "result",
)
"""The basis steps a row's one-line reason is taken from, the most telling first."""

MANAGED_BY = (
    ("managed_by_provider", "Provider"),
    ("managed_by_entity", "Entity"),
    ("shared", "Shared"),
)


class Sheet(Strict):
    """One sheet: its title, header, column widths (in characters) and rows."""

    title: str
    columns: tuple[str, ...]
    widths: tuple[int, ...]
    rows: tuple[tuple[Cell, ...], ...]
    severity_column: int | None = None
    """The 0-based column holding a severity, whose cells are colored by it."""


def reason_line(a: Assignment) -> str:
    """The one step of a control's basis that says most about why it sits where it does."""
    for step in REASON_STEPS:
        found = next((b.text for b in a.basis if b.step == step), None)
        if found is not None:
            return found
    return a.basis[0].text if a.basis else ""


def _names(data: ExportInput, parties: tuple[str, ...]) -> str:
    return "; ".join(party_name(data, p) for p in parties)


def matrix_sheet(data: ExportInput) -> Sheet:
    """One row per control of the profile's frameworks; not-applicable ones say why."""
    rows: list[tuple[Cell, ...]] = []
    for a in data.assignments.assignments:
        raci = a.raci
        rows.append(
            (
                a.framework,
                split_key(a.control)[1],
                a.title,
                a.level,
                a.owner if a.applicable and a.owner else "not applicable",
                _names(data, raci.responsible) if raci else "",
                party_name(data, raci.accountable) if raci and raci.accountable else "",
                person_name(data, raci.accountable_person)
                if raci and raci.accountable_person
                else "",
                _names(data, raci.consulted) if raci else "",
                _names(data, raci.informed) if raci else "",
                reason_line(a),
            )
        )
    return Sheet(
        title="Responsibility matrix",
        columns=(
            "Framework",
            "Control",
            "Title",
            "Level",
            "Owner",
            "Responsible",
            "Accountable",
            "Accountable person",
            "Consulted",
            "Informed",
            "Reason",
        ),
        widths=(18, 22, 48, 12, 14, 30, 26, 22, 24, 24, 80),
        rows=tuple(rows),
    )


def provider_sheet(data: ExportInput) -> Sheet:
    """Per provider, each control it touches and who manages it (assign --by-provider)."""
    titles = {a.control: a.title for a in data.assignments.assignments}
    rows: list[tuple[Cell, ...]] = []
    for p in data.matrix.providers:
        for attribute, label in MANAGED_BY:
            for key in getattr(p, attribute):
                framework, control = split_key(key)
                rows.append((p.name, p.agreement or "", framework, control, titles[key], label))
    org = data.profile.organization.name
    for label, keys in (
        ("Entity only", data.matrix.entity_only),
        ("Not assigned", data.matrix.unassigned),
    ):
        for key in keys:
            framework, control = split_key(key)
            rows.append((org, "", framework, control, titles[key], label))
    return Sheet(
        title="By provider",
        columns=("Party", "Agreement", "Framework", "Control", "Title", "Managed by"),
        widths=(28, 28, 18, 22, 48, 14),
        rows=tuple(rows),
    )


def findings_sheet(data: ExportInput) -> Sheet:
    """One row per finding, in the assessment's order (severity, then control)."""
    rows: list[tuple[Cell, ...]] = [
        (
            g.id,
            g.severity,
            plan_state(g),
            "yes" if g.overdue else "no",
            g.rule,
            g.owner_name or (person_name(data, g.owner) if g.owner else ""),
            g.due,
            "; ".join(g.controls),
            g.message,
        )
        for g in data.gaps
    ]
    return Sheet(
        title="Findings",
        columns=(
            "Id",
            "Severity",
            "Status",
            "Overdue",
            "Rule",
            "Owner",
            "Due",
            "Controls",
            "Message",
        ),
        widths=(12, 10, 26, 9, 30, 24, 12, 40, 100),
        rows=tuple(rows),
        severity_column=1,
    )


def poam_sheet(data: ExportInput) -> Sheet:
    """The FedRAMP POA&M, one row per current finding: the cells of `export --format poam-csv`."""
    from ctrlmap.present.poam import POAM_COLUMNS, poam_row, poam_rows

    return Sheet(
        title="POA&M",
        columns=POAM_COLUMNS,
        widths=tuple(max(12, min(len(c) + 4, 40)) for c in POAM_COLUMNS),
        rows=tuple(poam_row(item) for item in poam_rows(data)),
    )


def workbook_sheets(data: ExportInput) -> tuple[Sheet, ...]:
    """The sheets of `export --format xlsx`, in order."""
    return (matrix_sheet(data), provider_sheet(data), findings_sheet(data), poam_sheet(data))
