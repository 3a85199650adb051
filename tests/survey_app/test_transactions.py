"""One owner of the transaction: services add and flush, the caller (console view, CLI command,
respondent view, job worker) commits once, together with the audit entry of what it did.

Two kinds of test: a service called in a session that counts commits must commit nothing (and a
rollback afterwards leaves no trace of it); and an audited console or CLI action whose audit entry
cannot be written must leave nothing of the action stored.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from survey_app.models import (
    AuditEntry,
    ImportedSubmission,
    Invitation,
    Job,
    PaperEntry,
    PaperForm,
    Response,
    Round,
    ServicePoint,
    StaffUser,
    StuffingSignal,
    Unit,
    today_utc,
)
from survey_app.services import audit
from tests.conftest import QUESTIONNAIRE_DIR
from tests.factories import form_field, make_user
from tests.survey_app.invitations.support import businesses, csv_bytes

KOBO = Path(__file__).resolve().parents[1] / "fixtures" / "kobo_odk" / "kobo_citizen.csv"


class AuditDown(RuntimeError):
    """The audit entry cannot be written."""


@pytest.fixture
def commits(session: Session) -> Iterator[list[str]]:
    """Every COMMIT sent to the database (a savepoint's release is not one), and every rollback."""
    seen: list[str] = []
    engine = session.get_bind()

    def commit(_connection: object) -> None:
        seen.append("commit")

    def rollback(_connection: object) -> None:
        seen.append("rollback")

    event.listen(engine, "commit", commit)
    event.listen(engine, "rollback", rollback)
    yield seen
    event.remove(engine, "commit", commit)
    event.remove(engine, "rollback", rollback)


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _unit(session: Session, code: str = "HUYEN_AN_BINH") -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    assert unit is not None
    return unit


# --- services flush, never commit -----------------------------------------------------------------

def test_desk_api_keys_and_the_slip_secret_are_flushed_not_committed(session, demo: Round, commits) -> None:
    from survey_app.services import apikeys, slipcodes

    desk, key = apikeys.create_key(session, "demo")
    assert desk.api_key_hash == apikeys.key_hash(key)
    apikeys.revoke_key(session, "demo")
    assert slipcodes.reveal_secret(session, demo, None, via="test") == demo.slip_secret.hex()
    assert commits == []
    session.rollback()
    assert _count(session, AuditEntry) == 0


def test_imports_are_flushed_not_committed(session, demo: Round, commits) -> None:
    from survey_app.services.contacts import import_contact_file
    from survey_app.services.submission_import import import_submissions

    assert import_contact_file(session, demo, "business", "c.csv", csv_bytes(businesses(3))).imported == 3
    assert import_submissions(session, demo, "citizen", _unit(session), "kobo.csv", KOBO.read_bytes()).imported == 3
    assert commits == []
    session.rollback()
    assert (_count(session, Invitation), _count(session, Response), _count(session, ImportedSubmission)) == (0, 0, 0)


def test_a_first_paper_keying_and_a_queued_job_are_flushed_not_committed(session, demo: Round, commits) -> None:
    from survey_app.services.jobs import enqueue
    from survey_app.services.paper import issue_forms
    from survey_app.services.paper_entry import key_form

    clerk = make_user(session, "data_entry", "clerk@example.org")
    (number,) = issue_forms(session, demo, "citizen", _unit(session), 1).numbers
    session.commit()
    commits.clear()
    outcome = key_form(session, session.get(PaperForm, number), clerk, {"j_feedback_given": 0})
    job = enqueue(session, "export", {"round_id": demo.id, "group": None, "format": "csv"}, round_id=demo.id)
    assert outcome.status == "first" and job.id is not None
    assert commits == []
    session.rollback()
    assert (_count(session, PaperEntry), _count(session, Job), _count(session, AuditEntry)) == (0, 0, 0)
    assert session.get(PaperForm, number).status == "issued"


def test_the_demo_load_is_flushed_not_committed(app, session, commits) -> None:
    from survey_app.services.demo import load_demo

    load_demo(session, QUESTIONNAIRE_DIR, "demo-admin@example.org", "a long demo password", district=True)
    assert commits == []
    session.rollback()
    assert (_count(session, Round), _count(session, StaffUser), _count(session, AuditEntry)) == (0, 0, 0)


def test_link_visits_drafts_and_stuffing_signals_are_flushed_not_committed(session, demo: Round, commits) -> None:
    from survey_app.respondent.ratelimit import record_suspect
    from survey_app.services import invitations
    from survey_app.services.contacts import import_contact_file
    from survey_app.services.invitations.tokens import token_hash

    import_contact_file(session, demo, "business", "c.csv", csv_bytes(businesses(1)))
    token = secrets.token_urlsafe(32)
    contact = session.scalars(select(Invitation)).one()
    contact.token_hash, contact.status = token_hash(token), "sent"
    desk = session.scalar(select(ServicePoint).where(ServicePoint.code == "demo"))
    session.commit()
    commits.clear()
    link = invitations.open_link(session, token, today_utc())
    invitations.mark_visit(session, link)
    assert invitations.save_draft(session, link, {"s_acc_1": ["4"]})
    record_suspect(session, desk.id)
    record_suspect(session, desk.id)
    assert session.scalar(select(StuffingSignal.submissions)) == 2
    assert commits == []
    session.rollback()
    assert _count(session, StuffingSignal) == 0
    assert (contact.status, contact.draft) == ("sent", None)


# --- an audited action whose audit entry fails leaves nothing stored -------------------------------

def _post_refused(client, url: str, **kwargs):  # type: ignore[no-untyped-def]
    """POST while the audit log is down: the request fails (500, or the error itself in testing)."""
    try:
        response = client.post(url, **kwargs)
    except AuditDown:
        return None
    assert response.status_code == 500, response.status_code
    return response


def test_contacts_imported_in_the_console_are_not_kept_without_their_audit_entry(
        staff_client, session, demo: Round, monkeypatch) -> None:
    page = staff_client.get(f"/admin/rounds/{demo.id}/contacts")
    token = form_field(page.get_data(as_text=True), "csrf_token")
    monkeypatch.setattr(audit, "record", _raise)
    _post_refused(staff_client, f"/admin/rounds/{demo.id}/contacts/import", content_type="multipart/form-data",
                  data={"csrf_token": token, "group": "business", "file": (io.BytesIO(csv_bytes(businesses(3))), "c.csv")})
    assert _count(session, Invitation) == 0


def test_submissions_imported_in_the_console_are_not_kept_without_their_audit_entry(
        staff_client, session, demo: Round, monkeypatch) -> None:
    page = staff_client.get(f"/admin/rounds/{demo.id}/import-submissions")
    token = form_field(page.get_data(as_text=True), "csrf_token")
    monkeypatch.setattr(audit, "record", _raise)
    _post_refused(staff_client, f"/admin/rounds/{demo.id}/import-submissions", content_type="multipart/form-data",
                  data={"csrf_token": token, "group": "citizen", "unit_code": "HUYEN_AN_BINH",
                        "file": (io.BytesIO(KOBO.read_bytes()), "kobo.csv")})
    assert (_count(session, Response), _count(session, ImportedSubmission)) == (0, 0)


def test_a_paper_form_agreed_by_two_keyings_is_not_stored_without_its_audit_entry(
        app, session, demo: Round, monkeypatch) -> None:
    from survey_app.questionnaire import load_directory
    from survey_app.services.paper import issue_forms
    from tests.survey_app.fieldwork.test_paper_entry import _client, _key, typed_answers

    q = load_directory(QUESTIONNAIRE_DIR)["citizen"]
    (number,) = issue_forms(session, demo, "citizen", _unit(session), 1).numbers
    session.commit()
    typed = typed_answers(q, j_feedback_given="0")
    assert _key(_client(app, session, "data_entry", "a@example.org"), number, typed).status_code == 302
    second = _client(app, session, "data_entry", "b@example.org")
    monkeypatch.setattr(audit, "record", _raise)
    monkeypatch.setattr(audit, "entry", _raise, raising=False)
    try:
        _key(second, number, typed)
    except AuditDown:
        pass
    assert _count(session, Response) == 0
    assert session.get(PaperForm, number).status == "keyed" and _count(session, PaperEntry) == 1


def test_an_interview_is_not_stored_without_its_audit_entry(app, session, demo: Round, monkeypatch) -> None:
    from tests.survey_app.fieldwork.test_interviews import _interview, _interviewer

    client = _interviewer(app, session)
    data = client.get("/admin/interview/data.json").get_json()
    monkeypatch.setattr(audit, "record", _raise)
    monkeypatch.setattr(audit, "entry", _raise, raising=False)
    _post_refused(client, "/admin/interview/submit", data=json.dumps(_interview(data)),
                  content_type="application/json", headers={"X-CSRFToken": data["csrf"]})
    assert _count(session, Response) == 0


def test_contacts_imported_by_the_cli_are_not_kept_without_their_audit_entry(
        app, session, demo: Round, monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(csv_bytes(businesses(2)))
    monkeypatch.setattr(audit, "record", _raise)
    result = app.test_cli_runner().invoke(args=["invitations", "import", "--round", str(demo.id),
                                                "--group", "business", "--file", str(path)])
    assert isinstance(result.exception, AuditDown)
    assert _count(session, Invitation) == 0


def test_a_queued_export_is_committed_once_complete_with_its_audit_entry(staff_client, session, demo: Round) -> None:
    """The worker must never see the job before its output folder is set: one commit for the request."""
    page = staff_client.get(f"/admin/rounds/{demo.id}")
    token = form_field(page.get_data(as_text=True), "csrf_token")
    seen: list[str] = []

    def count(_session: Session) -> None:
        seen.append("commit")

    event.listen(Session, "after_commit", count)
    try:
        assert staff_client.post(f"/admin/rounds/{demo.id}/exports/csv", data={"csrf_token": token}).status_code == 302
    finally:
        event.remove(Session, "after_commit", count)
    assert seen == ["commit"]
    job = session.scalars(select(Job)).one()
    assert str(job.params["out_dir"]).endswith(f"job-{job.id}")
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "export.csv.queue"))


def _raise(*_args: object, **_kwargs: object) -> None:
    raise AuditDown("audit log unavailable")


# --- rules in services, not in views ---------------------------------------------------------------

def test_a_mail_job_is_not_queued_twice_however_many_jobs_came_after_it(staff_client, session, demo: Round) -> None:
    from survey_app.services.jobs import enqueue, is_pending

    enqueue(session, "invitations.send", {"round_id": demo.id, "group": None}, round_id=demo.id)
    for _ in range(5):  # newer jobs, finished: the contacts page shows only these
        enqueue(session, "invitations.remind", {"round_id": demo.id, "group": None}, round_id=demo.id).status = "done"
    session.commit()
    assert is_pending(session, demo.id, "invitations.send") and not is_pending(session, demo.id, "invitations.remind")
    page = staff_client.get(f"/admin/rounds/{demo.id}/contacts")
    token = form_field(page.get_data(as_text=True), "csrf_token")
    assert staff_client.post(f"/admin/rounds/{demo.id}/invitations/send", data={"csrf_token": token}).status_code == 302
    assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "invitations.send")) == 1
