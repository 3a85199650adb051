"""XLSForm workbooks: the mapping to our model, refusals with sheet/row/column, bounds, round trips."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from survey_app.questionnaire import Condition, ItemType, load_questionnaire
from survey_app.questionnaire.loader import questionnaire_files
from survey_app.questionnaire.xlsform import (
    LIMITS,
    MAX_UPLOAD_BYTES,
    WorkbookError,
    read_workbook,
    same_content,
    write_workbook,
)

from .conftest import QUESTIONNAIRE_DIR

VI, EN = "label::Tiếng Việt (vi)", "label::English (en)"
SAT5 = [("sat5", str(code), vi, en) for code, vi, en in (
    (1, "Rất không hài lòng", "Very dissatisfied"), (2, "Không hài lòng", "Dissatisfied"),
    (3, "Bình thường", "Neutral"), (4, "Hài lòng", "Satisfied"), (5, "Rất hài lòng", "Very satisfied"))]


def workbook(survey: Sequence[Sequence[object]], choices: Sequence[Sequence[object]] = (),
             settings: Sequence[Sequence[object]] = (("form_title", "form_id"), ("Phiếu thử", "test"))) -> bytes:
    """An .xlsx file from rows (the first row of each sheet is its header)."""
    book = Workbook()
    book.active.title = "survey"
    for row in survey:
        book["survey"].append(list(row))
    if choices:
        sheet = book.create_sheet("choices")
        for row in [("list_name", "name", VI, EN), *choices]:
            sheet.append(list(row))
    if settings:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ("type", "name", VI, EN, "required", "relevant", "constraint", "appearance", "feeds", "profile", "calculation")


SHIPPED = [path for folder in (QUESTIONNAIRE_DIR, *sorted(p for p in QUESTIONNAIRE_DIR.iterdir() if p.is_dir()
                                                            and p.name not in ("schemes", "programmes")))
           for path in questionnaire_files(folder)]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(QUESTIONNAIRE_DIR)))
def test_every_shipped_questionnaire_survives_export_and_import(path: Path) -> None:
    original = load_questionnaire(path)
    converted = read_workbook(write_workbook(original), f"{path.stem}.xlsx", original.group)
    assert same_content(converted.questionnaire, original)
    assert converted.warnings == ()
    # The canonical text is a fixed point: exporting the import and importing again gives the same hash.
    again = read_workbook(write_workbook(converted.questionnaire), "again.xlsx", original.group)
    assert again.questionnaire.content_hash == converted.questionnaire.content_hash


def test_a_kobo_style_form_maps_every_supported_column() -> None:
    data = workbook(
        [HEADER,
         ("start", "start"),
         ("note", "welcome", "Xin chào Ông/Bà", "Welcome"),
         ("begin group", "A", "Phần A", "Part A"),
         ("select_one sex", "sex", "Giới tính", "Sex", "yes", None, None, "minimal", None, "yes"),
         ("integer", "trips", "Số lần đi lại", "Trips", "yes", None, ". >= 1 and . <= 20", None, "J_TRIPS"),
         ("select_one sat5", "s_one", "Hài lòng?", "Satisfied?", None, "${sex} = '1'", None, "likert", "ACC"),
         ("select_multiple ch", "channels", "Kênh", "Channels", None, "${sex}='1' or ${sex} = '2'",
          "count-selected(.) <= 2"),
         ("text", "comment", "Góp ý", "Comment", None, "selected(${channels}, 'web')", "string-length(.) <= 200"),
         ("end group",)],
        [("sex", "1", "Nam", "Male"), ("sex", "2", "Nữ", "Female"), *SAT5,
         ("ch", "desk", "Tại quầy", "At the desk"), ("ch", "web", "Trực tuyến", "Online"),
         ("ch", "post", "Bưu chính", "Post")],
    )
    converted = read_workbook(data, "kobo.xlsx", "citizen")
    q = converted.questionnaire
    assert q.title.vi == "Phiếu thử" and q.intro is not None and q.intro.en == "Welcome"
    assert [s.code for s in q.sections] == ["A"]
    sex, trips, s_one, channels, comment = q.items
    assert sex.type is ItemType.SINGLE and sex.profile and sex.required and sex.option_codes == (1, 2)
    assert (trips.type, trips.min, trips.max, trips.feeds) == (ItemType.NUMBER, 1, 20, "J_TRIPS")
    assert s_one.type is ItemType.SATISFACTION5 and s_one.relevant == Condition("sex", (1,))
    # Text choice names get codes 1, 2, 3 in order, and conditions follow them.
    assert channels.type is ItemType.MULTIPLE and channels.option_codes == (1, 2, 3) and channels.max_choices == 2
    assert channels.relevant == Condition("sex", (1, 2))
    assert comment.relevant == Condition("channels", (2,)) and comment.max_length == 200
    assert any("start" in w.en for w in converted.warnings)
    assert any("codes 1, 2, 3" in w.en for w in converted.warnings)
    # The same workbook always gives the same text, hence the same version.
    assert read_workbook(data, "kobo.xlsx", "citizen").source == converted.source


def test_and_or_across_questions_become_combined_conditions() -> None:
    data = workbook(
        [HEADER,
         ("select_one yn", "a", "Câu a", "A"),
         ("select_multiple ch", "b", "Câu b", "B"),
         ("text", "c", "Câu c", "C", None, "${a} = '1' and (selected(${b}, 'x') or selected(${b}, 'y'))"),
         ("text", "d", "Câu d", "D", None, "${a} = '2' or selected(${b}, 'y') or ${a} = '1'"),
         ("text", "e", "Câu e", "E", None, "selected(${b}, 'x') and selected(${b}, 'y')")],
        [("yn", "1", "Có", "Yes"), ("yn", "2", "Không", "No"), ("ch", "x", "X", "X"), ("ch", "y", "Y", "Y")])
    q = read_workbook(data, "rules.xlsx", "citizen").questionnaire
    c, d, e = q.item("c").relevant, q.item("d").relevant, q.item("e").relevant
    assert c == Condition("a", (1,), "all", (Condition("b", (1, 2)),))
    assert d == Condition("a", (2, 1), "any", (Condition("b", (2,)),))
    assert e.parts == (Condition("b", (1,)), Condition("b", (2,))) and e.join == "all"
    assert c.is_met({"a": 1, "b": [2]}) and not c.is_met({"a": 2, "b": [2]}) and not c.is_met({"a": 1})
    assert d.is_met({"a": 1}) and d.is_met({"b": [2]}) and not d.is_met({"b": [1]})
    assert e.is_met({"b": [1, 2]}) and not e.is_met({"b": [1]})
    # Written back, the rules read the same.
    again = read_workbook(write_workbook(q), "again.xlsx", "citizen").questionnaire
    assert same_content(again, q)


def test_plain_label_is_vietnamese_and_a_missing_english_is_copied_with_a_note() -> None:
    data = workbook([("type", "name", "label"), ("text", "y_kien", "Ý kiến của Ông/Bà")])
    converted = read_workbook(data, "plain.xlsx", "citizen")
    item = converted.questionnaire.items[0]
    assert item.text.vi == "Ý kiến của Ông/Bà" and item.text.en == item.text.vi
    assert any(w.sheet == "survey" and w.row == 2 and "English" in w.en for w in converted.warnings)


@pytest.mark.parametrize(("row", "column", "words"), [
    (("begin repeat", "members", "Thành viên", "Members"), "A (type)", "repeats"),
    (("calculate", "total", None, None, None, None, None, None, None, None, "1 + 1"), "K (calculation)", "calculations"),
    (("geopoint", "where", "Ở đâu", "Where"), "A (type)", "GPS"),
    (("range", "amount", "Số tiền", "Amount"), "A (type)", "range"),
    (("decimal", "amount", "Số tiền", "Amount", None, None, ". > 0.5"), "G (constraint)", "decimal question"),
    (("select_one_from_file towns.csv", "town", "Xã", "Commune"), "A (type)", "external file"),
    (("integer", "age", "Tuổi", "Age", None, None, ". > ${a}"), "G (constraint)", "range constraints"),
    (("text", "why", "Vì sao", "Why", None, "${a} = '1' and (${a} = '2' or ${a} = '3'"), "F (relevant)", "brackets"),
    (("text", "why", "Vì sao", "Why", None, "${a} != '1'"), "F (relevant)", "not understood"),
])
def test_unsupported_features_are_refused_with_sheet_row_and_column(row, column, words) -> None:
    rows = [HEADER, ("text", "a", "Câu a", "A"), row]
    if row[0] == "begin repeat":
        rows += [("text", "member", "Tên", "Name"), ("end repeat",)]
    data = workbook(rows)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, "bad.xlsx", "citizen")
    first = caught.value.problems[0]
    assert (first.sheet, first.row, first.column) == ("survey", 3, column)
    assert words in first.en and first.vi and first.vi != first.en


def test_pyxform_errors_are_passed_on() -> None:
    data = workbook([HEADER, ("begin group", "A", "Phần A", "Part A"), ("text", "a", "Câu a", "A")])
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, "unclosed.xlsx", "citizen")
    assert "pyxform" in caught.value.problems[0].en


def test_a_workbook_declaring_too_many_rows_is_refused_before_parsing() -> None:
    # A declaration is believed when the sheet has content to match (formatting alone often declares a whole sheet).
    data = workbook([HEADER, ("text", "a", "Câu a", "A")])
    raw = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(raw, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes `<dimension ref="A1:D2"/>` (older versions with a space before `/>`).
                content, replaced = re.subn(
                    rb'<dimension ref="A1:[A-Z]+2"\s*/>',
                    f'<dimension ref="A1:K{2 * LIMITS.max_rows + 2}" />'.encode()
                    + b"<!--" + b" " * (LIMITS.trust_dimension_above + 1) + b"-->", content)
                assert replaced == 1
            target.writestr(member, content)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(raw.getvalue(), "big.xlsx", "citizen")
    problem = caught.value.problems[0]
    assert (problem.reason, problem.sheet, problem.value) == ("sheet_too_large", "survey", f"A1:K{2 * LIMITS.max_rows + 2}")
    assert "declares a size beyond the limits" in problem.sentence("en")


def test_a_compressed_bomb_is_refused_without_expanding_it() -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(WorkbookError) as caught:
        read_workbook(raw.getvalue(), "bomb.xlsx", "citizen")
    assert caught.value.problems[0].reason == "too_much_data"
    assert "unpacks to more data than allowed" in caught.value.problems[0].sentence("en")


def test_an_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(b"PK" + b"\0" * MAX_UPLOAD_BYTES, "big.xlsx", "citizen")
    assert caught.value.problems[0].reason == "file_too_large"
    assert "larger than 2 MB" in caught.value.problems[0].sentence("en")


def test_not_a_workbook_is_a_clear_problem() -> None:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(b"this is not a spreadsheet", "x.xlsx", "citizen")
    assert caught.value.problems[0].reason == "not_xlsx" and "Excel" in caught.value.problems[0].sentence("vi")


def test_the_example_workbook_in_docs_imports() -> None:
    path = QUESTIONNAIRE_DIR.parent / "docs" / "xlsform_example.xlsx"
    converted = read_workbook(path.read_bytes(), path.name, "citizen")
    assert converted.warnings == () and converted.questionnaire.item("s_acc_1").feeds == "ACC"


def test_a_csv_form_is_read_by_pyxform_too() -> None:
    text = "survey,,,\n,type,name,label\n,text,y_kien,Ý kiến\n,integer,tuoi,Tuổi\n"
    q = read_workbook(text.encode("utf-8"), "form.csv", "citizen").questionnaire
    assert [(i.code, i.type) for i in q.items] == [("y_kien", ItemType.TEXT), ("tuoi", ItemType.NUMBER)]
