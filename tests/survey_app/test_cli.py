"""Command-line tools: users, demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from survey_app.models import Response, Round, ServicePoint, StaffUser, Target, Unit


def test_create_user(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "Lan@Example.org", "--role", "analyst",
                                 "--password", "mật khẩu đủ dài"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(StaffUser))
    assert user.email == "lan@example.org" and user.role == "analyst"
    assert user.password_hash.startswith("scrypt:") and "mật" not in user.password_hash
    duplicate = runner.invoke(args=["users", "create", "--email", "lan@example.org", "--role", "admin",
                                    "--password", "another long one"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_unit_officer_needs_a_known_unit(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "a@b.vn", "--role", "unit_officer",
                                 "--password", "0123456789ab", "--unit", "NOPE"])
    assert result.exit_code != 0 and "unknown unit" in result.output


def test_district_demo_load_is_idempotent(app, session, monkeypatch):
    monkeypatch.setenv("SURVEY_ADMIN_EMAIL", "admin@anbinh.gov.vn")
    monkeypatch.setenv("SURVEY_ADMIN_PASSWORD", "a long enough password")
    runner = app.test_cli_runner()

    def snapshot() -> tuple[int, ...]:
        session.expire_all()
        return tuple(session.scalar(select(func.count()).select_from(m))
                     for m in (Unit, ServicePoint, Round, Target, StaffUser, Response))

    assert runner.invoke(args=["demo", "load", "--district"]).exit_code == 0
    first = snapshot()
    codes = set(session.scalars(select(ServicePoint.code)))
    assert runner.invoke(args=["demo", "load", "--district"]).exit_code == 0
    assert snapshot() == first and set(session.scalars(select(ServicePoint.code))) == codes
    assert "demo" in codes and first[4] == 1
    demo_round = session.scalar(select(Round))
    assert demo_round.status == "open" and demo_round.version_for("citizen") is not None
    assert {link.group_code for link in demo_round.questionnaires} == {
        "hdnd_deputy", "dept_director", "office_head", "commune_chair", "business", "citizen"}


def test_export_unknown_round_is_a_clear_error(app, demo, tmp_path):
    result = app.test_cli_runner().invoke(args=["export", "responses", "--out", str(tmp_path / "x.csv"),
                                                "--round", "nope"])
    assert result.exit_code != 0 and "no round named" in result.output


def test_programmes_sync_and_load_commands(app, session, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["programmes", "sync"])
    assert result.exit_code == 0 and "par_commune" in result.output, result.output
    again = runner.invoke(args=["programmes", "load", "questionnaires/programmes/sipas_citizen.yaml"])
    assert again.exit_code == 0 and "Programme sipas_citizen: 1 groups, 1 schemes." in again.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: x\ntitle: {vi: X, en: X}\nkind: par\nunit_kinds: [ward]\ngroups: {nobody: a.yaml}\n",
                      encoding="utf-8")
    failed = runner.invoke(args=["programmes", "load", str(broken)])
    assert failed.exit_code != 0 and "broken.yaml: groups.nobody: unknown respondent group 'nobody'" in failed.output
