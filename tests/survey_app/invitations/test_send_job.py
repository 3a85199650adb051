"""Invitations sent from the console by the job worker through a real SMTP server (aiosmtpd).

The worker is a separate process, as in production. In the middle of the run
the web app is restarted (a new app object, as after a deploy) and the worker
is killed; a new worker resumes the job. Nobody gets two emails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from survey_app import create_app
from survey_app.models import Invitation, Job
from survey_app.services.contacts import import_contact_file
from tests.factories import login
from tests.survey_app.admin.conftest import post_form, signed_in
from tests.survey_app.invitations.support import businesses, csv_bytes

ROOT = Path(__file__).resolve().parents[3]
COUNT = 15


def _worker(database_url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SURVEY_ENV": "testing", "SURVEY_DATABASE_URL": database_url, "SURVEY_SMTP_HOST": "127.0.0.1",
           "SURVEY_SMTP_PORT": str(port), "SURVEY_MAIL_FROM": "khao-sat@anbinh.gov.vn",
           "SURVEY_BASE_URL": "http://localhost", "SURVEY_MAIL_RATE_PER_SECOND": "5", "SURVEY_SMTP_TIMEOUT": "5",
           "SURVEY_JOBS_STALE_SECONDS": "2", "SURVEY_JOBS_BACKEND": "database"}
    with log.open("ab") as handle:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=ROOT,
                                env=env, stdout=handle, stderr=subprocess.STDOUT)


def _wait(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _job(session) -> Job:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(Job).order_by(Job.id))


def test_console_sends_by_the_worker_across_restarts_and_nobody_gets_two(app, session, demo, mailbox, database_url,
                                                                         tmp_path):
    report = import_contact_file(session, demo, "business", "contacts.csv", csv_bytes(businesses(COUNT)))
    assert report.ok and report.imported == COUNT
    session.commit()
    contacts_page = f"/admin/rounds/{demo.id}/contacts"
    admin = signed_in(app, session, "admin")
    queued = post_form(admin, f"/admin/rounds/{demo.id}/invitations/send", {}, page=contacts_page)
    assert queued.status_code == 302
    assert _job(session).status == "queued" and not mailbox.messages  # nothing is sent by the web request

    log = tmp_path / "worker.log"
    first = _worker(database_url, mailbox.port, log)
    try:
        _wait(lambda: len(mailbox.messages) >= 4, 60, "the first emails")
        # the web app restarts in the middle of the run; the console shows the live counts
        restarted = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "BASE_URL": "http://localhost",
                                "QUESTIONNAIRE_DIR": app.config["QUESTIONNAIRE_DIR"]})
        console = restarted.test_client()
        assert login(console, "admin-all@example.org").status_code == 302
        page = console.get(contacts_page).get_data(as_text=True)
        assert "<progress" in page and "đang chạy" in page and 'http-equiv="refresh"' in page
        # the worker dies mid-run
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    sent_before = len(mailbox.messages)
    assert sent_before < COUNT, "the worker finished before it could be stopped"
    # clicking again while the job is unfinished does not start a second run
    again = post_form(console, f"/admin/rounds/{demo.id}/invitations/send", {}, page=contacts_page)
    assert again.status_code == 302
    assert len(session.scalars(select(Job)).all()) == 1

    second = _worker(database_url, mailbox.port, log)
    try:
        _wait(lambda: _job(session).status in ("done", "failed"), 90, "the resumed job")
    finally:
        second.terminate()
        second.wait(timeout=10)
    job = _job(session)
    assert job.status == "done", (job.error, log.read_text())
    assert job.attempts == 2

    recipients = mailbox.recipients()
    assert len(recipients) == len(set(recipients)), "someone got two emails"
    invitations = session.scalars(select(Invitation)).all()
    sent = {i.email for i in invitations if i.status == "sent"}
    unconfirmed = {i.email for i in invitations if i.status != "sent" and i.sent_at is not None}  # claimed, not confirmed
    assert sent <= set(recipients) and len(unconfirmed) <= 1  # at most the one in flight when it was killed
    assert sent | unconfirmed == {i.email for i in invitations}
    assert job.result["sent"] == len(sent) - (sent_before - len(unconfirmed & set(recipients)))
    page = console.get(contacts_page).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "xong" in page


def test_reminders_from_the_console_with_counts(app, session, demo, contacts, mailbox):
    from datetime import timedelta

    from sqlalchemy import update

    from survey_app.extensions import db
    from survey_app.models import utcnow
    from survey_app.services import jobs

    admin = signed_in(app, session, "admin")
    page = f"/admin/rounds/{demo.id}/contacts"
    assert post_form(admin, f"/admin/rounds/{demo.id}/invitations/send", {}, page=page).status_code == 302
    with app.app_context():
        assert jobs.work(db.new_session, dict(app.config), burst=True) == 1
    assert len(mailbox.messages) == len(contacts)
    session.execute(update(Invitation).values(sent_at=utcnow() - timedelta(days=3)))
    session.commit()
    assert post_form(admin, f"/admin/rounds/{demo.id}/invitations/remind", {}, page=page).status_code == 302
    with app.app_context():
        assert jobs.work(db.new_session, dict(app.config), burst=True) == 1
    session.expire_all()
    remind = session.scalar(select(Job).where(Job.kind == "invitations.remind"))
    assert remind.status == "done" and remind.result["sent"] == len(contacts) and remind.done == remind.total
    assert len(mailbox.messages) == 2 * len(contacts)
    html = admin.get(page).get_data(as_text=True)
    assert "Gửi thư nhắc" in html and "100%" in html
    assert signed_in(app, session, "analyst").post(f"/admin/rounds/{demo.id}/invitations/remind").status_code in (400, 403)
