"""``decimal`` questions: the file format, parsing "2,5" and "2.5", messages, XLSForm in and out."""

from __future__ import annotations

import pytest

from survey_app.questionnaire import ItemType, QuestionnaireError, export_value, load_questionnaire, parse_answers
from survey_app.questionnaire.answers import format_decimal, parse_decimal
from survey_app.questionnaire.xlsform import WorkbookError, read_workbook, same_content, write_workbook
from survey_app.services.codebook import _open_answer

from .conftest import WriteFile, with_items
from .test_xlsform import EN, VI, workbook

DECIMALS = """\
- code: area
  type: decimal
  text: {vi: "Diện tích (ha)", en: "Area (ha)"}
  min: 0.5
  max: 99.9
  places: 1
- code: weight
  type: decimal
  text: {vi: "Cân nặng (kg)", en: "Weight (kg)"}
"""


@pytest.mark.parametrize(("text", "places", "expected"), [
    ("2,5", 1, 2.5), ("2.5", 1, 2.5), (" 2,50 ", 1, 2.5), ("3", 1, 3.0), ("-0,25", 2, -0.25), ("0,1", 2, 0.1),
    ("2,55", 1, None), ("abc", 2, None), ("1.000,5", 2, None), ("2,", 2, None), (",5", 2, None), ("2 5", 2, None),
    ("1e3", 2, None), ("٢,٥", 2, None), ("", 2, None),
])
def test_parse_decimal_reads_the_comma_and_the_point(text: str, places: int, expected: float | None) -> None:
    assert parse_decimal(text, places) == expected


def test_decimal_answers_are_typed_and_refused_in_both_languages(write: WriteFile) -> None:
    q = load_questionnaire(write(with_items(DECIMALS)))
    area, weight = q.item("area"), q.item("weight")
    assert (area.type, area.min, area.max, area.places) == (ItemType.DECIMAL, 0.5, 99.9, 1)
    assert (weight.min, weight.max, weight.places) == (None, None, None)
    good = parse_answers(q, {"area": "2,5", "weight": "70.25"})
    assert good.ok and good.answers == {"area": 2.5, "weight": 70.25}
    assert isinstance(good.answers["area"], float)
    bad = parse_answers(q, {"area": "100", "weight": "70,125"})
    assert bad.errors["area"].vi == "Vui lòng nhập một số từ 0,5 đến 99,9, tối đa 1 chữ số sau dấu phẩy (ví dụ 2,5)."
    assert bad.errors["area"].en == ("Please enter a number from 0.5 to 99.9, with at most 1 digit after the "
                                     "decimal point (e.g. 2.5).")
    assert "at most 2 digits" in bad.errors["weight"].en
    assert "tối đa 2 chữ số" in bad.errors["weight"].vi  # the default places
    assert bad.kept == {"area": ["100"], "weight": ["70,125"]}  # shown again as typed


def test_decimal_answers_export_as_plain_numbers() -> None:
    assert export_value(None, 2.5) == "2.5"  # type: ignore[arg-type]
    assert export_value(None, 0.00001) == "0.00001"  # type: ignore[arg-type]
    assert export_value(None, 3.0) == "3"  # type: ignore[arg-type]
    assert format_decimal(99.9) == "99,9" and format_decimal(99.9, "en") == "99.9"


def test_codebook_describes_a_decimal_item(write: WriteFile) -> None:
    q = load_questionnaire(write(with_items(DECIMALS)))
    assert _open_answer(q.item("area")) == ("0.5..99.9", "Số thập phân từ 0,5 đến 99,9, tối đa 1 chữ số sau dấu phẩy",
                                            "Decimal number from 0.5 to 99.9, at most 1 digit after the decimal point")


@pytest.mark.parametrize(("extra", "words"), [
    ("min: 5\n  max: 1", "min (5) is greater than max (1)"),
    ("places: 9", "places must be a whole number from 1 to 6"),
    ("places: 1\n  min: 0.25", "more than 1 digits after the decimal point"),
    ("min: '0,5'", "min must be a number such as 0.5"),
    ("min: .nan", "min must be a number such as 0.5"),
    ("options: []", "'options' does not apply to type 'decimal'"),
])
def test_bad_decimal_settings_are_refused(write: WriteFile, extra: str, words: str) -> None:
    item = f"- code: area\n  type: decimal\n  text: {{vi: a, en: a}}\n  {extra}\n"
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(write(with_items(item)))
    assert any(words in p.message for p in caught.value.problems), caught.value.problems


def test_a_condition_cannot_hang_on_a_decimal_item(write: WriteFile) -> None:
    items = DECIMALS + "- code: why\n  type: text\n  text: {vi: b, en: b}\n  relevant: {item: area, equals: 1}\n"
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(write(with_items(items)))
    assert "relevant refers to decimal item 'area'" in str(caught.value)


def test_xlsform_decimal_is_imported_and_written_back_to_the_same_version() -> None:
    data = workbook([("type", "name", VI, EN, "constraint"),
                     ("decimal", "dien_tich", "Diện tích", "Area", ". >= 0.5 and . <= 99.9 and round(., 1) = ."),
                     ("decimal", "can_nang", "Cân nặng", "Weight", ". >= 0"),
                     ("decimal", "chieu_cao", "Chiều cao", "Height", None)])
    converted = read_workbook(data, "decimals.xlsx", "citizen")
    q = converted.questionnaire
    assert [(i.code, i.type, i.min, i.max, i.places) for i in q.items] == [
        ("dien_tich", ItemType.DECIMAL, 0.5, 99.9, 1), ("can_nang", ItemType.DECIMAL, 0, None, None),
        ("chieu_cao", ItemType.DECIMAL, None, None, None)]
    again = read_workbook(write_workbook(q), "again.xlsx", "citizen")
    assert again.source == converted.source and again.questionnaire.content_hash == q.content_hash
    assert same_content(again.questionnaire, q)


def test_an_xlsform_decimal_constraint_we_cannot_honour_is_refused() -> None:
    data = workbook([("type", "name", VI, EN, "constraint"), ("decimal", "x", "X", "X", ". > 0.5")])
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, "strict.xlsx", "citizen")
    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row) == ("survey", 2) and "round(., 1) = ." in problem.vi


def test_a_yaml_decimal_item_survives_export_and_import(write: WriteFile) -> None:
    q = load_questionnaire(write(with_items(DECIMALS)))
    back = read_workbook(write_workbook(q), "back.xlsx", "citizen").questionnaire
    assert same_content(back, q)


def test_simulated_decimal_answers_are_valid_numbers(write: WriteFile) -> None:
    from survey_app.services.simulate import answers_as_form, simulate_responses

    q = load_questionnaire(write(with_items(DECIMALS)))
    responses = simulate_responses(q, [("XA_A", 100), ("XA_B", 50)], 60, seed=5)
    areas = [r.answers["area"] for r in responses if "area" in r.answers]
    assert areas and all(isinstance(a, float) and 0.5 <= a <= 99.9 and round(a, 1) == a for a in areas)
    for response in responses:
        parsed = parse_answers(q, answers_as_form(q, response.answers))
        assert parsed.ok and parsed.answers == response.answers
