"""The report's tables as an XLSX workbook, one sheet per table.

Readers open it in Excel in Vietnamese: sheets are named in Vietnamese,
columns are wide enough for their contents, the header row stays frozen with
filters on it, and numbers are stored as numbers with a format (Excel then
shows the decimal comma of the reader's locale).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis.reporting.content import ReportContent, Table
from analysis.reporting.word import HEADERS_VI

#: Sheet names by table key; ``{code}`` is the scheme code.
SHEETS = (
    (r"overview", "Tổng quan"),
    (r"responses", "Số phiếu"),
    (r"quality", "Chất lượng dữ liệu"),
    (r"estimates", "Tất cả ước lượng"),
    (r"(?P<code>.+)_elements_by_unit", "{code} yếu tố theo đơn vị"),
    (r"(?P<code>.+)_index", "{code} theo đơn vị"),
    (r"(?P<code>.+)_elements", "{code} yếu tố"),
    (r"(?P<code>.+)_indicators", "{code} nhận định"),
    (r"(?P<code>.+)_alpha", "{code} độ tin cậy"),
    (r"(?P<code>.+)_total", "{code} tổng điểm"),
    (r"(?P<code>.+)_criteria", "{code} tiêu chí"),
    (r"(?P<code>.+)_areas", "{code} lĩnh vực"),
    (r"rank_(?P<code>.+?)_.*", "Xếp hạng {code}"),
)
HEADER_FILL = PatternFill("solid", fgColor="DDE6EE")
MAX_WIDTH = 60


def sheet_title(key: str) -> str:
    """The Vietnamese name of a table's sheet (the key itself when no rule fits)."""
    for pattern, name in SHEETS:
        match = re.fullmatch(pattern, key)
        if match:
            return name.format(**match.groupdict())
    return key


def write_workbook(content: ReportContent, path: Path) -> None:
    """Write every table of ``content`` to ``path``."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in content.tables:
        _sheet(book.create_sheet(_sheet_name(sheet_title(table.key), used)), table)
    book.save(path)


def _sheet(sheet, table: Table) -> None:  # type: ignore[no-untyped-def]
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([HEADERS_VI.get(str(c), str(c)) for c in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [len(str(HEADERS_VI.get(str(c), c))) for c in table.columns]
    for row in table.rows:
        sheet.append(list(row))
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], len(_shown(value)))
    last_row = sheet.max_row
    for row in sheet.iter_rows(min_row=3, max_row=last_row):
        for cell in row:
            if isinstance(cell.value, bool):
                continue
            if isinstance(cell.value, int):
                cell.number_format = "#,##0"
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.00" if abs(cell.value) >= 1 else "0.000"
    if table.rows and table.columns:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(table.columns))}{last_row}"
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, max(8, width + 2))
    sheet.freeze_panes = "A3"


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _sheet_name(key: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, no []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", key)[:31]
    name, counter = base, 2
    while name.lower() in used:
        suffix = f" ({counter})"
        name, counter = base[: 31 - len(suffix)] + suffix, counter + 1
    used.add(name.lower())
    return name
