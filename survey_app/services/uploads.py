"""The one reader of uploaded tables (CSV and XLSX), with limits on everything a file can make us do.

Every upload of a table goes through here: contact lists, units, desks, and the
workbooks of later features (questionnaire workbooks, transaction counts,
submissions from other tools). A file that is too big, malformed or hostile is
refused with :class:`~survey_app.services.problems.ProblemsFound`, whose
problems name the sheet, row and column, and whose echoed values are cut to
:data:`ECHO_CHARS`; nothing here ever raises anything else for bad input.

API::

    table = read_table(filename, data)                 # first sheet (or CSV)
    table = read_table(filename, data, sheet="choices")
    book = read_workbook(filename, data)               # {sheet name: Table}
    for row in table.rows:                             # non-blank rows after the header
        row.number, row.cells, table.column(row, "email")

Limits (:class:`Limits`, each caller may tighten or loosen them):

* the upload's size, before anything else;
* XLSX: the number of archive members, the *declared* uncompressed size of
  every member and of all together, and the compression ratio, checked from
  the zip directory before a byte is inflated (Python's zip reader never
  inflates past the declared size, so the declaration is a real bound); the
  shared-strings table, which openpyxl loads whole, has its own smaller cap;
* the sheet's declared dimension (``<dimension ref="A1:XFD1048576"/>``: openpyxl
  pads every row to it), read from the first bytes of the sheet;
* while reading: rows (blank ones too: a sheet can jump to row 1,048,576),
  columns, cells and characters per cell, and a time budget;
* CSV: UTF-8 only, the csv module's field size limit (128 KB) and malformed
  quoting reported as a problem with its line.

Memory stays bounded by these: at most ``max_cells`` short strings, plus a
shared-strings table of at most ``max_shared_strings`` bytes of XML.
"""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from survey_app.services.problems import Problem, ProblemsFound

MB = 1024 * 1024
ECHO_CHARS = 60  # an echoed value is cut to this: messages never carry a whole hostile cell


# What each refusal means, in English for the command line (the console has them in
# Vietnamese: admin.helpers, reasons of the same codes); ``{value}`` is the echoed value.
ENGLISH = {
    "wrong_type": "only .csv and .xlsx files can be read",
    "file_too_large": "the file is larger than {value}",
    "not_utf8": "the CSV file is not UTF-8 (in Excel: Save As, CSV UTF-8)",
    "not_xlsx": "not a readable .xlsx workbook",
    "too_much_data": "the workbook unpacks to more data than allowed ({value})",
    "too_many_sheets": "the workbook has more than {value} sheets",
    "missing_sheet": "the workbook has no sheet {value}",
    "sheet_too_large": "the sheet declares a size beyond the limits ({value})",
    "too_many_rows": "more than {value} rows",
    "too_many_columns": "more than {value} columns",
    "too_many_cells": "more than {value} cells",
    "cell_too_long": "a cell is longer than the limit",
    "bad_quotes": "a quotation mark is not closed or is misplaced",
    "too_slow": "reading the file took longer than {value} s",
    "empty_file": "the file has no rows",
}


def describe(problem: Problem) -> str:
    """English text of a reader problem, with where it is (for the command line and logs)."""
    where = ", ".join(part for part in (
        f"sheet {problem.sheet}" if problem.sheet else "",
        f"row {problem.row}" if problem.row else "",
        f"column {problem.field}" if problem.field and problem.field != "file" else "",
    ) if part)
    text = ENGLISH.get(problem.reason, problem.reason).format(value=problem.value)
    return f"{where}: {text}" if where else text


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * MB
    max_uncompressed: int = 64 * MB  # all members of an XLSX together, as declared
    max_member: int = 48 * MB  # one member (a sheet's XML)
    max_shared_strings: int = 8 * MB
    max_ratio: int = 200  # uncompressed : compressed, per member above 1 MB
    max_members: int = 200
    max_sheets: int = 50
    max_rows: int = 20_000  # non-blank rows after the header
    max_columns: int = 200
    max_cells: int = 1_000_000
    max_cell_chars: int = 32_767  # Excel's own limit for a cell
    max_seconds: float = 30.0


LIMITS = Limits()


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it (the header is usually 1)
    cells: tuple[str, ...]

    def get(self, index: int | None) -> str:
        return self.cells[index] if index is not None and index < len(self.cells) else ""


@dataclass(frozen=True)
class Table:
    sheet: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    header_row: int = 1
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def index(self, name: str) -> int | None:
        """The position of the column whose header is ``name`` (case and spaces ignored)."""
        if not self._index:
            for i, title in enumerate(self.header):
                self._index.setdefault(header_key(title), i)
        return self._index.get(header_key(name))

    def column(self, row: Row, name: str) -> str:
        return row.get(self.index(name))


def header_key(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.casefold()).strip()


def echo(value: object) -> str:
    """A value as it may appear in a message: one line, at most :data:`ECHO_CHARS` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…"


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index."""
    return get_column_letter(index + 1)


def refuse(code: str, *, sheet: str | None = None, row: int | None = None, column: str = "file",
           value: object = "") -> ProblemsFound:
    return ProblemsFound([Problem(column, code, echo(value), row, sheet)])


def kind_of(filename: str) -> str:
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise refuse("wrong_type", value=filename)


def read_table(filename: str, data: bytes, limits: Limits = LIMITS, *, sheet: str | None = None) -> Table:
    """The header and non-blank rows of one sheet (the first unless named) of a CSV or XLSX upload."""
    book = _read(filename, data, limits, only=sheet, first_only=sheet is None)
    if sheet is not None and sheet not in book:
        raise refuse("missing_sheet", value=sheet)
    return book[sheet] if sheet is not None else next(iter(book.values()))


def read_workbook(filename: str, data: bytes, limits: Limits = LIMITS) -> dict[str, Table]:
    """Every sheet of an XLSX upload (a CSV is one sheet named after the file), in the workbook's order."""
    return _read(filename, data, limits, only=None, first_only=False)


def _read(filename: str, data: bytes, limits: Limits, *, only: str | None, first_only: bool) -> dict[str, Table]:
    kind = kind_of(filename)
    if len(data) > limits.max_bytes:
        raise refuse("file_too_large", value=f"{limits.max_bytes // MB} MB")
    budget = _Budget(limits)
    if kind == "csv":
        name = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "csv"
        return {name: _table(name, _csv_rows(data, budget), budget, label=None)}
    _check_archive(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError,
            SyntaxError) as exc:  # defusedxml and expat report bad XML as SyntaxError subclasses
        raise refuse("not_xlsx") from exc
    try:
        if len(workbook.sheetnames) > limits.max_sheets:
            raise refuse("too_many_sheets", value=str(limits.max_sheets))
        tables: dict[str, Table] = {}
        for worksheet in workbook.worksheets:
            title = str(worksheet.title)
            if only is not None and title != only:
                continue
            _check_dimension(worksheet, title, limits)
            tables[title] = _table(title, _xlsx_rows(worksheet), budget, label=title)
            if first_only:
                break
    except ProblemsFound:
        raise
    except (KeyError, ValueError, TypeError, OSError, EOFError, SyntaxError, zipfile.BadZipFile) as exc:
        raise refuse("not_xlsx") from exc
    finally:
        workbook.close()
    if not tables and only is None:
        raise refuse("empty_file")
    return tables


class _Budget:
    """Counts what a read has cost so far and refuses past the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.cells = 0
        self.rows = 0

    def row(self, sheet: str | None, number: int, width: int) -> None:
        limits = self.limits
        self.rows += 1
        self.cells += width
        if self.rows > 2 * limits.max_rows + 1:  # blank rows count too, within reason
            raise refuse("too_many_rows", sheet=sheet, row=number, value=str(limits.max_rows))
        if width > limits.max_columns:
            raise refuse("too_many_columns", sheet=sheet, row=number, value=str(limits.max_columns))
        if self.cells > limits.max_cells:
            raise refuse("too_many_cells", sheet=sheet, row=number, value=str(limits.max_cells))
        if self.rows % 256 == 0 and time.monotonic() > self.deadline:
            raise refuse("too_slow", sheet=sheet, row=number, value=f"{limits.max_seconds:g}")


def _table(sheet: str, numbered: Iterable[tuple[int, list[str]]], budget: _Budget, *, label: str | None) -> Table:
    """``label``: the sheet's name as problems show it (None for a CSV file, which has one)."""
    header: tuple[str, ...] | None = None
    header_row = 1
    rows: list[Row] = []
    for number, raw in numbered:
        budget.row(label, number, len(raw))
        cells = [_clean(value) for value in raw]
        for index, value in enumerate(cells):
            if len(value) > budget.limits.max_cell_chars:
                raise refuse("cell_too_long", sheet=label, row=number, column=column_letter(index),
                             value=str(budget.limits.max_cell_chars))
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if header is None:
            header, header_row = tuple(cells), number
            continue
        rows.append(Row(number, tuple(cells)))
        if len(rows) > budget.limits.max_rows:
            raise refuse("too_many_rows", sheet=label, row=number, value=str(budget.limits.max_rows))
    return Table(sheet, header or (), tuple(rows), header_row)


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


# --- CSV -------------------------------------------------------------------------------------------

def _csv_rows(data: bytes, budget: _Budget) -> Iterator[tuple[int, list[str]]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse("not_utf8") from exc
    first = content.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # An unclosed quote, a stray quote inside a field, or a field over the csv
            # module's 128 KB limit: report where, never the text of the field.
            code = "cell_too_long" if "field larger" in str(exc) else "bad_quotes"
            raise refuse(code, row=max(reader.line_num, 1)) from None
        yield reader.line_num, values


# --- XLSX ------------------------------------------------------------------------------------------

def _check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose zip directory promises too much, before inflating anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise refuse("not_xlsx") from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise refuse("too_much_data", value=f"{len(members)} parts")
        total = 0
        for member in members:
            total += member.file_size
            cap = limits.max_shared_strings if member.filename.lower().endswith("sharedstrings.xml") \
                else limits.max_member
            too_dense = member.file_size > MB and member.file_size > limits.max_ratio * max(member.compress_size, 1)
            if member.file_size > cap or too_dense:
                raise refuse("too_much_data", value=member.filename)
        if total > limits.max_uncompressed:
            raise refuse("too_much_data", value=f"{limits.max_uncompressed // MB} MB")


def _check_dimension(worksheet: object, title: str, limits: Limits) -> None:
    """A declared dimension beyond the limits is refused; openpyxl would pad every row to it."""
    declared = getattr(worksheet, "calculate_dimension", None)
    try:
        ref = declared() if callable(declared) else None
    except (ValueError, TypeError):
        ref = None
    if not ref or ":" not in str(ref):
        reset = getattr(worksheet, "reset_dimensions", None)
        if callable(reset):
            reset()
        return
    try:
        min_col, min_row, max_col, max_row = range_boundaries(str(ref))
    except (ValueError, TypeError):
        worksheet.reset_dimensions()  # type: ignore[attr-defined]
        return
    columns = (max_col or 1) - (min_col or 1) + 1
    rows = (max_row or 1) - (min_row or 1) + 1
    if columns > limits.max_columns or rows > 2 * limits.max_rows + 1 or rows * columns > limits.max_cells:
        raise refuse("sheet_too_large", sheet=title, value=echo(ref))


def _xlsx_rows(worksheet: object) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        yield number, [_cell_text(value) for value in values]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores the code 2 as 2.0
    return str(value)
