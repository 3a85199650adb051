"""Kiosk mode at /k/<desk code>, through the test client (the browser tests check what people see)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.models import AuditEntry, KioskTablet, Response, ServicePoint
from tests.factories import enrol_tablet, form_field, login, make_user

ANSWERS = {
    "field": "2", "submission_mode": "1", "j_trips": "1", "j_harassment": "0", "j_informal_payment": "0",
    "j_feedback_given": "0", "j_channel_pref": "2",
    **{code: "4" for code in (
        "s_acc_1", "s_acc_2", "s_acc_3", "s_proc_1", "s_proc_2", "s_proc_3", "s_proc_4",
        "s_staff_1", "s_staff_2", "s_staff_3", "s_res_1", "s_res_2", "s_res_3",
        "p_make_1", "p_make_2", "p_impl_1", "p_impl_2")},
    **{code: "3" for code in ("e_time", "e_procedure", "e_attitude", "e_online", "e_facilities")},
    "sex": "1", "age_group": "5",
}


def hidden_fields(html: str) -> dict[str, str]:
    return {name: form_field(html, name) for name in ("form_token",)}


def other_desk(session) -> ServicePoint:
    return session.scalars(select(ServicePoint).where(ServicePoint.code != "demo")).first()


@pytest.fixture(autouse=True)
def tablet(client, session, demo):  # type: ignore[no-untyped-def]
    """The test client is a tablet enrolled at the demo desk (see the enrolment tests below)."""
    return enrol_tablet(client, session, "demo")


def test_kiosk_page_is_never_stored_and_resets_itself(app, client, demo):
    page = client.get("/k/demo")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert 'action="/k/demo"' in html and 'autocomplete="off"' in html
    assert 'data-idle="90"' in html and 'data-fresh="/k/demo?lang=vi"' in html
    assert '<noscript><meta http-equiv="refresh" content="600;url=/k/demo?lang=vi"></noscript>' in html
    assert 'class="kiosk"' in html


def test_kiosk_submission_is_stored_as_kiosk_then_thanks_and_starts_again(client, session, demo):
    hidden = hidden_fields(client.get("/k/demo").get_data(as_text=True))
    sent = client.post("/k/demo", data={**ANSWERS, **hidden})
    assert sent.status_code == 303 and sent.headers["Location"] == "/k/demo/thanks"
    assert sent.headers["Cache-Control"] == "no-store"
    thanks = client.get("/k/demo/thanks")
    html = thanks.get_data(as_text=True)
    assert thanks.status_code == 200 and thanks.headers["Cache-Control"] == "no-store"
    assert "Cảm ơn" in html and 'href="/k/demo?lang=vi"' in html
    assert '<noscript><meta http-equiv="refresh" content="8;url=/k/demo?lang=vi"></noscript>' in html
    stored = session.scalars(select(Response)).one()
    assert (stored.channel, stored.service_point.code, stored.answers["age_group"]) == ("kiosk", "demo", 5)


def test_kiosk_errors_keep_answers_but_are_not_stored_either(client, session, demo):
    hidden = hidden_fields(client.get("/k/demo").get_data(as_text=True))
    page = client.post("/k/demo", data={**{k: v for k, v in ANSWERS.items() if k != "sex"}, **hidden})
    assert page.status_code == 422 and page.headers["Cache-Control"] == "no-store"
    assert 'id="e-sex"' in page.get_data(as_text=True)
    assert session.scalars(select(Response)).first() is None


def test_kiosk_timings_come_from_the_config(app, client, demo):
    app.config.update(KIOSK_IDLE_SECONDS=30, KIOSK_THANKS_SECONDS=5, KIOSK_NOSCRIPT_RESET_SECONDS=300)
    assert 'data-idle="30"' in client.get("/k/demo").get_data(as_text=True)
    assert 'content="5;url=/k/demo?lang=vi"' in client.get("/k/demo/thanks").get_data(as_text=True)


def test_only_desks_with_kiosk_mode_enabled_answer(client, session, demo):
    desk = other_desk(session)
    assert not desk.kiosk_enabled
    assert client.get(f"/q/{desk.code}").status_code == 200  # its QR survey works
    for path in (f"/k/{desk.code}", f"/k/{desk.code}/thanks", "/k/nosuchdesk"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/k/{desk.code}", data=ANSWERS).status_code == 404
    desk.kiosk_enabled = True
    session.commit()
    assert client.get(f"/k/{desk.code}").status_code == 403  # this tablet is enrolled at another desk
    enrol_tablet(client, session, desk.code)
    assert client.get(f"/k/{desk.code}").status_code == 200


def test_a_phone_typing_the_kiosk_address_is_refused(app, session, demo):
    phone = app.test_client()
    page = phone.get("/k/demo")
    assert page.status_code == 403 and "QR" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    phone.set_cookie("survey_kiosk", "made-up-secret", path="/k/")
    assert phone.get("/k/DEMO").status_code == 403
    assert phone.post("/k/demo", data=ANSWERS).status_code == 403
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_staff_open_kiosk_mode_on_a_tablet_from_the_console(app, session, demo):
    officer = make_user(session, "unit_officer", unit_code=session.scalars(select(ServicePoint).where(ServicePoint.code == "demo")).one().unit.code)
    tablet = app.test_client()
    login(tablet, officer.email)
    desk = session.scalars(select(ServicePoint).where(ServicePoint.code == "demo")).one()
    token = form_field(tablet.get("/admin/password").get_data(as_text=True), "csrf_token")
    opened = tablet.post(f"/admin/desks/{desk.id}/kiosk", data={"csrf_token": token})
    assert opened.status_code == 303 and opened.headers["Location"] == "/k/demo"
    assert tablet.get("/k/demo").status_code == 200
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "kiosk.enrol")) == 1
    # Turning kiosk mode off forgets the desk's tablets.
    other = session.scalars(select(ServicePoint).where(ServicePoint.unit_id != desk.unit_id)).first()
    if other is not None:
        assert tablet.post(f"/admin/desks/{other.id}/kiosk", data={"csrf_token": token}).status_code == 403
