"""Scheme workbooks: round trip of the shipped schemes, checks naming sheet/row/column, the CLI reading them."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.indices.scheme_files import load_scheme
from analysis.indices.scheme_workbook import SchemeWorkbookError, read_scheme_workbook, write_scheme_workbook
from tests.analysis.test_cli import FIXTURES, ROUND, SCHEMES, run


def _same(a, b) -> bool:  # type: ignore[no-untyped-def]
    return dataclasses.replace(a, source="") == dataclasses.replace(b, source="")


@pytest.mark.parametrize("path", sorted(SCHEMES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scheme_survives_a_workbook_round_trip(path: Path) -> None:
    scheme = load_scheme(path)
    again = read_scheme_workbook(write_scheme_workbook(scheme))
    assert _same(again, scheme)
    assert _same(read_scheme_workbook(write_scheme_workbook(again)), scheme)


def _edit(scheme_file: str, edit) -> bytes:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(write_scheme_workbook(load_scheme(SCHEMES / scheme_file))))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_points_that_do_not_add_up_name_the_total_row() -> None:
    def more_points(book) -> None:  # type: ignore[no-untyped-def]
        book["criteria"]["E2"].value = 2

    with pytest.raises(SchemeWorkbookError) as caught:
        read_scheme_workbook(_edit("par_district.yaml", more_points))
    problem = caught.value.problems[0]
    assert problem.sheet == "settings" and problem.column.startswith("B ") and "add up to 31" in problem.en


def test_a_criterion_no_group_assesses_and_an_unknown_item_are_named() -> None:
    def drop_assessors(book) -> None:  # type: ignore[no-untyped-def]
        sheet = book["items"]
        for row in list(sheet.iter_rows(min_row=2)):
            if row[0].value == "PAR1.2":
                row[0].value = None
                row[2].value = None
                row[1].value = None
        sheet["C2"].value = "no_such_item"

    known = {g: set() for g in ("hdnd_deputy", "dept_director", "office_head", "commune_chair", "business",
                                "citizen")}
    known["hdnd_deputy"] = {"par_a1_1"}
    with pytest.raises(SchemeWorkbookError) as caught:
        read_scheme_workbook(_edit("par_district.yaml", drop_assessors), questionnaire_items=known)
    texts = [str(p) for p in caught.value.problems]
    assert any("Sheet criteria, row 3" in t and "no group assesses criterion PAR1.2" in t for t in texts)
    assert any("Sheet items, row 2, column C" in t and "no_such_item" in t for t in texts)


def test_a_cycle_in_the_tree_is_named() -> None:
    def cycle(book) -> None:  # type: ignore[no-untyped-def]
        sheet = book["nodes"]
        sheet["B2"].value = "ACC"  # the root now hangs below one of its own leaves

    with pytest.raises(SchemeWorkbookError) as caught:
        read_scheme_workbook(_edit("sipas.yaml", cycle))
    assert any(p.sheet == "nodes" and "cycle" in p.en and p.column and p.column.startswith("B") for p in
               caught.value.problems)


def test_estimate_accepts_a_scheme_workbook(tmp_path) -> None:
    workbook = tmp_path / "par.xlsx"
    workbook.write_bytes(write_scheme_workbook(load_scheme(SCHEMES / "par_district.yaml")))
    from_yaml, from_xlsx = tmp_path / "yaml.csv", tmp_path / "xlsx.csv"
    for scheme, out in ((SCHEMES / "par_district.yaml", from_yaml), (workbook, from_xlsx)):
        status, text = run("estimate", "--responses", ROUND, "--margins", FIXTURES / "margins_round.csv",
                           "--scheme", scheme, "--items", "none", "--out", out)
        assert status == 0, text
    assert pd.read_csv(from_yaml).equals(pd.read_csv(from_xlsx))


def test_a_broken_workbook_is_an_input_error_of_the_cli(tmp_path, capsys) -> None:
    workbook = tmp_path / "bad.xlsx"
    workbook.write_bytes(_edit("par_district.yaml", lambda book: book["criteria"].cell(2, 5, 9)))
    status, _text = run("estimate", "--responses", ROUND, "--scheme", workbook, "--items", "none",
                        "--out", tmp_path / "x.csv")
    assert status == 2 and "Sheet settings" in capsys.readouterr().err


def test_the_example_scheme_workbook_in_docs_loads() -> None:
    scheme = load_scheme(SCHEMES.parents[1] / "docs" / "scheme_example.xlsx")
    assert scheme.total == 30 and len(scheme.criteria) > 10


@pytest.mark.parametrize("path", sorted(SCHEMES.glob("*.yaml")), ids=lambda p: p.name)
def test_scheme_text_written_from_a_scheme_reads_back_the_same(path: Path) -> None:
    from analysis.indices.scheme import parse_scheme
    from analysis.indices.scheme_workbook import scheme_to_yaml

    scheme = load_scheme(path)
    assert _same(parse_scheme(scheme_to_yaml(scheme)), scheme)
