"""The report's tables as an XLSX workbook, one sheet per table."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from analysis.reporting.content import ReportContent


def write_workbook(content: ReportContent, path: Path) -> None:
    """Write every table of ``content`` to ``path`` (sheet names from table keys)."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in content.tables:
        sheet = book.create_sheet(_sheet_name(table.key, used))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(table.columns))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.freeze_panes = "A3"
    book.save(path)


def _sheet_name(key: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, no []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "_", key)[:31]
    name, counter = base, 2
    while name in used:
        suffix = f"_{counter}"
        name, counter = base[: 31 - len(suffix)] + suffix, counter + 1
    used.add(name)
    return name
