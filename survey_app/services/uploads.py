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

Limits (:class:`Limits`, each caller may tighten or loosen them) are those of
:mod:`analysis.uploads`, the one implementation of the bounds that the XLSForm
and scheme-workbook readers use too: the upload's size, the XLSX archive's
declared sizes, each sheet's declared dimension and its cells, all before
parsing; rows, columns, cells, characters per cell and a time budget while
reading (:class:`~analysis.uploads.Budget`). CSV: UTF-8 only, the csv module's
field size limit (128 KB) and malformed quoting reported as a problem with its line.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from analysis.problems import Refused
from analysis.uploads import ECHO_CHARS, LIMITS, MB, Budget, Limits, check_dimension, check_file, echo
from survey_app.services.problems import Problem, ProblemsFound

__all__ = ["ECHO_CHARS", "LIMITS", "MB", "Limits", "Row", "Table", "describe", "echo", "read_table",
           "read_workbook"]


def describe(problem: Problem) -> str:
    """English text of a reader problem, with where it is (for the command line and logs)."""
    return problem.text("en")


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


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index."""
    return get_column_letter(index + 1)


def refuse(code: str, *, sheet: str | None = None, row: int | None = None, column: str = "file",
           value: object = "") -> ProblemsFound:
    return ProblemsFound([Problem(column, code, echo(value), row, sheet)])


def read_table(filename: str, data: bytes, limits: Limits = LIMITS, *, sheet: str | None = None) -> Table:
    """The header and non-blank rows of one sheet (the first unless named) of a CSV or XLSX upload."""
    book = _bounded(filename, data, limits, only=sheet, first_only=sheet is None)
    if sheet is not None and sheet not in book:
        raise refuse("missing_sheet", value=sheet)
    return book[sheet] if sheet is not None else next(iter(book.values()))


def read_workbook(filename: str, data: bytes, limits: Limits = LIMITS) -> dict[str, Table]:
    """Every sheet of an XLSX upload (a CSV is one sheet named after the file), in the workbook's order."""
    return _bounded(filename, data, limits, only=None, first_only=False)


def _bounded(filename: str, data: bytes, limits: Limits, *, only: str | None, first_only: bool) -> dict[str, Table]:
    """:func:`_read` with the shared bounds' refusals (``analysis.problems.Refused``) as ``ProblemsFound``."""
    try:
        return _read(filename, data, limits, only=only, first_only=first_only)
    except Refused as exc:
        raise ProblemsFound(exc.problems) from None


def kind_of(filename: str) -> str:
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise refuse("wrong_type", value=filename)


def _read(filename: str, data: bytes, limits: Limits, *, only: str | None, first_only: bool) -> dict[str, Table]:
    kind = kind_of(filename)
    check_file(data, filename, limits)
    budget = Budget(limits)
    if kind == "csv":
        name = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "csv"
        return {name: _table(name, _csv_rows(data, budget), budget, label=None)}
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
    except (ProblemsFound, Refused):
        raise
    except (KeyError, ValueError, TypeError, OSError, EOFError, SyntaxError, zipfile.BadZipFile) as exc:
        raise refuse("not_xlsx") from exc
    finally:
        workbook.close()
    if not tables and only is None:
        raise refuse("empty_file")
    return tables


def _table(sheet: str, numbered: Iterable[tuple[int, list[str]]], budget: Budget, *, label: str | None) -> Table:
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

def _csv_rows(data: bytes, budget: Budget) -> Iterator[tuple[int, list[str]]]:
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

def _check_dimension(worksheet: object, title: str, limits: Limits) -> None:
    """The shared check of the declared dimension, as openpyxl reads it; none declared: rows as they come."""
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
    check_dimension(str(ref), title, limits)


def _xlsx_rows(worksheet: object) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        yield number, [_cell_text(value) for value in values]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores the code 2 as 2.0
    return str(value)
