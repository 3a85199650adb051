"""XLSX export in openpyxl's write-only mode: rows go straight to disk, memory stays flat."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from openpyxl import Workbook


def write_xlsx(path: str, header: list[str], rows: Iterator[list[str]],
               codebook: Iterable[list[str]] | None = None) -> int:
    """Write a ``responses`` sheet (and a ``codebook`` sheet if given); return the row count.

    Answer codes are written as numbers so that spreadsheet formulas work on them;
    everything else stays text (already neutralised by the exporter).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_number_or_text(cell) for cell in row])
        count += 1
    if codebook is not None:
        book = workbook.create_sheet("codebook")
        for line in codebook:
            book.append(line)
    workbook.save(path)
    return count


def _number_or_text(cell: str) -> int | str:
    return int(cell) if cell.isdigit() and len(cell) < 10 else cell
