"""A business follows the link in its invitation email, answers half, saves, leaves, comes back
later (on another device: the link is all it needs) and finishes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from survey_app.models import Invitation, Round
from survey_app.services.contacts import import_contact_file
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.rounds import version_for
from tests.browser.conftest import PHONE, Shots
from tests.browser.helpers import SEND, answer, responses
from tests.survey_app.invitations.support import Mailbox, businesses, csv_bytes, parts, start_smtp

pytestmark = pytest.mark.browser

SAVE = "Lưu lại, trả lời tiếp sau"
FIRST_HALF = {
    "b_time_days": "12", "b_informal_cost": "1",
    "s_acc_1": "4", "s_acc_2": "5", "s_acc_3": "4",
    "s_proc_1": "3", "s_proc_2": "4", "s_proc_3": "4", "s_proc_4": "2",
}
SECOND_HALF = {
    "s_staff_1": "5", "s_staff_2": "4", "s_staff_3": "4",
    "s_res_1": "3", "s_res_2": "4", "s_res_3": "4",
    "b_online_used": "1", "b_online_sat": "4", "b_guidance_consistent": "3",
    "sector": "2", "size": "1", "comment": "Nên công khai rõ thời hạn giải quyết.",
}


def _emailed_link_page(app: Flask, session: Any, demo: Round, base: str) -> str:
    """Import one business, send the invitations through a real SMTP server; the email's HTML."""
    report = import_contact_file(session, demo, "business", "contacts.csv", csv_bytes(businesses(1)))
    assert report.ok, report.problems
    session.commit()
    mailbox = Mailbox()
    controller = start_smtp(mailbox)
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=mailbox.port, SMTP_TIMEOUT=5, BASE_URL=base)
        result = app.test_cli_runner().invoke(args=["invitations", "send", "--round", str(demo.id)])
        assert result.exit_code == 0, result.output
    finally:
        controller.stop()
    [message] = mailbox.messages
    return parts(message)[1]


def test_business_saves_half_and_finishes_later(app: Flask, live_server: str, new_context: Any,
                                                session: Any, demo: Round) -> None:
    shots = Shots("business-link")
    questionnaire = questionnaire_of(version_for(demo, "business"))
    assert {item.code for item in questionnaire.items} == {*FIRST_HALF, *SECOND_HALF}
    email_html = _emailed_link_page(app, session, demo, live_server)

    # The email as a phone's mail app shows it (fitted to the screen), and the tap on its button,
    # which opens the link in the phone's browser.
    mail = new_context(viewport=PHONE["viewport"], device_scale_factor=2).new_page()
    mail.set_content(email_html)
    shots.take(mail, "1-email")
    link = mail.get_by_role("link", name="Trả lời khảo sát").get_attribute("href")
    assert link.startswith(f"{live_server}/i/")
    office = new_context(**PHONE).new_page()
    office.goto(link)
    answer(office, FIRST_HALF)
    office.get_by_role("button", name=SAVE).click()
    assert "đã được lưu" in office.locator("#notice").inner_text()
    shots.take(office, "2-saved")

    later = new_context(**PHONE).new_page()  # another day, another device, the same link
    later.goto(link)
    assert "quay lại" in later.locator("#notice").inner_text()
    assert later.locator("input[name='s_proc_4'][value='2']").is_checked()
    assert later.locator("[name='b_time_days']").input_value() == "12"
    shots.take(later, "3-welcome-back")
    answer(later, SECOND_HALF)
    later.get_by_role("button", name=SEND).click()
    later.wait_for_url(f"{link}/thanks")
    shots.take(later, "4-thanks")

    [stored] = responses(session)
    assert (stored.channel, stored.group_code, stored.unit.code) == ("link", "business", "XA_AN_PHU")
    assert stored.answers["s_proc_4"] == 2 and stored.answers["b_online_sat"] == 4
    assert stored.answers["comment"] == SECOND_HALF["comment"]
    session.expire_all()
    assert session.scalars(select(Invitation)).one().status == "completed"

    again = later.goto(link)  # the link gives one response only
    assert again.status == 410
