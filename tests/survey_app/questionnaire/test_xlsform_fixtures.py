"""Real XLSForm workbooks written by other projects (tests/fixtures/xlsform/README.md gives origin and licence).

Each is either accepted with the right questions, or refused naming the sheet
and row of its first unsupported feature.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.questionnaire import ItemType
from survey_app.questionnaire.xlsform import WorkbookError, read_workbook

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "xlsform"

ACCEPTED = {
    "odk_xlsform_offline_pyxform-clean.xlsx": [("name", ItemType.TEXT), ("age", ItemType.NUMBER)],
    "odk_xlsform_offline_pyxform-warning.xlsx": [("name", ItemType.TEXT), ("age", ItemType.TEXT)],
    "pyxform_text_and_integer.xlsx": [("your_name", ItemType.TEXT), ("your_age", ItemType.NUMBER)],
    "pyxform_yes_or_no_question.xlsx": [("good_day", ItemType.SINGLE)],
    "pyxform_field-list.xlsx": [("table_list_question", ItemType.SINGLE)],
    # An .xls workbook (the old binary format, read by xlrd through pyxform).
    "pyxform_badly_named_choices_sheet.xls": [("age", ItemType.NUMBER), ("name", ItemType.TEXT),
                                              ("color", ItemType.SINGLE)],
}
# file -> (sheet, row, words of the English sentence)
REFUSED = {
    "odk_xlsform_offline_external-itemsets.xlsx": ("survey", 3, "choice filters"),
    "odk_xlsform_offline_pyxform-error.xlsx": ("survey", 2, "type 'textx'"),
    "pyxform_UCL_Biomass_Plot_Form.xlsx": ("survey", 9, "not understood"),
    "pyxform_case_insensitivity.xlsx": ("survey", 3, "choice filters"),
    "pyxform_flat_xlsform_test.xlsx": ("survey", 3, "note"),
    "pyxform_group.xlsx": ("survey", 4, "phone number"),
    "pyxform_loop.xlsx": ("survey", 2, "or_other"),
    "pyxform_or_other.xlsx": ("survey", 2, "or_other"),
    "pyxform_pull_data.xlsx": ("survey", 2, "calculations"),
    "pyxform_specify_other.xlsx": ("survey", 2, "or_other"),
    "pyxform_tutorial.xls": ("survey", 2, "repeats"),
    "pyxform_xlsform_spec_test.xlsx": ("survey", 3, "whole group"),
}


def test_every_fixture_has_an_expectation_and_a_readme_entry() -> None:
    files = {p.name for p in FIXTURES.glob("*.xls*")}
    assert files == set(ACCEPTED) | set(REFUSED) | {"pyxform_extra_columns.xlsx"}
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in files)


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_with_the_right_questions(name: str) -> None:
    converted = read_workbook((FIXTURES / name).read_bytes(), name, "citizen")
    assert [(item.code, item.type) for item in converted.questionnaire.items] == ACCEPTED[name]


def test_text_choice_names_become_codes_in_order() -> None:
    name = "pyxform_yes_or_no_question.xlsx"
    item = read_workbook((FIXTURES / name).read_bytes(), name, "citizen").questionnaire.items[0]
    assert [(o.code, o.label.vi) for o in item.options] == [(1, "yes"), (2, "no")]


def test_an_xls_workbook_gives_its_labels_and_choices() -> None:
    name = "pyxform_badly_named_choices_sheet.xls"
    q = read_workbook((FIXTURES / name).read_bytes(), name, "citizen").questionnaire
    color = q.item("color")
    assert color.text.vi == "What is your favorite color?"
    assert [(o.code, o.label.vi) for o in color.options] == [(1, "Red"), (2, "Blue"), (3, "Green"), (4, "Yellow")]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_at_the_first_unsupported_feature(name: str) -> None:
    with pytest.raises(WorkbookError) as caught:
        read_workbook((FIXTURES / name).read_bytes(), name, "citizen")
    sheet, row, words = REFUSED[name]
    first = caught.value.problems[0]
    assert (first.sheet, first.row) == (sheet, row) and words in first.en and first.vi


def test_a_sheet_declaring_thousands_of_columns_is_refused_by_the_bounds() -> None:
    name = "pyxform_extra_columns.xlsx"
    with pytest.raises(WorkbookError) as caught:
        read_workbook((FIXTURES / name).read_bytes(), name, "citizen")
    problem = caught.value.problems[0]
    assert (problem.reason, problem.sheet, problem.value) == ("sheet_too_large", "survey", "A1:ISI513")  # 6587 columns
    assert "A1:ISI513" in problem.text("en") and "vượt giới hạn" in problem.text("vi")
