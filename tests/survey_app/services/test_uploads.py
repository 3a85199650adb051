"""The one reader of uploaded tables: limits before parsing, problems with sheet/row/column (issue 18)."""

from __future__ import annotations

import time

import pytest

from survey_app.services import uploads
from survey_app.services.problems import ProblemsFound
from tests.survey_app.hostile.files import HOSTILE_CSV, HOSTILE_XLSX, small_xlsx


def refused(filename: str, data: bytes, limits: uploads.Limits = uploads.LIMITS):
    started = time.monotonic()
    with pytest.raises(ProblemsFound) as caught:
        uploads.read_table(filename, data, limits)
    assert time.monotonic() - started < 5, "a hostile file must be refused quickly"
    return caught.value.problems[0]


@pytest.mark.parametrize("name", sorted(HOSTILE_XLSX))
def test_hostile_workbooks_are_refused_quickly(name):
    problem = refused("x.xlsx", HOSTILE_XLSX[name]())
    assert problem.reason in {"too_much_data", "sheet_too_large", "too_many_rows", "too_many_columns",
                              "too_many_cells"}
    assert len(problem.value) <= uploads.ECHO_CHARS


def test_the_declared_dimension_is_named_in_the_problem():
    problem = refused("x.xlsx", HOSTILE_XLSX["huge_dimension"]())
    assert (problem.reason, problem.sheet, problem.value) == ("sheet_too_large", "Sheet", "A1:XFD1048576")


def test_csv_cell_over_128_kb_and_unclosed_quote_are_problems_with_a_line():
    assert (refused("x.csv", HOSTILE_CSV["long_cell"]()).reason, refused("x.csv", HOSTILE_CSV["long_cell"]()).row) \
        == ("cell_too_long", 2)
    assert refused("x.csv", HOSTILE_CSV["unclosed_quote"]()).reason in {"bad_quotes", "cell_too_long"}
    assert refused("x.csv", b'a,b\r\n"x"y,z\r\n').reason == "bad_quotes"


def test_cells_and_columns_are_capped_as_well_as_rows():
    wide = ("," * 300 + "x\r\n").encode()
    assert refused("x.csv", b"a\r\n" + wide).reason == "too_many_columns"
    many = b"".join(b"a,b,c,d\r\n" for _ in range(100))
    assert refused("x.csv", many, uploads.Limits(max_cells=50)).reason == "too_many_cells"
    assert refused("x.csv", many, uploads.Limits(max_rows=10)).reason == "too_many_rows"


def test_time_budget():
    many = b"".join(b"a,b,c,d\r\n" for _ in range(5000))
    assert refused("x.csv", many, uploads.Limits(max_seconds=0)).reason == "too_slow"


def test_size_type_and_encoding():
    assert refused("x.csv", b"a" * 100, uploads.Limits(max_bytes=10)).reason == "file_too_large"
    assert refused("x.exe", b"a").reason == "wrong_type"
    assert refused("x.csv", "tên\r\n".encode("utf-16")).reason == "not_utf8"
    assert refused("x.xlsx", b"PK\x03\x04 not a zip").reason == "not_xlsx"
    assert refused("x.xlsx", b"<html>").reason == "not_xlsx"


def test_a_good_workbook_and_csv_read_alike():
    xlsx = uploads.read_table("u.xlsx", small_xlsx([["Code", "Name"], ["A", "Ă"], [], ["B", 2.0]]))
    text = uploads.read_table("u.csv", "\ufeffCode;Name\r\nA;Ă\r\n;\r\nB;2\r\n".encode())
    for table in (xlsx, text):
        assert table.header == ("Code", "Name")
        assert [(r.number, r.cells) for r in table.rows] == [(2, ("A", "Ă")), (4, ("B", "2"))]
        assert table.column(table.rows[0], "name") == "Ă"
    book = uploads.read_workbook("u.xlsx", small_xlsx())
    assert list(book) == ["Sheet"]


def test_echoed_values_are_cut():
    assert len(uploads.echo("x" * 10_000)) == uploads.ECHO_CHARS
    assert uploads.echo("a\r\nb") == "a b"
