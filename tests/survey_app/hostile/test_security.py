"""Security properties every page has: headers, cookies, CSRF, nothing identifying in logs."""

from __future__ import annotations

import logging

from sqlalchemy import inspect

from survey_app.extensions import db
from tests.survey_app.respondent.test_desk_survey import VALID, open_form


def test_security_headers_on_respondent_and_console_pages(client, demo):
    for path in ["/q/demo", "/admin/login", "/q/unknown", "/"]:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_no_inline_script_in_pages(client, demo):
    for path in ["/q/demo", "/admin/login"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " on" + "click=" not in html


def test_session_cookie_flags(client, demo):
    client.get("/q/demo")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_console_forms_require_csrf(app, client, session, demo):
    from tests.factories import STAFF_PASSWORD, make_user

    user = make_user(session, "admin")
    response = client.post("/admin/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert "hết hạn" in response.get_data(as_text=True)  # "form expired", in Vietnamese
    assert client.get("/admin/").status_code == 302  # still signed out


def test_no_address_or_user_agent_in_logs_or_response_row(app, client, session, demo, caplog):
    caplog.set_level(logging.DEBUG)
    ua = "Mozilla/5.0 (Linux; Android 13; SM-A145F) HostileAgent/1.0"
    _, hidden = open_form(client)
    response = client.post("/q/demo", data={**VALID, **hidden}, headers={"User-Agent": ua},
                           environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert response.status_code == 303
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "203.0.113.77" not in logged and "HostileAgent" not in logged
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("responses")}
    assert columns.isdisjoint({"ip", "ip_address", "remote_addr", "user_agent", "email", "invitation_id",
                               "token", "created_at", "submitted_at"})
    from survey_app.models import Response
    from sqlalchemy import select

    stored = session.scalars(select(Response)).one()
    assert "203.0.113.77" not in str(stored.answers) and "HostileAgent" not in str(stored.answers)


def test_no_access_log_by_default(app):
    import logging

    assert logging.getLogger("werkzeug").getEffectiveLevel() >= logging.WARNING
