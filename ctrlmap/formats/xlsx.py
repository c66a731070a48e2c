"""The Excel workbook (`export --format xlsx`), written with openpyxl, the same bytes every run.

openpyxl stamps the save time into docProps/core.xml and the zip entries; both are replaced by the
export's as-of date, so the same inputs and as-of date give the same file. Every text cell is
neutralized against formulas the way the CSV writer does it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import TYPE_CHECKING, Any

from ctrlmap.errors import CtrlmapError
from ctrlmap.formats import register_binary
from ctrlmap.formats.csv import neutralize
from ctrlmap.present.exports import ExportInput
from ctrlmap.present.workbook import Sheet, workbook_sheets

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

INSTALL_HINT = "pip install 'ctrlmap[xlsx]'"
SEVERITY_FILLS = {"critical": "9B1C1C", "high": "C2410C", "medium": "A16207", "low": "4B5563"}
"""The report's severity colors (templates/_style.html), as cell fills under white text."""
HEADER_FILL = "1F2937"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""What an XML 1.0 worksheet cannot hold (openpyxl refuses it)."""
_STAMP = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def require_openpyxl() -> Any:
    """The openpyxl module, or a CtrlmapError saying how to install it."""
    try:
        import openpyxl
    except ImportError:
        raise CtrlmapError(
            f"the xlsx format needs openpyxl, which is not installed; run: {INSTALL_HINT}"
        ) from None
    return openpyxl


def cell_value(value: Any) -> Any:
    """A cell as written: text neutralized against formulas (and rid of the control characters
    a workbook cannot hold), dates as dates, None as empty."""
    if isinstance(value, str):
        return neutralize(_ILLEGAL.sub("", value))
    return value


def fill_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """Header, rows, widths, a frozen header row, an auto filter and severity colors."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.title = sheet.title
    ws.append([cell_value(c) for c in sheet.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    for row in sheet.rows:
        ws.append([cell_value(c) for c in row])
    for index, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    if sheet.severity_column is not None:
        for row_cells in ws.iter_rows(min_row=2):
            cell = row_cells[sheet.severity_column]
            color = SEVERITY_FILLS.get(str(cell.value))
            if color is not None:
                cell.fill = PatternFill("solid", fgColor=color)
                cell.font = Font(bold=True, color="FFFFFF")
    ws.freeze_panes = "A2"
    last = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(sheet.rows) + 1)}"


def workbook_bytes(sheets: tuple[Sheet, ...], on: dt.date, title: str) -> bytes:
    """The workbook of these sheets, dated `on`: the same bytes for the same sheets and date."""
    openpyxl = require_openpyxl()
    book = openpyxl.Workbook()
    first = True
    for sheet in sheets:
        ws = book.active if first else book.create_sheet()
        first = False
        fill_sheet(ws, sheet)
    stamp = dt.datetime(on.year, on.month, on.day)
    book.properties.creator = "ctrlmap"
    book.properties.title = title
    book.properties.created = stamp
    book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return fixed_dates(buffer.getvalue(), stamp)


def fixed_dates(raw: bytes, stamp: dt.datetime) -> bytes:
    """The same zip with every entry dated `stamp` and core.xml's timestamps set to it."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _STAMP.sub(rf"\g<1>{iso}\g<2>", body.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, body)
    return out.getvalue()


@register_binary("export", "xlsx")
def xlsx(data: ExportInput) -> bytes:
    """The workbook: responsibility matrix, by provider, findings."""
    title = f"{data.profile.organization.name}: responsibility matrix"
    return workbook_bytes(workbook_sheets(data), data.as_of, title)
