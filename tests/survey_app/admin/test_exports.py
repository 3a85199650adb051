"""Exports from the console: streamed CSV with BOM, XLSX equal to the CSV, codebook, neutralised formulas."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.models import AuditEntry
from survey_app.services.export_xlsx import CODEBOOK_SHEET, RESPONSES_SHEET
from tests.factories import make_response
from tests.survey_app.respondent.test_desk_survey import VALID

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"bấm\")", "+1+2", "-3+4", "@SUM(A1:A9)", "\tcmd", "\rline", "007"]


def answers(**changes) -> dict[str, object]:
    typed = {k: (v if k == "comment" else int(v)) for k, v in VALID.items()}
    return {**typed, **changes}


def fill(session, demo):
    for i, text in enumerate(HOSTILE):
        make_response(session, demo, "XA_AN_PHU", answers=answers(comment=text), desk_code=None, duration=100 + i)
    make_response(session, demo, "XA_AN_LAC", group="business", answers={"s_acc_1": 3, "comment": "Tốt"},
                  channel="link")


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_csv_is_streamed_with_bom_and_neutralised(staff_client, session, demo):
    fill(session, demo)
    response = staff_client.get(f"/admin/rounds/{demo.id}/export.csv?group=citizen")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert response.headers["Content-Disposition"] == 'attachment; filename="responses-khao-sat-cchc-2026-citizen.csv"'
    rows = read_csv(response.get_data())
    header, body = rows[0], rows[1:]
    assert header[:9] == ["response_id", "round", "group", "unit", "desk", "channel", "submitted_on",
                          "duration_seconds", "questionnaire_version"]
    assert len(body) == len(HOSTILE) and {row[2] for row in body} == {"citizen"}
    comments = sorted(row[header.index("comment")] for row in body)
    expected = ["'" + text if text[0] in "=+-@\t\r" else text for text in HOSTILE]
    assert comments == sorted(text.replace("\r", "\n") for text in expected)  # line breaks as LF in both formats
    assert all(row[header.index("round")] == "Khảo sát CCHC 2026" for row in body)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "export.csv"))
    assert entry.target == demo.name and entry.detail == {"group": "citizen"} and entry.user.role == "admin"


def test_all_groups_export_has_the_union_of_columns(analyst_client, session, demo):
    fill(session, demo)
    rows = read_csv(analyst_client.get(f"/admin/rounds/{demo.id}/export.csv").get_data())
    assert len(rows) == len(HOSTILE) + 2 and "b_time_days" in rows[0] and "sex" in rows[0]


def test_xlsx_opens_with_openpyxl_and_matches_the_csv(staff_client, session, demo):
    fill(session, demo)
    csv_rows = read_csv(staff_client.get(f"/admin/rounds/{demo.id}/export.csv").get_data())
    response = staff_client.get(f"/admin/rounds/{demo.id}/export.xlsx", buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    try:
        assert book.sheetnames == [RESPONSES_SHEET, CODEBOOK_SHEET]
        width = len(csv_rows[0])  # empty answers are no cell at all: read every row to the full width
        sheet_rows = [["" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v) for v in row]
                      for row in book[RESPONSES_SHEET].iter_rows(max_col=width, values_only=True)]
        numbers = list(book[RESPONSES_SHEET].iter_rows(min_row=2, max_col=width, values_only=True))
        codebook = list(book[CODEBOOK_SHEET].iter_rows(values_only=True))
    finally:
        book.close()
    assert sheet_rows == csv_rows
    header = csv_rows[0]
    assert all(isinstance(row[header.index("s_acc_1")], int) for row in numbers)  # codes are numbers
    assert all(isinstance(row[header.index("submitted_on")], datetime) for row in numbers)  # days are dates
    assert "007" in {row[header.index("comment")] for row in numbers}  # text stays text
    assert any(row[0] == "s_acc_1" and row[8] == "5" and row[9] == "Rất hài lòng" and row[10] == "Very satisfied"
               for row in codebook)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "export.xlsx")) is not None


def test_codebook_csv_has_questions_and_labels_before_any_response(staff_client, demo):
    rows = read_csv(staff_client.get(f"/admin/rounds/{demo.id}/codebook.csv?group=citizen").get_data())
    header = rows[0]
    assert header[:3] == ["column", "group", "questionnaire_version"]
    by_column = {}
    for row in rows[1:]:
        by_column.setdefault(row[0], []).append(dict(zip(header, row, strict=True)))
    assert [r["answer_code"] for r in by_column["sex"]] == ["1", "2"]
    assert by_column["sex"][1]["answer_vi"] == "Nữ"
    assert by_column["j_trips"][0]["answer_code"] == "1..20"
    assert by_column["s_acc_1"][0]["feeds"] == "ACC" and by_column["s_acc_1"][0]["question_vi"]
    assert {r["answer_code"] for r in by_column["channel"]} == {"qr", "link", "kiosk", "slip", "import"}
    assert "b_time_days" not in by_column  # the business questionnaire was not asked for


def test_empty_export_has_the_header_only(staff_client, demo):
    rows = read_csv(staff_client.get(f"/admin/rounds/{demo.id}/export.csv?group=hdnd_deputy").get_data())
    assert len(rows) == 1 and rows[0][0] == "response_id"


def test_cli_xlsx_has_the_codebook_and_csv_can_write_one(app, session, demo, tmp_path):
    fill(session, demo)
    runner = app.test_cli_runner()
    out = tmp_path / "all.xlsx"
    result = runner.invoke(args=["export", "responses", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    try:
        assert book.sheetnames == [RESPONSES_SHEET, CODEBOOK_SHEET]
    finally:
        book.close()
    codebook = tmp_path / "codebook.csv"
    result = runner.invoke(args=["export", "responses", "--out", str(tmp_path / "x.csv"), "--codebook", str(codebook)])
    assert result.exit_code == 0, result.output
    assert "s_acc_1" in codebook.read_text(encoding="utf-8-sig")


def test_control_characters_from_other_channels_do_not_break_the_xlsx(staff_client, session, demo):
    make_response(session, demo, answers=answers(comment="dòng 1\r\ndòng 2\x0b"), channel="import")
    csv_rows = read_csv(staff_client.get(f"/admin/rounds/{demo.id}/export.csv").get_data())
    assert csv_rows[1][csv_rows[0].index("comment")] == "dòng 1\ndòng 2"
    response = staff_client.get(f"/admin/rounds/{demo.id}/export.xlsx", buffered=True)
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    try:
        row = list(book[RESPONSES_SHEET].iter_rows(min_row=2, values_only=True))[0]
    finally:
        book.close()
    assert row[csv_rows[0].index("comment")] == "dòng 1\ndòng 2"


def test_response_ids_are_exported_as_stored(staff_client, session, demo, monkeypatch):
    """No id starts with a character a spreadsheet reads as a formula, so none needs an apostrophe."""
    import secrets

    from survey_app.models import Response, new_response_id

    draws = iter(["-KqH-PenNUd6QAtMZAkd2w", "_bcdefghijklmnopqrstuv", "KqH-PenNUd6QAtMZAkd2w-"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(draws))
    assert new_response_id() == "KqH-PenNUd6QAtMZAkd2w-"  # drawn again until it starts with a letter or digit
    monkeypatch.undo()
    ids = [new_response_id() for _ in range(5000)]
    assert all(len(i) == 22 and i[0].isalnum() for i in ids) and len(set(ids)) == 5000
    make_response(session, demo, "XA_AN_PHU", answers=answers(), desk_code=None)
    stored = session.scalar(select(Response.id))
    rows = read_csv(staff_client.get(f"/admin/rounds/{demo.id}/export.csv").get_data())
    assert rows[1][0] == stored
