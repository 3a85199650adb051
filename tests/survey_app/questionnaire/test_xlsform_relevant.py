"""XLSForm ``relevant`` mixing ``and`` with ``or``: XPath precedence, brackets, round trips, malformed rules."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from survey_app.questionnaire import Condition
from survey_app.questionnaire.xlsform import WorkbookError, read_workbook, same_content, write_workbook

from .test_xlsform import HEADER, workbook

CHOICES = [("yn", "1", "Có", "Yes"), ("yn", "2", "Không", "No"), ("ch", "1", "Một", "One"), ("ch", "3", "Ba", "Three")]


def _form(rule: str) -> bytes:
    return workbook([HEADER,
                     ("select_one yn", "a", "Câu a", "A"),
                     ("select_one yn", "b", "Câu b", "B"),
                     ("select_multiple ch", "c", "Câu c", "C"),
                     ("text", "d", "Câu d", "D", None, rule)], CHOICES)


A1, B2, C3 = Condition("a", (1,)), Condition("b", (2,)), Condition("c", (3,))


@pytest.mark.parametrize(("rule", "expected"), [
    # and binds tighter than or
    ("${a}='1' or ${b}='2' and selected(${c}, '3')",
     Condition("a", (1,), "any", (Condition("b", (2,), "all", (C3,)),))),
    ("${a}='1' and ${b}='2' or selected(${c}, '3')",
     Condition("", (), "any", (Condition("a", (1,), "all", (B2,)), C3))),
    # brackets override it
    ("${a} = '1' and (${b} = '2' or selected(${c}, '3'))",
     Condition("a", (1,), "all", (Condition("b", (2,), "any", (C3,)),))),
    ("(${a}='1' or ${b}='2') and (${a}='2' or selected(${c}, '3'))",
     Condition("", (), "all", (Condition("a", (1,), "any", (B2,)), Condition("a", (2,), "any", (C3,))))),
    # brackets that change nothing are dropped; an or on one question is one list of codes
    ("((${a}='1') or (${b}='2'))", Condition("a", (1,), "any", (B2,))),
    ("(${a}='1' or ${a}='2') and ${b}='2'", Condition("a", (1, 2), "all", (B2,))),
])
def test_and_binds_tighter_than_or_and_brackets_group(rule: str, expected: Condition) -> None:
    q = read_workbook(_form(rule), "rules.xlsx", "citizen").questionnaire
    assert q.item("d").relevant == expected


@pytest.mark.parametrize(("answers", "shown"), [
    ({"a": 1}, True), ({"b": 2, "c": [3]}, True), ({"b": 2, "c": [1]}, False), ({"a": 2, "c": [3]}, False),
])
def test_precedence_decides_who_answers(answers: dict[str, object], shown: bool) -> None:
    q = read_workbook(_form("${a}='1' or ${b}='2' and selected(${c}, '3')"), "r.xlsx", "citizen").questionnaire
    assert q.item("d").relevant.is_met(answers) is shown


@pytest.mark.parametrize("rule", [
    "${a}='1' or ${b}='2' and selected(${c}, '3')",
    "${a}='1' and ${b}='2' or selected(${c}, '3')",
    "${a} = '1' and (${b} = '2' or selected(${c}, '3'))",
    "(${a}='1' or ${b}='2') and (${a}='2' or selected(${c}, '3') or selected(${c}, '1'))",
    "${a}='1' or (${b}='2' and (selected(${c}, '3') or ${a}='2'))",
])
def test_written_back_in_brackets_and_read_again_to_the_same_version(rule: str) -> None:
    converted = read_workbook(_form(rule), "rules.xlsx", "citizen")
    exported = write_workbook(converted.questionnaire)
    again = read_workbook(exported, "again.xlsx", "citizen")
    assert again.source == converted.source
    assert again.questionnaire.content_hash == converted.questionnaire.content_hash
    assert same_content(again.questionnaire, converted.questionnaire)


def test_the_export_writes_inner_combinations_in_brackets() -> None:
    q = read_workbook(_form("${a}='1' or ${b}='2' and selected(${c}, '3')"), "r.xlsx", "citizen").questionnaire
    sheet = load_workbook(io.BytesIO(write_workbook(q)))["survey"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "d")
    assert row[header.index("relevant")] == "${a} = '1' or (${b} = '2' and selected(${c}, '3'))"


@pytest.mark.parametrize(("rule", "vi", "en"), [
    ("${a}='1' and (${b}='2' or ${b}='1'", "dấu ngoặc không khớp", "brackets that do not match"),
    ("${a}='1')) or (${b}='2'", "dấu ngoặc không khớp", "brackets that do not match"),
    ("${a}='1' and or ${b}='2'", "không hiểu điều kiện", "not understood"),
    ("${a}='1' and ()", "không hiểu điều kiện", "not understood"),
])
def test_malformed_rules_are_refused_at_sheet_row_and_column_in_both_languages(rule: str, vi: str, en: str) -> None:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(_form(rule), "bad.xlsx", "citizen")
    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("survey", 5, "F (relevant)")
    assert vi in problem.vi and en in problem.en
    assert problem.text("vi").startswith("Trang survey, dòng 5, cột F (relevant): ")
    assert problem.text("en").startswith("Sheet survey, row 5, column F (relevant): ")
