"""XLSX export with XlsxWriter in constant-memory mode: each row goes to disk as it is written.

Why XlsxWriter: openpyxl's write-only mode spent about 8 µs a cell (an XLSX
of a million responses took 10-13 times the CSV); XlsxWriter's
``constant_memory`` mode writes each row's XML as soon as the next row
starts, with strings inline (no shared-string table growing with the rows),
so memory stays flat and a cell costs about a microsecond (bench/README.md).

The sheets are formatted for the staff who open them: Vietnamese sheet names,
column widths set, the header row frozen and bold, filters on, numbers as
numbers (whole numbers shown as such), the day of submission as a date shown
dd/mm/yyyy. Every other cell is text exactly as in the CSV (already
neutralised by the exporter), so a text answer "007" is not turned into 7.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterable
from datetime import date
from functools import partial

import xlsxwriter.workbook
from xlsxwriter import Workbook
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

#: Sheet names (Vietnamese first; at most 31 characters, no []:*?/\ ).
RESPONSES_SHEET = "Phiếu trả lời"
CODEBOOK_SHEET = "Bảng mã"
DATE_FORMAT = "dd/mm/yyyy"

# A whole number written the way the CSV writes it: no leading zero or plus sign, at most nine digits.
_PLAIN_INTEGER = re.compile(r"(0|-?[1-9][0-9]{0,8})\Z")
# A decimal answer as the CSV writes it (questionnaire.answers.export_value): "2.5", "-0.25".
_PLAIN_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,11})\.[0-9]{1,6}\Z")
_EXCEL_EPOCH = date(1899, 12, 30)
_TEXT, _NUMBER, _DATE = 0, 1, 2
_MAX_WIDTH = 60


def write_xlsx(path: str, header: list[str], rows: Iterable[list[str]],
               codebook: Iterable[list[str]] | None = None, numeric_columns: Collection[int] = (),
               date_columns: Collection[int] | None = None, widths: dict[int, float] | None = None) -> int:
    """Write the responses sheet (and the codebook sheet if given); return the row count.

    ``numeric_columns`` hold numbers (answer codes, counts, durations, decimal
    answers): a cell that is a whole or decimal number is written as a number,
    any other value as text.
    ``date_columns`` hold ISO days (default: the ``submitted_on`` column).
    ``widths`` overrides the column widths guessed from the header.
    """
    workbook = _Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet(RESPONSES_SHEET, worksheet_class=_FastRowsSheet)
    if date_columns is None:
        date_columns = [i for i, name in enumerate(header) if name == "submitted_on"]
    kinds = [_DATE if i in date_columns else _NUMBER if i in numeric_columns else _TEXT for i in range(len(header))]
    for i, name in enumerate(header):
        width = (widths or {}).get(i) or _guess_width(name, kinds[i])
        sheet.set_column(i, i, width, styles.for_kind(kinds[i]))
    _header(sheet, header, styles)
    count = _write_rows(sheet, rows, kinds, styles)
    sheet.autofilter(0, 0, max(count, 1), max(len(header) - 1, 0))
    if codebook is not None:
        _codebook(workbook, codebook, styles)
    workbook.close()
    return count


def _write_rows(sheet, rows: Iterable[list[str]], kinds: list[int], styles: _Styles) -> int:  # type: ignore[no-untyped-def]
    """Write the data rows through :meth:`_FastRowsSheet.write_rows`; return how many."""
    return sheet.write_rows(1, rows, kinds, styles.integer._get_xf_index(), styles.date._get_xf_index())


def _serial(day: str) -> str:
    """Excel's serial number of an ISO day ("" when it is not one: the text is kept)."""
    try:
        return str((date.fromisoformat(day) - _EXCEL_EPOCH).days)
    except ValueError:
        return ""


def _header(sheet, header: list[str], styles: _Styles) -> None:  # type: ignore[no-untyped-def]
    for c, name in enumerate(header):
        sheet.write_string(0, c, name, styles.header)
    sheet.freeze_panes(1, 0)


def _codebook(workbook, codebook: Iterable[list[str]], styles: _Styles) -> None:  # type: ignore[no-untyped-def]
    sheet = workbook.add_worksheet(CODEBOOK_SHEET)
    lines = iter(codebook)
    header = next(lines, None)
    if header is None:
        return
    text_columns = {"question_vi", "question_en", "answer_vi", "answer_en"}
    for c, name in enumerate(header):
        sheet.set_column(c, c, 45 if name in text_columns else max(len(name) + 4, 12))
    _header(sheet, header, styles)
    last = 0
    for r, line in enumerate(lines, start=1):
        for c, cell in enumerate(line):
            if cell != "":
                sheet.write_string(r, c, cell)  # codes such as "1..20" or "007" stay text
        last = r
    sheet.autofilter(0, 0, max(last, 1), max(len(header) - 1, 0))


def _guess_width(name: str, kind: int) -> float:
    """A width (in characters) fitting the header and typical values of the column."""
    typical = {"response_id": 25, "round": 22, "unit": 16, "desk": 14, "questionnaire_version": 14,
               "comment": 45}.get(name)
    if typical is None:
        typical = 12 if kind == _DATE else 8 if kind == _NUMBER else 16
    return float(min(max(len(name) + 3, typical), _MAX_WIDTH))


# Text that needs more than copying into the XML: markup characters, control characters,
# a literal _xHHHH_ (Excel's escape), or leading/trailing whitespace (xml:space="preserve").
_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9A-Fa-f]{4}_|^\s|\s$")


_ZIP_LEVEL = 1  # deflate level: 1 packs the sheet XML about 3 times faster than the default 6, files ~15 % larger
_ZIP_LOCK = threading.Lock()


class _Workbook(Workbook):
    """XlsxWriter's workbook, zipped at deflate level 1 (it has no option for the level)."""

    def _store_workbook(self) -> None:
        with _ZIP_LOCK:  # the module's ZipFile is swapped for the duration only, one workbook at a time
            original = xlsxwriter.workbook.ZipFile
            xlsxwriter.workbook.ZipFile = partial(original, compresslevel=_ZIP_LEVEL)  # type: ignore[misc]
            try:
                super()._store_workbook()
            finally:
                xlsxwriter.workbook.ZipFile = original  # type: ignore[misc]


class _FastRowsSheet(Worksheet):
    """A constant-memory worksheet that writes many plain rows at once.

    XlsxWriter's own path stores every cell as an object and writes it
    through several generic calls (about 5 µs a cell here). The rows of an
    export are all alike (text, whole numbers, days), so this writes each
    row's XML in one string, the same XML XlsxWriter writes for those cells
    (inline strings, numbers with the column's style), straight to the
    sheet's row file; everything else (styles, widths, frozen header,
    filter, zip) stays XlsxWriter's.
    """

    def write_rows(self, first: int, rows: Iterable[list[str]], kinds: list[int], integer_xf: int,
                   date_xf: int) -> int:
        self._write_single_row(first)  # flush the rows written the ordinary way (the header)
        opens = [f'<c r="{xl_col_to_name(c)}' for c in range(len(kinds))]
        # What follows a cell's reference, per column and value: computed once for the values a column
        # repeats (codes, days, unit codes), at most _CACHED per column (ids and comments do not repeat).
        tails: list[dict[str, str]] = [{} for _ in kinds]
        styles = [date_xf if kind == _DATE else integer_xf for kind in kinds]
        write = self.fh.write
        last = first - 1
        for r, row in enumerate(rows, start=first):
            ref = str(r + 1)
            parts = [f'<row r="{ref}">']
            append = parts.append
            for c, cell in enumerate(row):
                if cell == "":
                    continue  # an empty answer is no cell at all
                cache = tails[c]
                tail = cache.get(cell)
                if tail is None:
                    tail = _tail(cell, kinds[c], styles[c])
                    if len(cache) < _CACHED:
                        cache[cell] = tail
                append(f"{opens[c]}{ref}{tail}")
            append("</row>")
            write("".join(parts))
            last = r
        if last >= first:
            self._check_dimensions(last, len(kinds) - 1)
        self.previous_row = last + 1
        return last - first + 1


_CACHED = 2000


def _tail(cell: str, kind: int, style: int) -> str:
    """The rest of a cell's XML after ``<c r="A1``: a number with its style, or an inline string."""
    if kind == _NUMBER and _PLAIN_INTEGER.match(cell):
        return f'" s="{style}"><v>{cell}</v></c>'
    if kind == _NUMBER and _PLAIN_DECIMAL.match(cell):
        return f'"><v>{cell}</v></c>'  # the General style: 2.5 shown as 2.5 (the column's "0" would round it)
    if kind == _DATE:
        serial = _serial(cell)
        if serial:
            return f'" s="{style}"><v>{serial}</v></c>'
    if _NEEDS_CARE.search(cell):
        text = Worksheet._escape_control_characters(cell)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'
    return f'" t="inlineStr"><is><t>{cell}</t></is></c>'


class _Styles:
    def __init__(self, workbook) -> None:  # type: ignore[no-untyped-def]
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDE6F0", "bottom": 1, "text_wrap": False})
        self.integer = workbook.add_format({"num_format": "0"})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})

    def for_kind(self, kind: int):  # type: ignore[no-untyped-def]
        return self.date if kind == _DATE else self.integer if kind == _NUMBER else None
