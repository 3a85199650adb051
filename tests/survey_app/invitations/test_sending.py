"""Sending invitations through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import hashlib
import threading

import pytest
from flask import current_app
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Invitation, Round
from survey_app.services import invitations
from survey_app.services.invitations import sending
from survey_app.services.mailer import Mailer, MailSettings, Throttle
from tests.survey_app.invitations.support import free_port, parts, token_in


def send(app, round_id: int, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["invitations", "send", "--round", str(round_id), *args])


def rows(session) -> list[Invitation]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(Invitation).order_by(Invitation.id)))


def test_each_contact_gets_one_vietnamese_email_with_unit_deadline_and_link(app, session, demo, contacts, mailbox):
    result = send(app, demo.id)
    assert result.exit_code == 0, result.output
    assert "5 sent, 0 failed" in result.output
    assert sorted(mailbox.recipients()) == sorted(c.email for c in contacts)
    message = mailbox.to(contacts[0].email)[0]
    plain, html = parts(message)
    assert "Thư mời" in message["Subject"] and demo.name in message["Subject"]
    # The round's name says "Khảo sát ...": the subject does not say it again.
    assert "khảo sát khảo sát" not in message["Subject"].lower()
    assert message["From"] == "Phòng Nội vụ <khao-sat@anbinh.gov.vn>"  # MAIL_AGENCY as the sender's name
    assert "Công ty TNHH Số 0" in str(message["To"])
    deadline = demo.closes_on.strftime("%d/%m/%Y")
    for body in (plain, html):
        assert "Xã An Phú" in body and deadline in body and "ẩn danh" in body
        # A business is written to as an organisation, never as "Ông/Bà" or "bạn".
        assert "Kính gửi: Công ty TNHH Số 0" in body and "Quý Công ty/Quý cơ quan" in body
        assert "Ông/Bà" not in body and "bạn" not in body.lower()
        assert "Phòng Nội vụ" in body
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    token = token_in(message)
    assert f"http://localhost/i/{token}" in plain and f'href="http://localhost/i/{token}"' in html
    assert len(token) >= 43  # 32 random bytes, base64url
    stored = rows(session)[0]
    assert stored.status == "sent" and stored.send_attempts == 1 and stored.sent_at is not None
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in vars(stored).values())


def test_the_contact_line_and_agency_come_from_the_settings(app, session, demo, contacts, mailbox):
    app.config.update(MAIL_AGENCY="Phòng Nội vụ huyện An Bình",
                      MAIL_CONTACT="Chị Lan, Phòng Nội vụ, 0274 123 456")
    assert send(app, demo.id).exit_code == 0
    message = mailbox.to(contacts[0].email)[0]
    assert str(message["From"]) == "Phòng Nội vụ huyện An Bình <khao-sat@anbinh.gov.vn>"
    for body in parts(message):
        assert "Mọi thắc mắc về cuộc khảo sát xin liên hệ: Chị Lan, Phòng Nội vụ, 0274 123 456" in body
        assert "Phòng Nội vụ huyện An Bình" in body


def test_tokens_differ_and_only_hashes_are_stored(app, session, demo, contacts, mailbox):
    send(app, demo.id)
    tokens = [token_in(m) for m in mailbox.messages]
    assert len(set(tokens)) == 5
    hashes = {r.token_hash for r in rows(session)}
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}


def test_running_again_sends_nothing_more(app, session, demo, contacts, mailbox):
    send(app, demo.id)
    again = send(app, demo.id)
    assert again.exit_code == 0 and "0 sent" in again.output
    assert len(mailbox.messages) == 5


class CrashingMailer(Mailer):
    """Simulates a kill: the server accepts message number ``crash_after``, then the process dies."""

    def __init__(self, settings: MailSettings, crash_after: int) -> None:
        super().__init__(settings)
        self.crash_after, self.count = crash_after, 0

    def send(self, message) -> None:  # type: ignore[no-untyped-def]
        super().send(message)
        self.count += 1
        if self.count == self.crash_after:
            raise KeyboardInterrupt("killed between sending and recording")


def test_interrupted_run_resumes_without_sending_anyone_twice(app, session, demo, contacts, mailbox):
    with app.app_context():
        compose = invitations.make_composer("http://localhost", "khao-sat@anbinh.gov.vn")
        with pytest.raises(KeyboardInterrupt), CrashingMailer(MailSettings.from_config(app.config), 3) as mailer:
            invitations.send_invitations(db.session, session.get(Round, demo.id), mailer, compose)
    assert len(mailbox.messages) == 3
    statuses = [r.status for r in rows(session)]
    assert statuses == ["sent", "sent", "pending", "pending", "pending"]  # the third: sent, not recorded

    resumed = send(app, demo.id)
    assert resumed.exit_code == 0, resumed.output
    assert "2 sent" in resumed.output and "1 invitation(s) are unconfirmed" in resumed.output
    recipients = mailbox.recipients()
    assert len(recipients) == len(set(recipients)) == 5  # nobody twice, everybody once
    status = app.test_cli_runner().invoke(args=["invitations", "status", "--round", str(demo.id)])
    assert "unconfirmed" in status.output

    # The message that went out before the crash works: its token was committed before sending.
    crashed = rows(session)[2]
    page = app.test_client().get(f"/i/{token_in(mailbox.to(crashed.email)[0])}")
    assert page.status_code == 200
    assert rows(session)[2].status == "opened"


def test_an_operator_can_resend_unconfirmed(app, session, demo, contacts, mailbox):
    first = rows(session)[0]
    session.execute(sending._claim_invitation(first.id, 0, invitations.new_token(), False))
    session.commit()  # claimed by a run that died before SMTP
    assert "unconfirmed" in send(app, demo.id).output
    assert first.email not in mailbox.recipients()
    result = send(app, demo.id, "--resend-unconfirmed")
    assert result.exit_code == 0 and "1 sent" in result.output
    assert rows(session)[0].status == "sent" and rows(session)[0].send_attempts == 2


def test_refused_address_is_recorded_as_failed_and_retried_next_run(app, session, demo, contacts, mailbox, caplog):
    refused = contacts[1].email
    mailbox.refuse = {refused}
    result = send(app, demo.id)
    assert result.exit_code == 0 and "4 sent, 1 failed" in result.output
    failed = rows(session)[1]
    assert failed.status == "failed" and failed.token_hash is None and failed.sent_at is None
    assert "550" in failed.last_error and refused not in failed.last_error
    assert refused not in caplog.text

    mailbox.refuse = set()
    retry = send(app, demo.id)
    assert "1 sent, 0 failed" in retry.output
    assert rows(session)[1].status == "sent" and rows(session)[1].send_attempts == 2
    assert sorted(mailbox.recipients()) == sorted(c.email for c in contacts)


def test_giving_up_after_max_attempts(app, session, demo, contacts, mailbox):
    mailbox.refuse = {contacts[0].email}
    send(app, demo.id, "--max-attempts", "2")
    send(app, demo.id, "--max-attempts", "2")
    send(app, demo.id, "--max-attempts", "2")
    assert rows(session)[0].send_attempts == 2 and rows(session)[0].status == "failed"


def test_server_down_is_recorded_and_the_next_run_continues(app, session, demo, contacts, mailbox):
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    down = send(app, demo.id)
    assert down.exit_code != 0 and "mail server is not usable" in down.output
    first = rows(session)[0]
    assert first.status == "failed" and "cannot connect" in first.last_error
    assert [r.status for r in rows(session)[1:]] == ["pending"] * 4  # stopped at the first failure

    app.config["SMTP_PORT"] = mailbox.port
    up = send(app, demo.id)
    assert up.exit_code == 0 and "5 sent" in up.output
    assert all(r.status == "sent" for r in rows(session))


def test_two_runs_at_once_never_send_twice(app, session, demo, contacts, mailbox):
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context(), db.new_session() as own, Mailer(MailSettings.from_config(app.config)) as m:
                compose = invitations.make_composer("http://localhost", "khao-sat@anbinh.gov.vn")
                invitations.send_invitations(own, own.get(Round, demo.id), m, compose)
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    recipients = mailbox.recipients()
    assert len(recipients) == len(set(recipients)) == 5


def test_group_option_and_closed_round(app, session, demo, contacts, mailbox):
    assert "0 sent" in send(app, demo.id, "--group", "office_head").output
    round_ = session.get(Round, demo.id)
    round_.status = "closed"
    session.commit()
    closed = send(app, demo.id)
    assert closed.exit_code != 0 and "not open" in closed.output
    assert mailbox.messages == []


def test_throttle_spaces_messages():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        throttle.wait()
    assert slept == [0.25, 0.25, 0.25, 0.25]
    Throttle(0, clock=lambda: now[0], sleep=sleep).wait()
    assert len(slept) == 4


def test_settings_read_the_environment_names(app):
    with app.app_context():
        current_app.config.update(SMTP_STARTTLS="yes", SMTP_PORT="2525", SMTP_USERNAME="")
        settings = MailSettings.from_config(current_app.config)
    assert settings.starttls is True and settings.port == 2525 and settings.username is None
