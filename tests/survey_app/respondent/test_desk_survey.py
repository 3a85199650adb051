"""The citizen survey by desk QR, end to end through the test client."""

from __future__ import annotations

import csv
import re
from datetime import timedelta

from click.testing import Result
from sqlalchemy import func, select

from survey_app.models import Response, Round, SubmissionNonce
from tests.factories import form_field

VALID = {
    "j_harassment": "0", "j_informal_payment": "0", "j_trips": "1", "j_channel_pref": "2",
    "j_feedback_given": "0",
    "s_acc_1": "4", "s_acc_2": "5", "s_acc_3": "4",
    "s_proc_1": "4", "s_proc_2": "4", "s_proc_3": "5", "s_proc_4": "3",
    "s_staff_1": "5", "s_staff_2": "4", "s_staff_3": "4",
    "s_res_1": "4", "s_res_2": "5", "s_res_3": "4",
    "p_make_1": "3", "p_make_2": "4", "p_impl_1": "4", "p_impl_2": "4",
    "e_time": "4", "e_procedure": "3", "e_attitude": "2", "e_online": "4", "e_facilities": "1",
    "sex": "2", "age_group": "3", "field": "2", "submission_mode": "1",
    "comment": "Cán bộ nhiệt tình, hướng dẫn rõ ràng.",
}


def open_form(client, code: str = "demo") -> tuple[str, dict[str, str]]:
    page = client.get(f"/q/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html, {"form_token": form_field(html, "form_token")}


def count(session, model=Response) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_page_names_the_unit_promises_anonymity_in_vietnamese(client, demo):
    html, _ = open_form(client)
    assert "Huyện An Bình" in html
    assert "ẩn danh" in html
    assert 'lang="vi"' in html
    assert not re.search(r'(src|href|action)="(https?:)?//', html)  # nothing from another host


def test_english_switch(client, demo):
    html = client.get("/q/demo?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html and "anonymous" in html
    assert "Tiếng Việt" in html  # the way back


def test_valid_submission_is_stored_once_and_thanked(client, session, demo):
    _, hidden = open_form(client)
    answer = client.post("/q/demo", data={**VALID, **hidden})
    assert answer.status_code == 303
    thanks = client.get(answer.headers["Location"])
    assert thanks.status_code == 200 and "Cảm ơn" in thanks.get_data(as_text=True)
    again = client.post("/q/demo", data={**VALID, **hidden})  # reload / double tap
    assert again.status_code == 303
    assert count(session) == 1
    stored = session.scalars(select(Response)).one()
    assert stored.channel == "qr" and stored.group_code == "citizen"
    assert stored.answers["s_acc_2"] == 5 and stored.answers["sex"] == 2
    assert stored.unit.code == "HUYEN_AN_BINH" and stored.service_point.code == "demo"
    assert stored.duration_seconds is not None and len(stored.id) >= 22


def test_invalid_submission_shows_errors_keeps_answers_and_stores_nothing(client, session, demo):
    _, hidden = open_form(client)
    broken = {**VALID, "s_acc_1": "9", "j_trips": "abc", "comment": "giữ nguyên câu này"}
    del broken["sex"]
    page = client.post("/q/demo", data={**broken, **hidden})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'id="e-s_acc_1"' in html and 'id="e-j_trips"' in html
    assert "Vui lòng" in html  # Vietnamese messages
    assert 'name="s_acc_2" value="5" checked' in html  # answers kept
    assert "giữ nguyên câu này" in html and 'value="abc"' in html
    assert count(session) == 0 and count(session, SubmissionNonce) == 0
    fixed = {**broken, "s_acc_1": "4", "j_trips": "2", "sex": "1"}
    assert client.post("/q/demo", data={**fixed, **hidden}).status_code == 303
    assert count(session) == 1


def test_lost_cookie_keeps_answers_and_sending_again_works(client, session, demo):
    """The browser dropped its cookie (restarted, cleared) while the form was open: the CSRF check fails."""
    _, hidden = open_form(client)
    client.delete_cookie("survey_browser")
    page = client.post("/q/demo", data={**VALID, **hidden})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "vẫn được giữ" in html  # "your answers are kept"
    assert 'name="s_acc_2" value="5" checked' in html and count(session) == 0
    assert client.get_cookie("survey_browser") is not None  # a new one, with a token for it in the page
    assert client.post("/q/demo", data={**VALID, "form_token": form_field(html, "form_token")}).status_code == 303
    assert count(session) == 1


def test_missing_form_token_keeps_answers(client, session, demo):
    open_form(client)
    page = client.post("/q/demo", data=VALID)
    assert page.status_code == 400
    assert 'name="s_acc_2" value="5" checked' in page.get_data(as_text=True)
    assert count(session) == 0


def test_forged_form_token_is_refused_with_answers_kept(client, session, demo):
    _, hidden = open_form(client)
    page = client.post("/q/demo", data={**VALID, **hidden, "form_token": "forged"})
    assert page.status_code == 400 and count(session) == 0


def test_skipped_items_are_dropped(client, session, demo):
    _, hidden = open_form(client)
    client.post("/q/demo", data={**VALID, **hidden, "s_fb_1": "1"})  # j_feedback_given = 0
    assert "s_fb_1" not in session.scalars(select(Response)).one().answers


def test_unknown_desk_is_404(client, demo):
    page = client.get("/q/nosuchdesk")
    assert page.status_code == 404 and "QR" in page.get_data(as_text=True)


def test_closed_and_future_rounds(client, session, demo):
    round_ = session.get(Round, demo.id)
    round_.status = "closed"
    session.commit()
    assert client.get("/q/demo").status_code == 410
    round_.status = "open"
    round_.opens_on = round_.opens_on + timedelta(days=400)
    round_.closes_on = round_.closes_on + timedelta(days=400)
    session.commit()
    assert client.get("/q/demo").status_code == 403


def test_export_contains_the_response(app, client, session, demo, tmp_path):
    _, hidden = open_form(client)
    client.post("/q/demo", data={**VALID, **hidden})
    out = tmp_path / "responses.csv"
    result: Result = app.test_cli_runner().invoke(args=["export", "responses", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 1
    row = rows[0]
    stored = session.scalars(select(Response)).one()
    assert row["response_id"] == stored.id
    assert (row["group"], row["unit"], row["desk"], row["channel"]) == ("citizen", "HUYEN_AN_BINH", "demo", "qr")
    assert row["s_acc_1"] == "4" and row["sex"] == "2" and row["s_fb_1"] == ""
    assert row["comment"] == VALID["comment"]
    assert row["submitted_on"] == stored.submitted_on.isoformat()
