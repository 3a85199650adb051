"""Access to the console: every route guarded by role, sign-in, lock-out, rate limit, sessions, audit."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

from survey_app import create_app
from survey_app.models import ROLES, AuditEntry, StaffUser, utcnow
from tests.factories import STAFF_PASSWORD, form_field, login, make_user
from tests.survey_app.admin.conftest import post_form, signed_in

PUBLIC = {"admin.login"}


def console_routes(app):
    """Every (endpoint, method, url, allowed roles) of the console, URL arguments filled with dummies."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in PUBLIC:
            continue
        args = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                args[name] = 1
            elif isinstance(converter, AnyConverter):
                args[name] = sorted(converter.items)[0]
            else:
                args[name] = "x"
        with app.test_request_context():
            url = rule.build(args, append_unknown=False)[1]
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", frozenset({"admin"}))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url, allowed


def test_the_walk_finds_the_console(app):
    endpoints = {endpoint for endpoint, *_ in console_routes(app)}
    assert {"admin.index", "admin.dashboard", "admin.export_csv", "admin.desk_poster_pdf",
            "admin.round_targets", "admin.import_file", "admin.audit_log", "admin.user_edit"} <= endpoints
    assert len(endpoints) >= 30


def _token(client) -> dict[str, str]:
    """A valid CSRF token, so that what refuses a POST below is the role guard and not the CSRF check."""
    return {"csrf_token": form_field(client.get("/admin/login").get_data(as_text=True), "csrf_token")}


def test_anonymous_requests_are_sent_to_sign_in(app, client, demo):
    token = _token(client)
    for endpoint, method, url, _allowed in console_routes(app):
        response = client.open(url, method=method, data=token if method == "POST" else None)
        assert response.status_code in (302, 401, 403), (endpoint, method, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/admin/login"), endpoint


def test_wrong_roles_are_refused_on_every_route(app, session, demo):
    clients = {role: signed_in(app, session, role, "XA_AN_PHU" if role == "unit_officer" else None)
               for role in ROLES}
    tokens = {role: _token(client) for role, client in clients.items()}
    checked = 0
    for endpoint, method, url, allowed in console_routes(app):
        for role in set(ROLES) - allowed:
            response = clients[role].open(url, method=method, data=tokens[role] if method == "POST" else None)
            assert response.status_code == 403, (endpoint, method, role, response.status_code)
            checked += 1
    assert checked > 40


def test_roles_are_as_documented(app):
    allowed = {endpoint: roles for endpoint, _m, _u, roles in console_routes(app)}
    assert allowed["admin.dashboard"] == {"admin", "analyst", "unit_officer"}
    assert allowed["admin.export_csv"] == allowed["admin.export_xlsx"] == {"admin", "analyst"}
    assert allowed["admin.comments"] == {"admin", "analyst"}  # answers: never unit officers
    for endpoint in ("admin.round_edit", "admin.round_status", "admin.users", "admin.audit_log",
                     "admin.import_file", "admin.desk_poster_pdf", "admin.questionnaire_edit"):
        assert allowed[endpoint] == {"admin"}, endpoint


def test_sign_in_and_out(app, client, session, demo):
    user = make_user(session, "analyst")
    page = client.get("/admin/login")
    assert page.status_code == 200 and "Đăng nhập" in page.get_data(as_text=True)
    assert login(client, user.email, "wrong password").status_code == 401
    assert login(client, user.email).status_code == 302
    assert client.get("/admin/").status_code == 200
    html = client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/logout", data={"csrf_token": form_field(html, "csrf_token")}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_next_parameter_cannot_leave_the_site(app, client, session, demo):
    user = make_user(session, "admin")
    page = client.get("/admin/login?next=//evil.example/x")
    response = client.post("/admin/login?next=//evil.example/x", data={
        "email": user.email, "password": STAFF_PASSWORD,
        "csrf_token": form_field(page.get_data(as_text=True), "csrf_token")})
    assert response.headers["Location"] == "/admin/"


def test_failures_slow_down_one_address_without_locking_the_account(app, client, session, demo):
    user = make_user(session, "admin")
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(app.config["LOGIN_LOCK_AFTER"]):
        assert login(client, user.email, "not the password", environ_base=attacker).status_code == 401
    held = login(client, user.email, environ_base=attacker)  # right password, from the guessing address
    assert held.status_code == 401 and "vui lòng chờ" in held.get_data(as_text=True)
    owner = app.test_client()  # the real admin, from the office: not locked out by the stranger
    assert login(owner, user.email, environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 302
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == user.id)).all()
    assert actions.count("login.failed") >= 4 and "login.locked" in actions and "login" in actions


def test_known_and_unknown_accounts_get_identical_answers(app, session, demo):
    user = make_user(session, "admin")

    def answers(email: str) -> list[tuple[int, str]]:
        client = app.test_client()
        out = []
        for _ in range(app.config["LOGIN_LOCK_AFTER"] + 2):
            response = login(client, email, "not the password", environ_base={"REMOTE_ADDR": "198.51.100.9"})
            html = response.get_data(as_text=True)
            body = html.split("<main", 1)[1]
            body = body.replace(email, "EMAIL")
            out.append((response.status_code, re.sub(r'name="csrf_token"[^>]*', "", body)))
        return out

    assert answers(user.email) == answers("nobody-here@example.org")


def test_sign_out_ends_the_session_on_the_server(app, client, session, demo):
    user = make_user(session, "analyst")
    assert login(client, user.email).status_code == 302
    stolen = client.get_cookie("session").value  # a copy taken before signing out
    html = client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/logout", data={"csrf_token": form_field(html, "csrf_token")}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get(f"/admin/rounds/{demo.id}/export.csv").status_code == 302  # sent to sign in
    assert thief.get("/admin/").status_code == 302


def test_admin_can_lift_a_lock(app, staff_client, session, demo):
    user = make_user(session, "analyst")
    user.locked_until = utcnow() + timedelta(minutes=10)
    session.commit()
    url = f"/admin/users/{user.id}/edit"
    response = post_form(staff_client, url, {"role": "analyst", "active": "y", "unlock": "y", "name": ""})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(StaffUser, user.id).locked_until is None


def test_login_is_rate_limited(tmp_path, database_url, session):
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_LOGIN": "3 per minute"})
    client = app.test_client()
    codes = []
    for _ in range(5):
        token = form_field(client.get("/admin/login").get_data(as_text=True), "csrf_token")
        codes.append(client.post("/admin/login", data={"email": "x@example.org", "password": "nope",
                                                         "csrf_token": token}).status_code)
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


def test_session_cookie_flags_in_production():
    from survey_app.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_password_is_stored_with_scrypt(session, demo):
    user = make_user(session, "admin")
    assert user.password_hash.startswith("scrypt:") and STAFF_PASSWORD not in user.password_hash


def test_password_change_signs_out_other_sessions(app, session, demo):
    user = make_user(session, "analyst")
    first, second = app.test_client(), app.test_client()
    assert login(first, user.email).status_code == 302 and login(second, user.email).status_code == 302
    response = post_form(first, "/admin/password", {"current": STAFF_PASSWORD, "new": "a brand new passphrase",
                                                    "repeat": "a brand new passphrase"})
    assert response.status_code == 302
    assert first.get("/admin/").status_code == 200  # the session that changed it stays signed in
    assert second.get("/admin/").status_code == 302  # the other one is signed out
    wrong = post_form(first, "/admin/password", {"current": "not it", "new": "another passphrase",
                                                 "repeat": "another passphrase"})
    assert wrong.status_code == 422


def test_deactivated_account_is_signed_out_at_once(app, staff_client, session, demo):
    analyst = signed_in(app, session, "analyst")
    user = session.scalar(select(StaffUser).where(StaffUser.role == "analyst"))
    response = post_form(staff_client, f"/admin/users/{user.id}/edit", {"role": "analyst", "name": ""})
    assert response.status_code == 302
    assert analyst.get("/admin/").status_code == 302


def test_create_accounts_from_the_console(app, staff_client, session, demo):
    response = post_form(staff_client, "/admin/users/new", {
        "email": "Chu.Tich@anphu.gov.vn", "name": "Chủ tịch An Phú", "role": "unit_officer",
        "unit_code": "XA_AN_PHU", "password": "mật khẩu đủ dài"})
    assert response.status_code == 302
    user = session.scalar(select(StaffUser).where(StaffUser.email == "chu.tich@anphu.gov.vn"))
    assert user.role == "unit_officer" and user.unit.code == "XA_AN_PHU"
    again = post_form(staff_client, "/admin/users/new", {
        "email": "chu.tich@anphu.gov.vn", "role": "analyst", "unit_code": "", "password": "mật khẩu đủ dài"})
    assert again.status_code == 422 and "đã có" in again.get_data(as_text=True)
    no_unit = post_form(staff_client, "/admin/users/new", {
        "email": "x@anphu.gov.vn", "role": "unit_officer", "unit_code": "", "password": "mật khẩu đủ dài"})
    assert no_unit.status_code == 422
    audit = session.scalars(select(AuditEntry.action)).all()
    assert "user.create" in audit


def test_admin_cannot_remove_own_access(app, staff_client, session, demo):
    me = session.scalar(select(StaffUser).where(StaffUser.role == "admin"))
    response = post_form(staff_client, f"/admin/users/{me.id}/edit", {"role": "analyst", "active": "y"})
    assert response.status_code == 422
    session.expire_all()
    assert session.get(StaffUser, me.id).role == "admin"


@pytest.mark.parametrize("role", ["analyst", "unit_officer"])
def test_navigation_offers_only_what_the_role_may_open(app, session, demo, role):
    client = signed_in(app, session, role, "XA_AN_PHU" if role == "unit_officer" else None)
    html = client.get("/admin/").get_data(as_text=True)
    assert "/admin/users" not in html and "/admin/audit" not in html and "/admin/rounds/new" not in html
    assert ("/admin/questionnaires" in html) == (role == "analyst")


def test_audit_log_lists_actions_escaped(app, staff_client, session, demo):
    from survey_app.services import audit

    audit.record(session, None, "round.update", "<b>Đợt</b>", note="<script>x</script>")
    session.commit()
    html = staff_client.get("/admin/audit").get_data(as_text=True)
    assert "&lt;b&gt;Đợt&lt;/b&gt;" in html and "<script>x" not in html
    assert "login" in staff_client.get("/admin/audit?action=login").get_data(as_text=True)


def test_no_console_page_fails_on_odd_input(app, staff_client, demo):
    """Every GET route, with ids that exist and ids that do not, and nonsense in the query: never a 500."""
    odd = "?group=%3Cscript%3E&unit=-1&before=zz&action=%25%C3%A0&lang=xx"
    for endpoint, method, url, _allowed in console_routes(app):
        if method != "GET":
            continue
        for variant in (url, url.replace("/1/", f"/{demo.id}/").replace("/1.", f"/{demo.id}."),
                        url.replace("/1", "/999999")):
            response = staff_client.get(variant + odd, buffered=True)
            assert response.status_code < 500, (endpoint, variant, response.status_code)


def test_nul_bytes_are_refused_before_they_reach_the_database(app, client, staff_client, session, demo):
    assert staff_client.get("/admin/audit?action=login%00").status_code == 400
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post("/admin/login", data={"email": "a\x00@example.org", "password": "x",
                                                 "csrf_token": form_field(page, "csrf_token")})
    assert response.status_code == 400
    bad = post_form(staff_client, "/admin/units/import",
                    {"file": (io.BytesIO(b"code,name_vi,kind\nXA_N,X\x00,commune\n"), "u.csv")},
                    content_type="multipart/form-data")
    assert bad.status_code == 422 and "Dòng 2" in bad.get_data(as_text=True)


def test_one_scope_decides_what_a_staff_member_sees(session, demo):
    from survey_app.models import Role, StaffUser
    from survey_app.services.scope import NoUnit, scope_of

    officer = make_user(session, Role.UNIT_OFFICER, unit_code="XA_AN_PHU")
    admin, analyst = make_user(session, Role.ADMIN), make_user(session, Role.ANALYST)
    assert scope_of(officer).unit_filter(None) == officer.unit_id == scope_of(officer).unit_filter(999)
    assert not scope_of(officer).sees_answers and not scope_of(officer).may_see_unit(officer.unit_id + 1)
    assert scope_of(admin).unit_filter(7) == 7 and scope_of(admin).sees_answers and scope_of(analyst).sees_answers
    with pytest.raises(NoUnit):
        scope_of(StaffUser(email="x@y.vn", role=Role.UNIT_OFFICER, unit_id=None))


def test_console_rules_live_in_services(session, demo):
    """"Cannot demote yourself", the audit log's pages and the overview's counts, without a request."""
    from survey_app.models import Role
    from survey_app.services import audit
    from survey_app.services.auth import OwnAccess, update_user
    from survey_app.services.scope import overview, scope_of

    admin = make_user(session, Role.ADMIN)
    with pytest.raises(OwnAccess):
        update_user(session, admin, name="", role=Role.ANALYST, unit=None, active=True, by=admin)
    for i in range(5):
        audit.record(session, admin, f"test.{i}", str(i))
    session.commit()
    first = audit.page(session, action="test.", size=2)
    second = audit.page(session, before=first.older, action="test.", size=2)
    assert [e.target for e in first.entries + second.entries] == ["4", "3", "2", "1"]
    rounds, counts = overview(session, scope_of(admin))
    assert [r.id for r in rounds] and counts.get(demo.id, 0) >= 0


def test_roles_take_members_of_the_enum_only(app):
    """A role spelt as text (a typo locks a role out silently) is refused where the view is declared."""
    from survey_app.admin import roles
    from survey_app.models import Role

    with pytest.raises(TypeError):
        roles("admin")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        roles(Role.ADMIN, "analyst")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        roles()
    assert roles(Role.ADMIN, Role.ANALYST)(lambda: None).allowed_roles == {Role.ADMIN, Role.ANALYST}
    for endpoint, view in app.view_functions.items():
        assert all(isinstance(r, Role) for r in getattr(view, "allowed_roles", ())), endpoint


ROLE_WORDS = ("admin", "analyst", "unit_officer", "data_entry", "interviewer")
SOURCE = Path(__file__).resolve().parents[3] / "survey_app"


def _role_tests(text: str) -> list[str]:
    """Tests of a role written as text: ``role == "admin"``, ``role in ("admin", ...)``, ``roles("admin")``."""
    words = "|".join(ROLE_WORDS)
    quoted = rf"""["'](?:{words})["']"""
    return re.findall(rf"""\brole\s*(?:==|!=|(?:not\s+)?in)\s*\(?\s*{quoted}|\broles\(\s*{quoted}""", text)


def test_no_role_is_written_as_text():
    assert _role_tests('@roles("admin")') and _role_tests('{% if staff_user.role in ("admin", "x") %}')
    assert not _role_tests("@roles(Role.ADMIN)") and not _role_tests('request.blueprint == "admin"')
    found = {str(path.relative_to(SOURCE)): hits for path in sorted(SOURCE.rglob("*"))
             if path.suffix in (".py", ".html") and (hits := _role_tests(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_only_the_scope_decides_which_unit_a_user_sees():
    """"What may this staff member see" is services/scope.py: no view, template or other service tests for a
    unit officer itself (the four copies that did: the unit filter, contacts, desk pages, results)."""
    allowed = {"services/scope.py", "models/staff.py",  # the decision; the enum
               "services/auth.py"}  # an account rule: a unit officer's account needs a unit
    pattern = re.compile(r"UNIT_OFFICER|unit_officer")
    offenders = []
    for path in sorted(SOURCE.rglob("*")):
        rel = str(path.relative_to(SOURCE))
        if path.suffix not in (".py", ".html") or rel in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and re.search(r"==|!=|\bin\b", line):  # a test of the role
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []


def test_a_unit_officer_without_a_unit_sees_no_results(app, session, demo):
    """Scope refuses rather than showing every unit when an officer's unit is missing."""
    from survey_app.models import Role

    client = signed_in(app, session, Role.UNIT_OFFICER, unit_code="XA_AN_PHU")
    assert client.get(f"/admin/rounds/{demo.id}/results").status_code == 200
    officer = session.scalar(select(StaffUser).where(StaffUser.role == Role.UNIT_OFFICER))
    officer.unit_id = None  # not possible through the services; never fall back to everything
    session.commit()
    for page in ("results", "results/points", "results/par-index"):
        assert client.get(f"/admin/rounds/{demo.id}/{page}").status_code == 403, page
