"""Console: upload a changed questionnaire workbook, see the comparison, publish it, answer it by QR."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from analysis.io.database import load_round
from analysis.io.responses import load_responses
from survey_app.models import QuestionnaireVersion, Response, Round
from survey_app.services.questionnaire_workbooks import export_workbook
from tests.factories import form_field
from tests.survey_app.admin.conftest import post_form
from tests.survey_app.respondent.test_desk_survey import VALID


def saved(book) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def survey_sheet(*rows: tuple[object, ...]) -> bytes:
    """A workbook of one sheet, ``survey``, with these rows."""
    book = Workbook()
    book.active.title = "survey"
    for row in rows:
        book.active.append(row)
    return saved(book)


def exported_survey_rows(version, edit) -> bytes:  # type: ignore[no-untyped-def]
    """The version as exported, its survey sheet's rows (lists, header first) changed in place by ``edit``."""
    book = load_workbook(io.BytesIO(export_workbook(version)))
    sheet = book["survey"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    edit(rows)
    sheet.delete_rows(1, sheet.max_row)
    for row in rows:
        sheet.append(row)
    return saved(book)


def with_rule_on_comment(version, rule: str) -> bytes:  # type: ignore[no-untyped-def]
    """The version as exported, with ``rule`` as the comment question's relevant."""
    def edit(rows: list[list[object]]) -> None:
        for row in rows:
            if row[1] == "comment":
                row[rows[0].index("relevant")] = rule

    return exported_survey_rows(version, edit)


def changed_citizen_workbook(version) -> bytes:  # type: ignore[no-untyped-def]
    """The citizen form as exported, with one question reworded, one added, one feeds changed."""
    def edit(rows: list[list[object]]) -> None:
        header = rows[0]
        for row in rows:
            if row[1] == "s_acc_1":
                row[header.index("label::Tiếng Việt (vi)")] = "Biển chỉ dẫn tại Bộ phận Một cửa dễ thấy"
            if row[1] == "s_acc_3":
                row[header.index("feeds")] = "PROC"
        position = next(i for i, row in enumerate(rows) if row[1] == "s_acc_3") + 1
        rows.insert(position, ["select_one satisfaction5", "s_acc_4", "Nhà vệ sinh sạch sẽ", "Toilets are clean", None,
                               None, "yes", None, None, "likert", "ACC", None])

    return exported_survey_rows(version, edit)


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
    uploaded = upload(staff_client, saved(book))
    review = staff_client.get(uploaded.headers["Location"]).get_data(as_text=True)
    warning = review.split('role="alert"')[1].split("</div>")[0]
    assert "field" in warning


def test_a_bad_workbook_lists_sheet_row_column_in_vietnamese_and_stores_nothing(staff_client, session, demo):
    data = survey_sheet(("type", "name", "label"), ("text", "y_kien", "Ý kiến"),
                        ("begin repeat", "thanh_vien", "Thành viên"), ("text", "ten", "Tên"), ("end repeat",))
    before = session.scalar(select(func.count()).select_from(QuestionnaireVersion))
    page = upload(staff_client, data)
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
    uploaded = upload(staff_client, with_rule_on_comment(old, "${j_feedback_given} = '1' and ${j_trips} = '3'"))
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
        html = staff_client.get("/admin/schemes").get_data(as_text=True)
        return staff_client.post("/admin/schemes", data={
            "csrf_token": form_field(html, "csrf_token"), "programme_id": programme.id,
            "file": (io.BytesIO(saved(workbook)), "par.xlsx")}, content_type="multipart/form-data")

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


def with_decimal_question(version) -> bytes:  # type: ignore[no-untyped-def]
    """The citizen form as exported, with an XLSForm ``decimal`` question (range and places) after s_acc_3."""
    def edit(rows: list[list[object]]) -> None:
        position = next(i for i, row in enumerate(rows) if row[1] == "s_acc_3") + 1
        rows.insert(position, ["decimal", "wait_hours", "Ông/Bà đã chờ bao nhiêu giờ?", "How many hours did you wait?",
                               None, None, None, None, ". >= 0.5 and . <= 99.9 and round(., 1) = .", None, None, None])

    return exported_survey_rows(version, edit)


def test_a_decimal_question_answered_by_qr_with_a_comma_reaches_every_export(staff_client, client, session, demo, tmp_path):
    import pyreadstat

    uploaded = upload(staff_client, with_decimal_question(demo.version_for("citizen")))
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    new = session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())).first()
    post_form(staff_client, f"/admin/questionnaires/{new.id}/publish", {"round_id": demo.id},
              page=f"/admin/questionnaires/{new.id}/review")

    html = client.get("/q/demo").get_data(as_text=True)
    field = html.split('name="wait_hours"')[0].rsplit("<input", 1)[1]
    assert 'inputmode="decimal"' in field and 'type="text"' in field
    assert "từ 0,5 đến 99,9" in html  # the range in the respondent's (Vietnamese) notation
    # Too many decimals: refused with a message in Vietnamese, every answer kept.
    refused = client.post("/q/demo", data={**VALID, "wait_hours": "2,55", "form_token": form_field(html, "form_token")})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Vui lòng nhập một số từ 0,5 đến 99,9, tối đa 1 chữ số sau dấu phẩy" in page
    assert 'value="2,55"' in page and VALID["comment"] in page
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    answered = client.post("/q/demo", data={**VALID, "wait_hours": "2,5", "form_token": form_field(page, "form_token")})
    assert answered.status_code == 303
    assert session.scalars(select(Response)).one().answers["wait_hours"] == 2.5

    body = staff_client.get(f"/admin/rounds/{demo.id}/export.csv?group=citizen").get_data().decode("utf-8-sig")
    header, row = [line.split(",") for line in body.strip().splitlines()[:2]]
    assert row[header.index("wait_hours")] == "2.5"
    exported = tmp_path / "responses.csv"
    exported.write_text(body, encoding="utf-8")
    assert load_responses(exported).numeric("wait_hours").tolist() == [2.5]  # the analysis reads a number
    assert load_round(session.get_bind(), demo.name).numeric("wait_hours").tolist() == [2.5]  # from the database too
    xlsx = staff_client.get(f"/admin/rounds/{demo.id}/export.xlsx?group=citizen", buffered=True).get_data()
    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][list(values[0]).index("wait_hours")] == 2.5  # a number, not the text "2.5"
    sav = staff_client.get(f"/admin/rounds/{demo.id}/export.sav?group=citizen", buffered=True)
    saved = tmp_path / "responses.sav"
    saved.write_bytes(sav.get_data())
    data, _meta = pyreadstat.read_sav(str(saved))
    assert data["wait_hours"].dtype.kind == "f" and data["wait_hours"].tolist() == [2.5]


def test_a_rule_mixing_and_with_or_reaches_respondents_paper_and_tablets(app, staff_client, client, session, demo):
    from survey_app.services.interviews import questionnaire_data
    from survey_app.services.paper import only_if_note, question_numbers
    from survey_app.services.questionnaires import questionnaire_of

    rule = "${j_feedback_given} = '1' or ${j_trips} = '3' and ${field} = '2'"  # and binds tighter
    assert upload(staff_client, with_rule_on_comment(demo.version_for("citizen"), rule)).status_code == 302
    new = session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())).first()
    post_form(staff_client, f"/admin/questionnaires/{new.id}/publish", {"round_id": demo.id},
              page=f"/admin/questionnaires/{new.id}/review")
    q = questionnaire_of(new)

    html = client.get("/q/demo").get_data(as_text=True)
    assert 'data-rel="|(j_feedback_given:1;&amp;(j_trips:3;field:2))"' in html
    numbers = question_numbers(q)
    assert only_if_note(q, q.item("comment"), "vi") == (
        f"Chỉ trả lời nếu câu {numbers['j_feedback_given']} là “Có” hoặc (câu {numbers['j_trips']} là 3 và "
        f"câu {numbers['field']} là “{q.item('field').option(2).label.vi}”).")
    tablet = questionnaire_data(q, "vi")
    comment = next(i for s in tablet["sections"] for i in s["items"] if i["code"] == "comment")
    assert comment["relevant"] == {"join": "any", "parts": [
        {"item": "j_feedback_given", "values": [1]},
        {"join": "all", "parts": [{"item": "j_trips", "values": [3]}, {"item": "field", "values": [2]}]}]}

    # Trips 3 and field 2, no feedback: the and-part holds, so the comment is kept.
    answers = {**VALID, "j_feedback_given": "0", "j_trips": "3", "field": "2", "s_fb_1": "", "s_fb_2": "", "s_fb_3": ""}
    answer = client.post("/q/demo", data={**answers, "form_token": form_field(html, "form_token")})
    assert answer.status_code == 303
    assert session.scalars(select(Response)).one().answers["comment"] == VALID["comment"]


def test_problems_found_in_the_converted_text_are_in_the_staff_members_language(staff_client, session, demo):
    data = survey_sheet(("type", "name", "label", "constraint"), ("integer", "tuoi", "Tuổi", ". >= 5 and . <= 1"),
                        ("text", "round", "Đợt", None))
    before = session.scalar(select(func.count()).select_from(QuestionnaireVersion))
    page = upload(staff_client, data)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Trang survey, dòng 2: giá trị nhỏ nhất (5) lớn hơn giá trị lớn nhất (1)" in html
    assert "Trang survey, dòng 3: mã &#39;round&#39; đã dành cho tệp xuất dữ liệu" in html
    assert "is greater than" not in html
    staff_client.get("/admin/password?lang=en")
    english = upload(staff_client, data).get_data(as_text=True)
    assert "Sheet survey, row 2: min (5) is greater than max (1)" in english
    assert "Sheet survey, row 3: the code &#39;round&#39; is reserved" in english
    assert session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == before
