"""Console: upload a changed questionnaire workbook, see the comparison, publish it, answer it by QR."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from survey_app.models import QuestionnaireVersion, Response, Round
from survey_app.services.questionnaire_workbooks import export_workbook
from tests.factories import form_field
from tests.survey_app.admin.conftest import post_form
from tests.survey_app.respondent.test_desk_survey import VALID


def changed_citizen_workbook(version) -> bytes:  # type: ignore[no-untyped-def]
    """The citizen form as exported, with one question reworded, one added, one feeds changed."""
    book = load_workbook(io.BytesIO(export_workbook(version)))
    sheet = book["survey"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    for row in rows:
        if row[1] == "s_acc_1":
            row[header.index("label::Tiếng Việt (vi)")] = "Biển chỉ dẫn tại Bộ phận Một cửa dễ thấy"
        if row[1] == "s_acc_3":
            row[header.index("feeds")] = "PROC"
    position = next(i for i, row in enumerate(rows) if row[1] == "s_acc_3") + 1
    rows.insert(position, ["select_one satisfaction5", "s_acc_4", "Nhà vệ sinh sạch sẽ", "Toilets are clean", None,
                           None, "yes", None, None, "likert", "ACC", None])
    sheet.delete_rows(1, sheet.max_row)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "citizen.xlsx", group: str = "citizen"):  # type: ignore[no-untyped-def]
    page = client.get("/admin/questionnaires/import").get_data(as_text=True)
    return client.post("/admin/questionnaires/import", data={
        "csrf_token": form_field(page, "csrf_token"), "group": group, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_upload_compare_publish_and_answer_by_qr(staff_client, client, session, demo):
    old = demo.version_for("citizen")
    uploaded = upload(staff_client, changed_citizen_workbook(old))
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    review = staff_client.get(uploaded.headers["Location"]).get_data(as_text=True)
    new = session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())).first()
    assert new.id != old.id and new.short_version in review
    assert "s_acc_4" in review and "Nhà vệ sinh sạch sẽ" in review  # added
    assert "Biển chỉ dẫn tại Bộ phận Một cửa dễ thấy" in review  # reworded
    assert "<del>" in review and "PROC" in review  # feeds changed
    scoring = review.split('id="scoring"')[1]
    assert "SIPAS" in scoring and "s_acc_1" in scoring and "30 " in scoring  # the trees its answers feed
    preview = staff_client.get(f"/admin/questionnaires/{new.id}").get_data(as_text=True)
    assert 'name="s_acc_4"' in preview

    published = post_form(staff_client, f"/admin/questionnaires/{new.id}/publish", {"round_id": demo.id},
                          page=f"/admin/questionnaires/{new.id}/review")
    assert published.status_code == 302
    session.expire_all()
    assert session.get(Round, demo.id).version_for("citizen").id == new.id

    html = client.get("/q/demo").get_data(as_text=True)
    assert 'name="s_acc_4"' in html and "Biển chỉ dẫn tại Bộ phận Một cửa dễ thấy" in html
    answer = client.post("/q/demo", data={**VALID, "s_acc_4": "5", "form_token": form_field(html, "form_token")})
    assert answer.status_code == 303
    stored = session.scalars(select(Response)).one()
    assert stored.questionnaire_version_id == new.id and stored.answers["s_acc_4"] == 5

    # Now the group has answered in the round: publishing another version there is refused.
    refused = post_form(staff_client, f"/admin/questionnaires/{old.id}/publish", {"round_id": demo.id},
                        page=f"/admin/questionnaires/{old.id}/review")
    assert refused.status_code == 302
    session.expire_all()
    assert session.get(Round, demo.id).version_for("citizen").id == new.id


def test_a_code_reused_with_another_meaning_is_warned(staff_client, session, demo):
    old = demo.version_for("citizen")
    book = load_workbook(io.BytesIO(export_workbook(old)))
    for row in book["choices"].iter_rows(min_row=2):
        if row[0].value == "field" and row[1].value == "1":
            row[2].value = "Nhà ở"
    out = io.BytesIO()
    book.save(out)
    uploaded = upload(staff_client, out.getvalue())
    review = staff_client.get(uploaded.headers["Location"]).get_data(as_text=True)
    warning = review.split('role="alert"')[1].split("</div>")[0]
    assert "field" in warning


def test_a_bad_workbook_lists_sheet_row_column_in_vietnamese_and_stores_nothing(staff_client, session, demo):
    book = Workbook()
    book.active.title = "survey"
    for row in (("type", "name", "label"), ("text", "y_kien", "Ý kiến"), ("begin repeat", "thanh_vien", "Thành viên"),
                ("text", "ten", "Tên"), ("end repeat",)):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    before = session.scalar(select(func.count()).select_from(QuestionnaireVersion))
    page = upload(staff_client, out.getvalue())
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Trang survey, dòng 3, cột A (type)" in html and "nhóm lặp" in html
    assert session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == before


def test_download_is_a_workbook_that_names_the_version(analyst_client, demo):
    version = demo.version_for("business")
    response = analyst_client.get(f"/admin/questionnaires/{version.id}/xlsform.xlsx")
    assert response.status_code == 200 and version.short_version in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["survey", "choices", "settings"]
    assert book["settings"]["D2"].value == version.short_version


def test_a_rule_on_two_questions_is_shown_and_applied_to_respondents(staff_client, client, session, demo):
    old = demo.version_for("citizen")
    book = load_workbook(io.BytesIO(export_workbook(old)))
    sheet = book["survey"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "comment":
            row[header.index("relevant")].value = "${j_feedback_given} = '1' and ${j_trips} = '3'"
    out = io.BytesIO()
    book.save(out)
    uploaded = upload(staff_client, out.getvalue())
    assert uploaded.status_code == 302
    new = session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())).first()
    post_form(staff_client, f"/admin/questionnaires/{new.id}/publish", {"round_id": demo.id},
              page=f"/admin/questionnaires/{new.id}/review")
    html = client.get("/q/demo").get_data(as_text=True)
    assert 'data-rel="j_feedback_given:1;j_trips:3"' in html and 'data-join' not in html
    assert "Chỉ trả lời nếu" in html or "Answer only if your answers were" in html
    token = form_field(html, "form_token")
    answer = client.post("/q/demo", data={**VALID, "j_feedback_given": "0", "s_fb_1": "", "s_fb_2": "", "s_fb_3": "",
                                          "form_token": token})
    assert answer.status_code == 303
    stored = session.scalars(select(Response)).one()
    assert "comment" not in stored.answers  # the rule did not hold: the answer is dropped, not stored


def test_schemes_page_shows_trees_and_stores_a_changed_workbook_in_its_programme(staff_client, session, demo):
    from survey_app.models import Programme
    from survey_app.services.scheme_view import programme_scheme

    programme = session.scalar(select(Programme).where(Programme.code == "par_district_2023"))
    page = staff_client.get("/admin/schemes").get_data(as_text=True)
    assert "PAR1.1" in page and "par_a1_1" in page and "SIPAS" in page
    download = staff_client.get(f"/admin/schemes/{programme.id}/par.xlsx")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.data))

    def send(workbook):  # type: ignore[no-untyped-def]
        out = io.BytesIO()
        workbook.save(out)
        html = staff_client.get("/admin/schemes").get_data(as_text=True)
        return staff_client.post("/admin/schemes", data={
            "csrf_token": form_field(html, "csrf_token"), "programme_id": programme.id,
            "file": (io.BytesIO(out.getvalue()), "par.xlsx")}, content_type="multipart/form-data")

    book["criteria"]["E2"].value = 5
    refused = send(book)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Trang settings" in text and "34" in text
    book["criteria"]["E2"].value = 1
    book["criteria"]["E3"].value = 0.5
    book["criteria"]["E4"].value = 1.5
    assert send(book).status_code == 302
    session.expire_all()
    stored = programme_scheme(session.get(Programme, programme.id), "par")
    assert [c.max_points for c in stored.criteria[:3]] == [1, 0.5, 1.5]
    assert staff_client.get(f"/admin/schemes/{programme.id}/nope.xlsx").status_code == 404
