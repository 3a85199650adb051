"""Nothing joins a response to an email address: not the schema, the exports, the logs or the engine.

An administrator with database access sees who was invited and whether they
answered (the reminders need that), but no column, export, log line, row
order or transaction id tells which response is whose.
"""

from __future__ import annotations

import csv
import io
import logging

import pytest
from openpyxl import load_workbook
from sqlalchemy import Date, DateTime, inspect, select, text

from survey_app.extensions import db
from survey_app.models import Invitation, Response, Round, Unit, UsedSlipCode
from survey_app.services import invitations, slipcodes
from survey_app.services.export import FIXED_COLUMNS
from survey_app.services.questionnaires import questionnaire_of
from tests.factories import form_field
from tests.survey_app.invitations.support import token_in, valid_answers
from tests.survey_app.respondent.test_desk_survey import VALID

RESPONDENT_TABLES = ("invitations", "used_slip_codes", "submission_nonces")


def test_schema_has_no_path_from_a_response_to_a_contact(app):
    with app.app_context():
        schema = inspect(db.engine)
        response_columns = {c["name"]: c for c in schema.get_columns("responses")}
        response_targets = {fk["referred_table"] for fk in schema.get_foreign_keys("responses")}
        invitation_columns = {c["name"] for c in schema.get_columns("invitations")}
        pointing_at_responses = [(t, fk) for t in schema.get_table_names() for fk in schema.get_foreign_keys(t)
                                 if fk["referred_table"] == "responses"]
        respondent_fks = {t: {fk["referred_table"] for fk in schema.get_foreign_keys(t)} for t in RESPONDENT_TABLES}
    assert response_targets == {"rounds", "units", "service_points", "questionnaire_versions"}
    assert pointing_at_responses == []  # nothing refers to a response
    assert not any(isinstance(c["type"], DateTime) for c in response_columns.values())  # no time of day
    assert isinstance(response_columns["submitted_on"]["type"], Date)
    assert set(response_columns).isdisjoint({"invitation_id", "token", "token_hash", "email", "code_hash", "ip",
                                             "user_agent", "created_at", "submitted_at"})
    assert invitation_columns.isdisjoint({"response_id", "completed_at", "completed_on", "submitted_on"})
    assert respondent_fks == {"invitations": {"rounds", "units"}, "used_slip_codes": {"rounds"},
                              "submission_nonces": set()}


def _answer_link(client, token: str, answers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    html = client.get(f"/i/{token}").get_data(as_text=True)
    hidden = {"form_token": form_field(html, "form_token")}
    client.post(f"/i/{token}", data={**{k: answers[k] for k in list(answers)[:3]}, **hidden, "action": "save"})
    assert client.post(f"/i/{token}", data={**answers, **hidden}).status_code == 303


def _answer_slip(client, code: str) -> None:  # type: ignore[no-untyped-def]
    html = client.get(f"/r/{code}").get_data(as_text=True)
    hidden = {"form_token": form_field(html, "form_token")}
    assert client.post(f"/r/{code}", data={**VALID, **hidden}).status_code == 303


@pytest.fixture
def answered(app, session, demo, contacts, mailbox, caplog) -> dict[str, list[str]]:
    """Every flow run once with logging at DEBUG: send, remind, open, save, answer, slip code."""
    caplog.set_level(logging.DEBUG)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["invitations", "send", "--round", str(demo.id)]).exit_code == 0
    assert runner.invoke(args=["invitations", "remind", "--round", str(demo.id),
                               "--min-interval-hours", "0"]).exit_code == 0
    tokens = [token_in(mailbox.to(c.email)[-1]) for c in contacts]
    answers = valid_answers(questionnaire_of(session.get(Round, demo.id).version_for("business")))
    answers["comment"] = "Góp ý ẩn danh"
    for token in tokens[:3]:
        _answer_link(app.test_client(), token, answers)
    round_ = session.get(Round, demo.id)
    codes = [slipcodes.mint(round_.slip_secret, round_.id, "demo", 2) for _ in range(2)]
    for code in codes:
        _answer_slip(app.test_client(), code)
    secrets = {"emails": [c.email for c in contacts], "names": [c.name for c in contacts], "tokens": tokens,
               "token_hashes": [invitations.token_hash(t) for t in tokens],
               "codes": codes, "code_hashes": [slipcodes.decode(c).code_hash for c in codes]}
    return secrets


def test_logs_hold_no_token_address_or_code(answered, caplog):
    records = caplog.get_records("setup") + caplog.get_records("call")  # the flows ran in the fixture
    # Everything but the test's own mail server (aiosmtpd logs what it receives, as a mail server does).
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in records if not r.name.startswith("mail."))
    assert "response stored channel=link" in logged  # the flows did log
    for kind in ("emails", "tokens", "token_hashes", "codes", "code_hashes"):
        for secret in answered[kind]:
            assert secret.lower() not in logged.lower(), kind


def test_exports_hold_nothing_about_contacts(app, session, answered, tmp_path):
    runner = app.test_cli_runner()
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    assert runner.invoke(args=["export", "responses", "--out", str(csv_path)]).exit_code == 0
    assert runner.invoke(args=["export", "responses", "--format", "xlsx", "--out", str(xlsx_path)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 5 and {r["channel"] for r in rows} == {"link", "slip"}
    assert list(rows[0])[:len(FIXED_COLUMNS)] == list(FIXED_COLUMNS)
    workbook = load_workbook(xlsx_path, read_only=True)
    cells = " ".join(str(v) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)
    workbook.close()
    exported = csv_path.read_text(encoding="utf-8-sig") + cells
    for kind in ("emails", "names", "tokens", "token_hashes", "codes", "code_hashes"):
        for secret in answered[kind]:
            assert secret not in exported, kind


def test_completed_invitations_keep_no_time_and_responses_no_order(app, session, answered):
    session.expire_all()
    completed = list(session.scalars(select(Invitation).where(Invitation.status == "completed")))
    assert len(completed) == 3
    assert all(i.draft is None and i.opened_at is None for i in completed)
    stored = list(session.scalars(select(Response)))
    assert all(len(r.id) >= 22 for r in stored)  # random, not a sequence
    assert {r.submitted_on for r in stored} <= {r.submitted_on for r in stored[:1]}  # a day, no time


def test_scrub_breaks_what_the_engine_remembers(app, session, answered):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        shared = text("SELECT count(*) FROM responses r JOIN invitations i ON r.xmin = i.xmin")
        shared_slips = text("SELECT count(*) FROM responses r JOIN used_slip_codes u ON r.xmin = u.xmin")
        assert session.scalar(shared) == 3 and session.scalar(shared_slips) == 2  # the leak scrub closes
        session.rollback()
    report = invitations.scrub(session)
    assert report.invitations_restamped == 3 and report.slip_codes_rewritten == 2
    if dialect == "postgresql":
        assert session.scalar(shared) == 0 and session.scalar(shared_slips) == 0
        in_storage_order = session.scalars(text("SELECT id FROM invitations ORDER BY ctid")).all()
        assert in_storage_order == sorted(in_storage_order)
        slips = session.scalars(text("SELECT code_hash FROM used_slip_codes ORDER BY ctid")).all()
    else:
        slips = session.scalars(text("SELECT code_hash FROM used_slip_codes ORDER BY rowid")).all()
    assert slips == sorted(slips)  # storage order is hash order, not the order of use
    session.rollback()


def test_scrub_erases_drafts_of_closed_rounds(app, session, demo, contacts, mailbox):
    app.test_cli_runner().invoke(args=["invitations", "send", "--round", str(demo.id)])
    token = token_in(mailbox.to(contacts[0].email)[0])
    client = app.test_client()
    html = client.get(f"/i/{token}").get_data(as_text=True)
    hidden = {"form_token": form_field(html, "form_token")}
    client.post(f"/i/{token}", data={"comment": "chưa xong", **hidden, "action": "save"})
    session.commit()  # end this test's read: the scrub waits for readers of the tables it rewrites
    result = app.test_cli_runner().invoke(args=["invitations", "scrub"])
    assert result.exit_code == 0 and "Drafts erased: 0" in result.output  # the round is still open
    session.get(Round, demo.id).status = "closed"
    session.commit()
    assert "Drafts erased: 1" in app.test_cli_runner().invoke(args=["invitations", "scrub"]).output
    session.expire_all()
    assert session.get(Invitation, contacts[0].id).draft is None


def test_used_code_rows_carry_the_closing_day_not_the_day_of_use(session, answered, demo):
    session.expire_all()
    assert {u.used_on for u in session.scalars(select(UsedSlipCode))} == {demo.closes_on}


def test_scrub_gives_up_instead_of_stalling_behind_a_reader(app, session, answered):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("CLUSTER and lock_timeout are PostgreSQL's")
    from survey_app.extensions import db

    with db.new_session() as reader:
        reader.scalars(select(Invitation)).all()  # an open transaction holding a read lock
        session.rollback()
        with pytest.raises(invitations.ScrubBusy):
            invitations.scrub(session, lock_timeout_ms=200)
        reader.rollback()
    session.expire_all()
    shared = text("SELECT count(*) FROM responses r JOIN invitations i ON r.xmin = i.xmin")
    assert session.scalar(shared) == 3  # nothing was changed; the next run does it
    session.rollback()
    assert invitations.scrub(session).invitations_restamped == 3


def test_a_used_link_or_code_tells_a_stranger_nothing(app, session, demo):
    """Only the browser that answered sees the thank-you page or "already answered" (issue 18)."""
    unit = session.scalars(select(Unit)).first()
    token = invitations.new_token()
    invitation = Invitation(round_id=demo.id, group_code="business", unit_id=unit.id, name="A", email="a@b.vn",
                            status="sent", send_attempts=1, reminders_sent=2, token_hash=invitations.token_hash(token))
    session.add(invitation)
    session.commit()
    round_ = session.get(Round, demo.id)
    answers = valid_answers(questionnaire_of(round_.version_for("business")))
    respondent = app.test_client()
    form = form_field(respondent.get(f"/i/{token}").get_data(as_text=True), "form_token")
    sent = respondent.post(f"/i/{token}", data={**answers, "form_token": form})
    assert sent.status_code == 303 and respondent.get(sent.headers["Location"]).status_code == 200
    assert respondent.get(f"/i/{token}").status_code == 410  # the respondent is told it is answered
    session.expire_all()
    done = session.get(Invitation, invitation.id)
    assert (done.status, done.reminders_sent, done.last_reminded_at) == ("completed", 0, None)

    code = slipcodes.mint(round_.slip_secret, round_.id, "demo", 3)
    slip_form = form_field(respondent.get(f"/r/{code}").get_data(as_text=True), "form_token")
    slip_answers = {k: v for k, v in VALID.items() if k != "field"}
    assert respondent.post(f"/r/{code}", data={**slip_answers, "form_token": slip_form}).status_code == 303

    stranger = app.test_client()
    unknown_token, unknown_code = invitations.new_token(), slipcodes.mint(round_.slip_secret, round_.id, "demo", 4)
    for used, unknown in ((f"/i/{token}", f"/i/{unknown_token}"), (f"/i/{token}/thanks", f"/i/{unknown_token}"),
                          (f"/r/{code}", "/r/NOTACODE1"), (f"/r/{code}/thanks", "/r/NOTACODE1")):
        assert stranger.get(used, follow_redirects=True).status_code == 404, used
    # The unknown link's page and the used link's page are the same page.
    assert stranger.get(f"/i/{token}").get_data() == stranger.get(f"/i/{unknown_token}").get_data()
