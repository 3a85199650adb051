"""A decimal question on paper, keyed from paper, imported from Kobo and sent by an interviewer's tablet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pypdfium2 as pdfium
from sqlalchemy import select

from survey_app.models import Response, Round, Unit
from survey_app.services.paper import FormBatch, forms_pdf
from survey_app.services.paper_entry import check_entry
from survey_app.services.questionnaire_workbooks import import_workbook, publish
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.submission_import import ImportRefused, import_submissions
from tests.survey_app.admin.test_workbooks import with_decimal_question
from tests.survey_app.fieldwork.test_interviews import _interview, _interviewer, _post

KOBO = Path(__file__).resolve().parents[2] / "fixtures" / "kobo_odk" / "kobo_citizen.csv"


def _publish_decimal(session, demo: Round):  # type: ignore[no-untyped-def]
    result = import_workbook(session, with_decimal_question(demo.version_for("citizen")), "citizen.xlsx", "citizen")
    publish(session, result.version, demo)
    session.commit()
    return questionnaire_of(result.version)


def test_the_paper_form_has_boxes_for_decimals_and_keying_takes_a_comma(session, demo: Round) -> None:
    q = _publish_decimal(session, demo)
    pdf = forms_pdf(FormBatch(q, demo.name, "Xã An Phú", ("ABCD-EFGH",)))
    document = pdfium.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document))).replace("\r\n", " ")
    assert "(ghi số, phần lẻ sau dấu phẩy từ 0,5 đến 99,9)" in text
    assert check_entry(q, {"wait_hours": "2,5"}).answers["wait_hours"] == 2.5
    assert "wait_hours" in check_entry(q, {"wait_hours": "2,55"}).errors


def test_a_kobo_export_with_a_decimal_column_is_imported_as_a_number(session, demo: Round) -> None:
    _publish_decimal(session, demo)
    rows = list(csv.reader(io.StringIO(KOBO.read_text(encoding="utf-8")), delimiter=";"))
    rows[0].append("section_c1/wait_hours")
    for row, value in zip(rows[1:], ("2.5", "0.75", "12"), strict=True):
        row.append(value)
    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))

    def as_csv(table: list[list[str]]) -> bytes:
        out = io.StringIO()
        csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL).writerows(table)
        return out.getvalue().encode("utf-8")

    try:
        import_submissions(session, demo, "citizen", unit, "kobo.csv", as_csv(rows))
    except ImportRefused as refused:  # 0.75 has two places, the question takes one
        problem = refused.problems[0]
        assert problem.column.endswith("wait_hours") and "0,5 đến 99,9" in problem.vi
    else:
        raise AssertionError("0.75 should be refused")
    rows[2][-1] = "0,8"
    result = import_submissions(session, demo, "citizen", unit, "kobo.csv", as_csv(rows))
    assert result.imported == 3
    stored = sorted(r.answers["wait_hours"] for r in session.scalars(select(Response)))
    assert stored == [0.8, 2.5, 12]


def test_an_interview_with_a_decimal_answer_is_stored_as_a_number(app, session, demo: Round) -> None:
    _publish_decimal(session, demo)
    client = _interviewer(app, session)
    data = client.get("/admin/interview/data.json").get_json()
    item = next(i for q in data["questionnaires"] if q["group"] == "citizen" for s in q["sections"]
                for i in s["items"] if i["code"] == "wait_hours")
    assert (item["type"], item["min"], item["max"], item["places"]) == ("decimal", 0.5, 99.9, 1)
    body = _interview(data)
    body["answers"]["wait_hours"] = ["3,5"]
    assert _post(client, data, body).get_json()["status"] == "stored"
    assert session.scalar(select(Response)).answers["wait_hours"] == 3.5
