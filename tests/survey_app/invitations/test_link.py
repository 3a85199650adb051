"""Answering by the personal link received by email: follow it, answer, save and resume, try again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.models import Invitation, Response, Round
from survey_app.services.questionnaires import questionnaire_of
from tests.factories import form_field
from tests.survey_app.invitations.support import token_in, valid_answers


@pytest.fixture
def emailed(app, session, demo, contacts, mailbox) -> dict[str, str]:
    """Invitations sent through SMTP: each contact's email -> the token in the link they received."""
    result = app.test_cli_runner().invoke(args=["invitations", "send", "--round", str(demo.id)])
    assert result.exit_code == 0, result.output
    return {c.email: token_in(mailbox.to(c.email)[0]) for c in contacts}


@pytest.fixture
def answers(session, demo) -> dict[str, str]:
    return valid_answers(questionnaire_of(session.get(Round, demo.id).version_for("business")))


def hidden(html: str) -> dict[str, str]:
    return {"form_token": form_field(html, "form_token")}


def invitation(session, email: str) -> Invitation:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(Invitation).where(Invitation.email == email))


def responses(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Response))


def test_follow_the_emailed_link_answer_and_try_again(client, session, emailed, answers, contacts):
    email = contacts[0].email
    page = client.get(f"/i/{emailed[email]}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Xã An Phú" in html and "doanh nghiệp" in html.lower()
    assert email not in html  # the page never shows who the respondent is
    assert invitation(session, email).status == "opened"

    sent = client.post(f"/i/{emailed[email]}", data={**answers, **hidden(html)})
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200 and "Xã An Phú" in thanks.get_data(as_text=True)
    stored = session.scalars(select(Response)).one()
    assert (stored.channel, stored.group_code, stored.unit.code) == ("link", "business", "XA_AN_PHU")
    assert stored.service_point_id is None
    done = invitation(session, email)
    assert done.status == "completed" and done.draft is None and done.opened_at is None

    again = client.get(f"/i/{emailed[email]}")
    assert again.status_code == 410 and "đã được dùng" in again.get_data(as_text=True)
    replay = client.post(f"/i/{emailed[email]}", data={**answers, **hidden(html)})
    assert replay.status_code == 410
    assert responses(session) == 1


def test_two_forms_of_one_link_give_one_response(app, session, emailed, answers, contacts):
    token = emailed[contacts[0].email]
    first, second = app.test_client(), app.test_client()
    form_one = hidden(first.get(f"/i/{token}").get_data(as_text=True))
    form_two = hidden(second.get(f"/i/{token}").get_data(as_text=True))
    assert first.post(f"/i/{token}", data={**answers, **form_one}).status_code == 303
    assert second.post(f"/i/{token}", data={**answers, **form_two}).status_code == 404  # another browser: told nothing (respondent.receipts)
    assert responses(session) == 1


def test_save_and_resume_on_another_day_and_device(app, session, emailed, answers, contacts):
    token = emailed[contacts[1].email]
    browser = app.test_client()
    html = browser.get(f"/i/{token}").get_data(as_text=True)
    assert 'value="save"' in html  # the "save and continue later" button
    half = {code: answers[code] for code in list(answers)[:5]}
    saved = browser.post(f"/i/{token}", data={**half, **hidden(html), "action": "save"})
    assert saved.status_code == 200 and "đã được lưu" in saved.get_data(as_text=True)
    assert responses(session) == 0
    draft = invitation(session, contacts[1].email).draft
    assert draft == {code: [value] for code, value in half.items()}

    other_device = app.test_client()  # another browser: the link is the key
    resumed = other_device.get(f"/i/{token}").get_data(as_text=True)
    assert "quay lại" in resumed
    for code in ("b_informal_cost", "s_acc_1"):
        assert f'name="{code}" value="{half[code]}" checked' in resumed

    finished = other_device.post(f"/i/{token}", data={**answers, **hidden(resumed)})
    assert finished.status_code == 303 and responses(session) == 1
    assert invitation(session, contacts[1].email).draft is None


def test_saving_keeps_only_questionnaire_items(app, session, emailed, answers, contacts):
    token = emailed[contacts[2].email]
    client = app.test_client()
    html = client.get(f"/i/{token}").get_data(as_text=True)
    client.post(f"/i/{token}", data={"s_acc_1": "4", "evil": "x" * 1000, **hidden(html), "action": "save"})
    assert invitation(session, contacts[2].email).draft == {"s_acc_1": ["4"]}


def test_save_without_csrf_is_refused_with_answers_kept(app, session, emailed, contacts):
    token = emailed[contacts[2].email]
    client = app.test_client()
    html = client.get(f"/i/{token}").get_data(as_text=True)
    client.delete_cookie("survey_browser")  # the form's token no longer matches this browser
    page = client.post(f"/i/{token}", data={"s_acc_1": "4", "form_token": hidden(html)["form_token"],
                                            "action": "save"})
    assert page.status_code == 400 and 'name="s_acc_1" value="4" checked' in page.get_data(as_text=True)
    assert invitation(session, contacts[2].email).draft is None


def test_invalid_answers_are_kept_with_errors(app, session, emailed, answers, contacts):
    token = emailed[contacts[3].email]
    client = app.test_client()
    html = client.get(f"/i/{token}").get_data(as_text=True)
    broken = {**answers, "b_time_days": "999"}
    page = client.post(f"/i/{token}", data={**broken, **hidden(html)})
    assert page.status_code == 422 and 'value="999"' in page.get_data(as_text=True)
    assert responses(session) == 0 and invitation(session, contacts[3].email).status == "opened"


@pytest.mark.parametrize("token", ["nosuchtoken" * 4, "short", "a" * 43, "tok'en<b>"])
def test_unknown_or_malformed_token_is_404(client, demo, token):
    page = client.get(f"/i/{token}")
    assert page.status_code == 404 and "không hợp lệ" in page.get_data(as_text=True)


def test_link_expires_when_the_round_closes(client, session, emailed, contacts, demo):
    token = emailed[contacts[0].email]
    round_ = session.get(Round, demo.id)
    round_.status = "closed"
    session.commit()
    page = client.get(f"/i/{token}")
    assert page.status_code == 410 and "hết hạn" in page.get_data(as_text=True)
    round_.status = "open"
    round_.opens_on += timedelta(days=400)
    round_.closes_on += timedelta(days=400)
    session.commit()
    assert client.get(f"/i/{token}").status_code == 403


def test_a_reminder_replaces_the_link(app, session, emailed, contacts, mailbox):
    old = emailed[contacts[4].email]
    result = app.test_cli_runner().invoke(args=["invitations", "remind", "--round", str(contacts[4].round_id),
                                                "--min-interval-hours", "0"])
    assert result.exit_code == 0, result.output
    new = token_in(mailbox.to(contacts[4].email)[-1])
    assert new != old
    assert app.test_client().get(f"/i/{old}").status_code == 404
    assert app.test_client().get(f"/i/{new}").status_code == 200
