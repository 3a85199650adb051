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


def test_cookie_flags(client, demo):
    client.get("/q/demo")
    browser = client.get_cookie("survey_browser")
    assert browser is not None and browser.http_only and browser.same_site == "Lax" and browser.expires is None
    assert client.get_cookie("session") is None  # a respondent who never switched language has no session
    client.get("/admin/login")
    session = client.get_cookie("session")
    assert session is not None and session.http_only and session.same_site == "Lax"


def test_respondent_forms_are_bound_to_their_browser(app, client, session, demo):
    """The CSRF check of survey forms: a form token works only with the cookie it was issued for."""
    from sqlalchemy import func, select

    from survey_app.models import Response

    _, hidden = open_form(client)
    other = app.test_client()
    other.get("/q/demo")  # another browser, with a cookie of its own
    for stranger in (other, app.test_client()):  # ... or with none at all (a post from another site)
        page = stranger.post("/q/demo", data={**VALID, **hidden})
        assert page.status_code == 400 and 'name="s_acc_2" value="5" checked' in page.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert client.post("/q/demo", data={**VALID, **hidden}).status_code == 303


def test_console_forms_require_csrf(app, client, session, demo):
    from tests.factories import STAFF_PASSWORD, make_user

    user = make_user(session, "admin")
    response = client.post("/admin/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert "hết hạn" in response.get_data(as_text=True)  # "form expired", in Vietnamese
    assert client.get("/admin/").status_code == 302  # still signed out


def test_every_console_post_needs_the_csrf_token(app, session, demo):
    """Walk the URL map: outside the survey forms (their own token) and the API (a key, no cookie),
    every POST is refused without Flask-WTF's token, even from a signed-in administrator."""
    from tests.factories import login, make_user
    from tests.survey_app.admin.test_access import console_routes

    client = app.test_client()
    login(client, make_user(session, "admin").email)
    posts = [(endpoint, url) for endpoint, method, url, _ in console_routes(app) if method == "POST"]
    others = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods
              and not rule.endpoint.startswith(("admin.", "respondent.", "api."))}
    assert len(posts) >= 15 and others == set()
    for endpoint, url in [*posts, ("admin.login", "/admin/login")]:
        response = client.post(url, data={"name": "x"})
        assert response.status_code == 400 and "hết hạn" in response.get_data(as_text=True), endpoint


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
    from sqlalchemy import select

    from survey_app.models import Response

    stored = session.scalars(select(Response)).one()
    assert "203.0.113.77" not in str(stored.answers) and "HostileAgent" not in str(stored.answers)


def test_no_access_log_by_default(app):
    import logging

    assert logging.getLogger("werkzeug").getEffectiveLevel() >= logging.WARNING


def test_production_cookies_are_secure_and_hsts_is_sent(app, demo):
    from survey_app import create_app

    secure = create_app({**app.config, "SESSION_COOKIE_SECURE": True})
    client = secure.test_client()
    page = client.get("/q/demo", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in page.headers["Set-Cookie"] and "survey_browser=" in page.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in app.test_client().get("/q/demo").headers  # plain HTTP in tests
