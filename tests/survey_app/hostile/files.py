"""Hostile uploads, made in the test (none is kept in the repository).

Each is small on the wire and would make a naive reader spend minutes or
gigabytes: the red-team findings of issue 18.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

from openpyxl import Workbook


def small_xlsx(rows: list[list[str]] | None = None, title: str = "Sheet") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows or [["code", "name_vi", "kind"], ["XA_A", "Xã A", "commune"]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, change: dict[str, bytes], level: int = 9) -> bytes:
    """The same workbook with some members replaced (or added), compressed at the highest level."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for info in source.infolist():
            target.writestr(info.filename, change.pop(info.filename, None) or source.read(info.filename))
        for name, content in change.items():
            target.writestr(name, content)
    return out.getvalue()


def shared_strings_bomb(strings: int = 2_000_000, base: bytes | None = None) -> bytes:
    """A repetitive shared-strings table: a few hundred KB packed, tens of MB and millions of objects unpacked."""
    base = base or small_xlsx()
    table = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (strings, strings)
             + b"<si><t>aaaaaaaaaaaaaaaa</t></si>" * strings + b"</sst>")
    return _rewrite(base, {"xl/sharedStrings.xml": table})


def huge_dimension(base: bytes | None = None) -> bytes:
    """Two cells that declare the whole sheet, A1:XFD1048576: openpyxl pads every row to it."""
    base = base or small_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert b"XFD1048576" in sheet
    return _rewrite(base, {"xl/worksheets/sheet1.xml": sheet})


def far_row() -> bytes:
    """No dimension, but a cell on the last row: a reader fills in a million empty rows."""
    base = small_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", sheet)
    sheet = sheet.replace(b"</sheetData>",
                          b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    return _rewrite(base, {"xl/worksheets/sheet1.xml": sheet})


def zip_bomb(megabytes: int = 80, base: bytes | None = None) -> bytes:
    """A sheet of blanks that inflates to ``megabytes`` (about 80 KB packed)."""
    base = base or small_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b"</worksheet>", b" " * (megabytes * 1024 * 1024) + b"</worksheet>")
    return _rewrite(base, {"xl/worksheets/sheet1.xml": sheet})


def many_cells(cells: int = 1_000_001, base: bytes | None = None) -> bytes:
    """A sheet of ``cells`` random numbers and no dimension: too many cells, yet not dense enough to be a bomb.

    Random values keep the compression ratio low (about 2:1), so the archive checks pass and
    only the count of cells can refuse it (200,001 cells: about 2 MB on the wire).
    """
    base = base or small_xlsx()
    rng = random.Random(cells)
    sheet = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", sheet)
    per_row = 100
    rows = []
    for number in range(cells // per_row + 1):
        count = min(per_row, cells - number * per_row)
        if count <= 0:
            break
        rows.append(b'<row r="%d">' % (number + 10) + b"".join(
            b"<c><v>%d</v></c>" % rng.randrange(10**6) for _ in range(count)) + b"</row>")
    sheet = sheet.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>")
    return _rewrite(base, {"xl/worksheets/sheet1.xml": sheet})


def full_table(rows: int, columns: int, width: int, seed: int = 1, title: str = "Sheet") -> bytes:
    """A workbook of one sheet: a header and ``rows`` rows of ``columns`` random ``width``-letter texts.

    Written as XML directly (openpyxl would take a minute at a million cells); random letters
    compress about 5:3, so the archive's size and ratio are those of real text.
    """
    rng = random.Random(seed)
    letters = bytes(range(97, 123)) * 10  # 260 bytes: a random byte taken modulo 256 is close to uniform
    table = bytes(letters[i] for i in range(256))
    noise = rng.randbytes(rows * columns * width).translate(table)
    cell_open, cell_close = b'<c t="inlineStr"><is><t>', b"</t></is></c>"
    parts = [b'<row r="1">' + b"".join(cell_open + f"c{i}".encode() + cell_close for i in range(columns)) + b"</row>"]
    step = columns * width
    for number in range(rows):
        line = noise[number * step:(number + 1) * step]
        parts.append(b'<row r="%d">' % (number + 2) + b"".join(
            cell_open + line[i:i + width] + cell_close for i in range(0, step, width)) + b"</row>")
    base = small_xlsx(title=title)
    sheet = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    sheet = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", sheet)
    sheet = re.sub(rb"<sheetData>.*</sheetData>|<sheetData\s*/>", b"<sheetData>" + b"".join(parts) + b"</sheetData>",
                   sheet, flags=re.DOTALL)
    return _rewrite(base, {"xl/worksheets/sheet1.xml": sheet}, level=1)


def not_a_zip() -> bytes:
    """A PDF (or anything) renamed .xlsx."""
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" * 50


def huge_file(size: int) -> bytes:
    """``size`` bytes that start like a zip archive, of random content: too large before anything reads it."""
    return b"PK\x03\x04" + random.Random(size).randbytes(size - 4)


def csv_long_cell() -> bytes:
    return b"code,name_vi,kind\r\nXA_A," + b"a" * (200 * 1024) + b",commune\r\n"


def csv_unclosed_quote() -> bytes:
    return b'code,name_vi,kind\r\nXA_A,"Xa A,commune\r\nXA_B,Xa B,commune\r\n'


HOSTILE_XLSX = {
    "shared_strings_bomb": shared_strings_bomb,
    "huge_dimension": huge_dimension,
    "far_row": far_row,
    "zip_bomb": zip_bomb,
}
HOSTILE_CSV = {"long_cell": csv_long_cell, "unclosed_quote": csv_unclosed_quote}

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
