"""Reminders go only to those who have not answered, at most the round's reminder limit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from survey_app.models import Invitation, Round, utcnow
from survey_app.services.questionnaires import questionnaire_of
from tests.factories import form_field
from tests.survey_app.invitations.support import parts, token_in, valid_answers


def run(app, command: str, round_id: int, *args: str):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["invitations", command, "--round", str(round_id), *args])
    assert result.exit_code == 0, result.output
    return result


def answer(app, session, token: str, round_id: int) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    html = client.get(f"/i/{token}").get_data(as_text=True)
    answers = valid_answers(questionnaire_of(session.get(Round, round_id).version_for("business")))
    hidden = {"form_token": form_field(html, "form_token")}
    assert client.post(f"/i/{token}", data={**answers, **hidden}).status_code == 303


def test_reminders_only_to_non_responders_up_to_the_limit(app, session, demo, contacts, mailbox):
    mailbox.refuse = {contacts[4].email}
    run(app, "send", demo.id)
    answered = contacts[0].email
    answer(app, session, token_in(mailbox.to(answered)[0]), demo.id)
    session.get(Round, demo.id).reminder_limit = 2
    session.commit()

    first = run(app, "remind", demo.id, "--min-interval-hours", "0")
    assert "3 sent" in first.output
    reminded = {c.email for c in contacts[1:4]}
    assert set(mailbox.recipients()[-3:]) == reminded  # not the one who answered, not the failed address
    message = mailbox.to(contacts[1].email)[-1]
    plain, _ = parts(message)
    assert "Thư nhắc" in message["Subject"] and "thay thế" in plain

    run(app, "remind", demo.id, "--min-interval-hours", "0")
    third = run(app, "remind", demo.id, "--min-interval-hours", "0")
    assert "0 sent" in third.output  # the limit of two is reached
    session.expire_all()
    counts = {i.email: i.reminders_sent for i in session.scalars(select(Invitation))}
    assert counts == {contacts[0].email: 0, **dict.fromkeys(reminded, 2), contacts[4].email: 0}
    assert len(mailbox.to(answered)) == 1


def test_no_reminder_soon_after_the_invitation_or_a_visit(app, session, demo, contacts, mailbox):
    run(app, "send", demo.id)
    assert "0 sent" in run(app, "remind", demo.id).output  # default: 48 hours after the last email
    two_days_ago = utcnow() - timedelta(days=2)
    session.execute(update(Invitation).values(sent_at=two_days_ago))
    session.commit()
    app.test_client().get(f"/i/{token_in(mailbox.to(contacts[0].email)[0])}")  # someone is answering now
    assert "4 sent" in run(app, "remind", demo.id).output
    assert len(mailbox.to(contacts[0].email)) == 1
    assert "0 sent" in run(app, "remind", demo.id).output  # and not again right away


def test_a_refused_reminder_keeps_the_old_link_working(app, session, demo, contacts, mailbox):
    run(app, "send", demo.id)
    token = token_in(mailbox.to(contacts[2].email)[0])
    mailbox.refuse = {contacts[2].email}
    result = run(app, "remind", demo.id, "--min-interval-hours", "0")
    assert "4 sent, 1 failed" in result.output
    session.expire_all()
    row = session.scalar(select(Invitation).where(Invitation.email == contacts[2].email))
    assert row.reminders_sent == 0 and "550" in row.last_error and row.status == "sent"
    assert app.test_client().get(f"/i/{token}").status_code == 200


def test_status_command_counts_per_group_and_unit(app, session, demo, contacts, mailbox):
    mailbox.refuse = {contacts[3].email}
    run(app, "send", demo.id)
    answer(app, session, token_in(mailbox.to(contacts[0].email)[0]), demo.id)
    app.test_client().get(f"/i/{token_in(mailbox.to(contacts[1].email)[0])}")
    result = run(app, "status", demo.id, "--contacts", "failed")
    lines = result.output.splitlines()
    assert lines[0].split("\t") == ["group", "unit", "pending", "unconfirmed", "sent", "failed", "opened",
                                    "completed", "total"]
    # Fewer than COMPLETION_MIN_COUNT answered: opened and completed are counted with the sent ones (issue 18).
    assert lines[1].split("\t") == ["business", "XA_AN_PHU", "0", "0", "4", "1", "-", "-", "5"]
    assert lines[2].split("\t")[0] == "all"
    assert contacts[3].email in lines[3] and "550" in lines[3]
