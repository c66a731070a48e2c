"""`export --format xlsx`: the workbook opens, holds one matrix row per control, is the same bytes
every run, and runs no formula a profile smuggles in."""

from __future__ import annotations

import datetime as dt
import io
import os
import pty
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result

from ctrlmap.assessment.pipeline import assess
from ctrlmap.errors import CtrlmapError
from ctrlmap.formats import render_bytes
from ctrlmap.load.library import Library
from ctrlmap.models import Profile
from ctrlmap.present.exports import build_export
from ctrlmap.present.findings import plan_state
from ctrlmap.writing import write_atomically
from tests.conftest import EXAMPLES

AS_OF = dt.date(2026, 11, 28)
DENTAL = str(EXAMPLES / "dental-group.yaml")

HOSTILE = """\
organization:
  name: "=HYPERLINK(\\"http://evil.example\\",\\"click\\")"
  sector: healthcare
frameworks: [hipaa-security]
model: co-managed
internal:
  - id: eve
    name: "@SUM(1+1)"
    role: "-2+3"
    functions: [governance, network-administration]
providers:
  - id: mallory
    name: "+cmd|' /C calc'!A0"
    agreement: "\\tTab first"
    functions: [security-monitoring, backup-recovery]
"""


def workbook(raw: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(raw))


@pytest.fixture(scope="module")
def dental(lib: Library, load_example: Callable[[str], Profile]) -> bytes:
    return render_bytes(
        "export", "xlsx", build_export(assess(load_example("dental-group"), lib, as_of=AS_OF))
    )


def test_the_matrix_has_one_row_per_control_in_scope(
    lib: Library, load_example: Callable[[str], Profile], dental: bytes
) -> None:
    assessment = assess(load_example("dental-group"), lib, as_of=AS_OF)
    book = workbook(dental)
    assert book.sheetnames == ["Responsibility matrix", "By provider", "Findings", "POA&M"]
    matrix = book["Responsibility matrix"]
    rows = list(matrix.iter_rows(values_only=True))
    assert rows[0][:5] == ("Framework", "Control", "Title", "Level", "Owner")
    assert len(rows) - 1 == len(assessment.assignment.assignments)
    keys = [f"{r[0]}:{r[1]}" for r in rows[1:]]
    assert keys == [a.control for a in assessment.assignment.assignments]
    excluded = [r for r in rows[1:] if r[4] == "not applicable"]
    why = {a.control: a.basis[0].text for a in assessment.assignment.assignments}
    assert excluded and all(r[10] == why[f"{r[0]}:{r[1]}"] for r in excluded)
    assert any(str(r[10]).startswith("Not applicable:") for r in excluded)
    assert any(str(r[10]).startswith("Excluded from scope") for r in excluded)
    assert len(excluded) == sum(not a.applicable for a in assessment.assignment.assignments)


def test_findings_and_providers_sheets(
    lib: Library, load_example: Callable[[str], Profile], dental: bytes
) -> None:
    assessment = assess(load_example("dental-group"), lib, as_of=AS_OF)
    book = workbook(dental)
    findings = list(book["Findings"].iter_rows(values_only=True))
    assert findings[0] == (
        "Id",
        "Severity",
        "Status",
        "Overdue",
        "Rule",
        "Owner",
        "Due",
        "Controls",
        "Message",
    )
    assert [r[0] for r in findings[1:]] == [g.id for g in assessment.gaps.gaps]
    assert [(r[2], r[3]) for r in findings[1:]] == [
        (plan_state(g), "yes" if g.overdue else "no") for g in assessment.gaps.gaps
    ]
    by_provider = list(book["By provider"].iter_rows(values_only=True))
    assert {r[5] for r in by_provider[1:]} <= {
        "Provider",
        "Entity",
        "Shared",
        "Entity only",
        "Not assigned",
    }
    assert {r[0] for r in by_provider[1:]} >= {p.name for p in assessment.profile.providers}


def test_every_sheet_has_a_frozen_filtered_header_and_widths(dental: bytes) -> None:
    for ws in workbook(dental):
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
        assert ws["A1"].font.bold
        assert ws.column_dimensions["A"].width >= 10


def test_severities_are_colored(dental: bytes) -> None:
    ws = workbook(dental)["Findings"]
    fills = {row[1].value: row[1].fill.fgColor.rgb for row in ws.iter_rows(min_row=2)}
    assert fills["critical"].endswith("9B1C1C")
    assert len(set(fills.values())) == len(fills)


def test_two_runs_give_the_same_bytes_dated_the_as_of_day(
    lib: Library, load_example: Callable[[str], Profile], dental: bytes
) -> None:
    again = render_bytes(
        "export", "xlsx", build_export(assess(load_example("dental-group"), lib, as_of=AS_OF))
    )
    assert again == dental
    with zipfile.ZipFile(io.BytesIO(dental)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 28, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2026-11-28T00:00:00Z") == 2
    later = render_bytes(
        "export",
        "xlsx",
        build_export(assess(load_example("dental-group"), lib, as_of=dt.date(2026, 12, 1))),
    )
    assert later != dental


def test_the_cli_writes_the_same_file_twice(invoke: Callable[..., Result], tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for target in (first, second):
        result = invoke(
            "export", DENTAL, "--format", "xlsx", "--as-of", "2026-11-28", "-o", str(target)
        )
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]


def test_xlsx_needs_an_output_file(invoke: Callable[..., Result]) -> None:
    result = invoke("export", DENTAL, "--format", "xlsx")
    assert result.exit_code == 2
    assert "writes a binary file; give -o FILE.xlsx" in result.stderr
    assert result.stdout == ""


def test_without_openpyxl_the_message_says_how_to_install_it(
    invoke: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    target = tmp_path / "m.xlsx"
    result = invoke("export", DENTAL, "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 2
    assert "pip install 'ctrlmap[xlsx]'" in result.stderr
    assert not target.exists()


def test_every_text_cell_is_neutralized_against_formulas(lib: Library, tmp_path: Path) -> None:
    from ctrlmap.load.profiles import load_profile

    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE)
    profile, _ = load_profile(path, lib)
    book = workbook(render_bytes("export", "xlsx", build_export(assess(profile, lib, as_of=AS_OF))))
    cells = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells}
    assert "'+cmd|' /C calc'!A0" in texts
    assert not any(t.lstrip()[:1] in ("=", "+", "-", "@") or t[:1] == "\t" for t in texts)
    matrix = [c.value for c in book["Responsibility matrix"]["F"] if isinstance(c.value, str)]
    assert any(v.startswith("'=HYPERLINK(") for v in matrix)


def test_bytes_go_to_a_device_but_never_to_a_terminal(tmp_path: Path) -> None:
    write_atomically(Path(os.devnull), b"PK\x03\x04")
    leader, follower = pty.openpty()
    try:
        with pytest.raises(CtrlmapError, match="is a terminal"):
            write_atomically(Path(os.ttyname(follower)), b"PK\x03\x04")
    finally:
        os.close(leader)
        os.close(follower)
    target = tmp_path / "w.bin"
    write_atomically(target, b"\x00\x01\r\n")
    assert target.read_bytes() == b"\x00\x01\r\n"


def test_the_poam_sheet_holds_the_poam_csv_rows(tmp_path: Path, lib: Library) -> None:
    import csv

    from ctrlmap.formats import render
    from ctrlmap.load.profiles import load_profile

    profile, _ = load_profile(EXAMPLES / "dental-group.yaml", lib)
    data = build_export(assess(profile, lib, as_of=dt.date(2026, 12, 1)))
    path = tmp_path / "book.xlsx"
    path.write_bytes(render_bytes("export", "xlsx", data))
    sheet = openpyxl.load_workbook(path)["POA&M"]
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    rows = list(csv.reader(io.StringIO(render("export", "poam-csv", data))))
    assert cells == rows and len(rows) > 1
