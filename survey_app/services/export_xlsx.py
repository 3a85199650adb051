"""XLSX export in openpyxl's write-only mode: rows go straight to disk, memory stays flat."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from openpyxl import Workbook

# A whole number written the way the CSV writes it: no sign, no leading zero, at most nine digits.
_PLAIN_INTEGER = re.compile(r"(0|[1-9][0-9]{0,8})\Z")


def write_xlsx(path: str, header: list[str], rows: Iterable[list[str]],
               codebook: Iterable[list[str]] | None = None, numeric_columns: Collection[int] = ()) -> int:
    """Write a ``responses`` sheet (and a ``codebook`` sheet if given); return the row count.

    Cells of ``numeric_columns`` (answer codes, numbers, durations) are written
    as numbers so spreadsheet formulas work on them; every other cell stays
    text, exactly as in the CSV (already neutralised by the exporter), so a
    text answer "007" is not turned into 7.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.append(header)
    numeric = frozenset(numeric_columns)
    count = 0
    for row in rows:
        # An empty answer is no cell at all (None), which also spares writing half the XML.
        sheet.append([None if cell == "" else _number(cell) if i in numeric else cell for i, cell in enumerate(row)])
        count += 1
    if codebook is not None:
        book = workbook.create_sheet("codebook")
        for line in codebook:
            book.append(line)
    workbook.save(path)
    return count


def _number(cell: str) -> int | str:
    return int(cell) if _PLAIN_INTEGER.match(cell) else cell
