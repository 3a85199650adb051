"""A bounded reader of uploaded tables (CSV or the first sheet of an XLSX workbook).

Every limit is checked while reading, never after: the file's size, the
uncompressed size of the workbook's parts (a small XLSX can unzip to gigabytes),
the rows, the cells and the characters of one cell. So no upload can take
unbounded time or memory. Cells come back as NFC-normalised, stripped text
(an Excel number 2.0 as "2"), with the file's line numbers (the header is line 1).

Kept small on purpose: one shared reader for all uploads is being built
separately; this one can give way to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_rows: int = 20_000
    max_columns: int = 1_000
    max_cells: int = 2_000_000
    max_cell_chars: int = 10_000


class Unreadable(Exception):
    """The file cannot be read as a table; ``reason`` is a code, ``value`` the limit or detail."""

    def __init__(self, reason: str, value: str = "", row: int | None = None) -> None:
        super().__init__(f"{reason} {value}".strip())
        self.reason, self.value, self.row = reason, value, row


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells), blank lines left out


def read_table(filename: str, data: bytes, limits: Limits = Limits()) -> Table:
    if len(data) > limits.max_bytes:
        raise Unreadable("file_too_large", str(limits.max_bytes // (1024 * 1024)))
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        lines = _xlsx_rows(data, limits)
    elif name.endswith((".csv", ".txt")):
        lines = _csv_rows(data)
    else:
        raise Unreadable("wrong_type")
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    cells_read = 0
    try:
        for number, raw in enumerate(lines, start=1):
            if len(raw) > limits.max_columns:
                raise Unreadable("too_many_columns", str(limits.max_columns), number)
            cells_read += len(raw)
            if cells_read > limits.max_cells:
                raise Unreadable("too_many_cells", str(limits.max_cells), number)
            cells = [_text(cell, limits, number) for cell in raw]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            if header is None:
                header = cells
                continue
            if len(rows) >= limits.max_rows:
                raise Unreadable("too_many_rows", str(limits.max_rows), number)
            rows.append((number, cells))
    except csv.Error as exc:
        raise Unreadable("bad_csv", str(exc)) from exc
    if header is None:
        raise Unreadable("empty")
    return Table(header, rows)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable("not_utf8") from exc
    first = content.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # KoboToolbox writes ';' by default, ODK Central ','
    return csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[list[object]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > limits.max_unzipped_bytes:
                raise Unreadable("file_too_large", str(limits.max_bytes // (1024 * 1024)))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Unreadable("not_xlsx") from exc
    try:
        # The first sheet holds the submissions (KoboToolbox puts repeat groups on later sheets).
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _text(value: object, limits: Limits, row: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # Excel stores the code 2 as 2.0
    elif isinstance(value, dt.datetime):
        text = value.isoformat()
    else:
        text = str(value)
    if len(text) > limits.max_cell_chars:
        raise Unreadable("cell_too_long", str(limits.max_cell_chars), row)
    return unicodedata.normalize("NFC", text).strip()
