"""Bounds on an uploaded file, checked before (and while) anything parses it.

One implementation for every reader of uploaded workbooks and tables: the
web app's reader of tables (``survey_app.services.uploads``: units, desks,
contacts, margins, PAR points, Kobo/ODK submissions), the XLSForm
questionnaire reader (``survey_app.questionnaire.xlsform``) and the scheme
workbook reader (:mod:`analysis.indices.scheme_workbook`).  It imports no
Flask, so the analysis command line uses it too.

Checked from the bytes, before a parser sees them (:func:`check_file`):

* the upload's size;
* an XLSX's zip directory: the number of members, the *declared* uncompressed
  size of each member and of all together, and the compression ratio (Python's
  zip reader never inflates past the declared size, so the declaration is a real
  bound); the shared-strings table, which openpyxl loads whole, has a smaller cap;
* each sheet's declared ``<dimension>`` (openpyxl pads every row to it), read from
  the sheet's first 4 KB;
* each sheet's cells, counted by inflating its XML in 1 MB pieces (``<c`` tags):
  a cap on cells that holds whoever parses the file afterwards (pyxform does,
  for questionnaires).

Checked while rows are read (:class:`Budget`): rows, blank ones too (a sheet can
jump to row 1,048,576), columns, cells, and a time budget, looked at every 256
rows.  Memory is bounded by these: at most ``max_cells`` short strings, plus a
shared-strings table of at most ``max_shared_strings`` bytes of XML.  A refusal
is :class:`~analysis.problems.Refused` with one :class:`~analysis.problems.Problem`
whose value is cut to :data:`ECHO_CHARS`.
"""

from __future__ import annotations

import html
import io
import re
import time
import zipfile
import zlib
from dataclasses import dataclass

from openpyxl.utils.cell import range_boundaries

from analysis.problems import FILE, Problem, Refused

MB = 1024 * 1024
ECHO_CHARS = 60  # an echoed value is cut to this: messages never carry a whole hostile cell
_HEAD_BYTES = 4096
_CHUNK = MB
_CELLS_PER_CHECK = 16_384  # the time budget is looked at this often (about 0.1 s of parsing)


@dataclass(frozen=True)
class Limits:
    """What one upload may make us do; each reader tightens or loosens them."""

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
    # A declared dimension is believed only for sheets whose XML is larger than this. Spreadsheet
    # programs declare the whole sheet (A1:AMJ1048576) for formatting alone, and readers that stop
    # at a run of blank rows (pyxform) or read a fixed window (schemes) are not fooled by it.
    trust_dimension_above: int = 0


LIMITS = Limits()


def echo(value: object) -> str:
    """A value as it may appear in a message: one line, at most :data:`ECHO_CHARS` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…"


def refuse(code: str, *, sheet: str | None = None, row: int | None = None, column: str = FILE,
           value: object = "") -> Refused:
    """The refusal of a whole file for one reason (see :data:`analysis.problems.SENTENCES`)."""
    return Refused([Problem(column, code, echo(value), row, sheet)])


def is_xlsx(filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm"))


def check_file(data: bytes, filename: str, limits: Limits = LIMITS) -> None:
    """Refuse, before any parsing, a file too large, or a workbook whose archive or sheets promise too much."""
    if len(data) > limits.max_bytes:
        raise refuse("file_too_large", value=_size(limits.max_bytes))
    if is_xlsx(filename):
        check_archive(data, limits)


def _size(count: int) -> str:
    return f"{count // MB} MB" if count >= MB and count % MB == 0 else f"{count // 1024} KB"


def check_archive(data: bytes, limits: Limits = LIMITS) -> None:
    """The zip directory, each sheet's declared dimension and its cells, without inflating more than a sheet."""
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
            raise refuse("too_much_data", value=_size(limits.max_uncompressed))
        sheets = [m for m in members if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")]
        if len(sheets) > limits.max_sheets:
            raise refuse("too_many_sheets", value=str(limits.max_sheets))
        titles = _sheet_titles(archive)
        cells = 0
        try:
            for member in sheets:
                title = titles.get(member.filename, member.filename.rsplit("/", 1)[-1])
                if member.file_size > limits.trust_dimension_above:
                    with archive.open(member) as stream:
                        ref = declared_dimension(stream.read(_HEAD_BYTES))
                    if ref is not None:
                        check_dimension(ref, title, limits)
                cells += _count_cells(archive, member)
                if cells > limits.max_cells:
                    raise refuse("too_many_cells", sheet=title, value=str(limits.max_cells))
        except Refused:
            raise
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError, NotImplementedError) as exc:
            raise refuse("not_xlsx") from exc  # a damaged member, or a compression method Python lacks


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]*\d*(?::[A-Z]*\d*)?)"')
_CELL_TAGS = (b"<c>", b"<c ", b"<c/", b"<c\t", b"<c\n", b"<c\r")
_PREFIXED_CELL = re.compile(rb"<\w{1,20}:c[\s/>]")  # <x:c ...>, rare: found one by one
_CELL_TAIL = 32  # longer than any cell tag


def declared_dimension(head: bytes) -> str | None:
    """The ``ref`` of a sheet's ``<dimension>`` element, from the sheet's first bytes."""
    match = _DIMENSION.search(head)
    return match.group(1).decode("ascii") if match else None


def check_dimension(ref: str, sheet: str | None, limits: Limits = LIMITS) -> None:
    """A declared dimension beyond the limits is refused; openpyxl would pad every row to it."""
    if ":" not in ref:
        return
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return
    columns = (max_col or 1) - (min_col or 1) + 1
    rows = (max_row or 1) - (min_row or 1) + 1
    if columns > limits.max_columns or rows > 2 * limits.max_rows + 1 or rows * columns > limits.max_cells:
        raise refuse("sheet_too_large", sheet=sheet, value=ref)


def _count_cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """The ``<c>`` elements of a sheet, inflated a piece at a time (never the whole sheet in memory)."""
    count = 0
    carry = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            # Cut before the last '<' near the end: a tag cut in two is counted with the next piece.
            cut = data.rfind(b"<", max(len(data) - _CELL_TAIL, 0))
            cut = len(data) if cut < 0 else cut
            count += _cells_in(data[:cut])
            carry = data[cut:]
    return count + _cells_in(carry)


def _cells_in(data: bytes) -> int:
    """Cell tags in a piece of sheet XML: counted by bytes.count, without an object per cell."""
    return sum(data.count(tag) for tag in _CELL_TAGS) + len(_PREFIXED_CELL.findall(data))


_TAG = re.compile(rb"<(?:\w+:)?(sheet|Relationship)\s([^>]*)>")
_ATTRIBUTE = re.compile(rb'(?:\w+:)?(\w+)="([^"]*)"')


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member name -> sheet title, for messages (the workbook's own names, as staff see them)."""
    try:
        tags = _TAG.findall(archive.read("xl/workbook.xml")) + _TAG.findall(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        return {}
    targets: dict[bytes, str] = {}
    names: dict[bytes, str] = {}
    for tag, attributes in tags:
        found = dict(_ATTRIBUTE.findall(attributes))
        if tag == b"Relationship" and b"Id" in found and b"Target" in found:
            path = found[b"Target"].decode("utf-8", "replace").lstrip("/")
            targets[found[b"Id"]] = path if path.startswith("xl/") else "xl/" + path
        elif tag == b"sheet" and b"id" in found and b"name" in found:
            names[found[b"id"]] = html.unescape(found[b"name"].decode("utf-8", "replace"))
    return {targets[key]: name for key, name in names.items() if key in targets}


class Budget:
    """What a read has cost so far, refused past the limits (rows, columns, cells, time)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.cells = 0
        self.rows = 0
        self.next_check = 0  # the first row too: a deadline already past refuses at once

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
        if self.cells >= self.next_check:  # every 16,384 cells: wide rows are checked as often as narrow ones
            self.next_check = self.cells + _CELLS_PER_CHECK
            self.check_time(sheet, number)

    def check_time(self, sheet: str | None = None, number: int | None = None) -> None:
        if time.monotonic() > self.deadline:
            raise refuse("too_slow", sheet=sheet, row=number, value=f"{self.limits.max_seconds:g}")
