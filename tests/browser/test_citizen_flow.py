"""A citizen at the counter scans the desk QR with a cheap phone, with and without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Shots
from tests.browser.helpers import CITIZEN, SEND, answer, horizontal_overflow, responses

pytestmark = pytest.mark.browser



def _mistake_then_fix(page: Any, base: str, shots: Shots) -> None:
    """Open /q/demo, forget a required question and mistype a number, see why, fix it, send."""
    page.goto(f"{base}/q/demo")
    assert page.locator("html").get_attribute("lang") == "vi"
    shots.take(page, "1-open")
    forgetful = {code: value for code, value in CITIZEN.items() if code != "sex"}
    answer(page, {**forgetful, "j_trips": "30"})
    page.get_by_role("button", name=SEND).click()

    # The page comes back with a summary at the top and each error next to its question.
    notice = page.locator("#notice")
    assert "cần Ông/Bà xem lại" in notice.inner_text()
    assert notice.locator("a[href='#i-sex']").count() == 1
    shots.take(page, "2-errors")
    sex_error = page.locator("#i-sex .err")
    assert sex_error.inner_text() == "Vui lòng chọn một câu trả lời."
    assert page.locator("#i-sex").get_attribute("aria-describedby") == "e-sex"
    assert page.locator("#i-j_trips .err").inner_text() == "Vui lòng nhập một số từ 1 đến 20, không có phần lẻ."
    # Nothing the citizen already answered is lost.
    assert page.locator("input[name='s_acc_2'][value='5']").is_checked()
    assert page.locator("[name='comment']").input_value() == CITIZEN["comment"]
    assert page.locator("[name='j_trips']").input_value() == "30"
    notice.locator("a[href='#i-sex']").click()
    shots.take(page, "3-error-at-question")

    answer(page, {"sex": "2", "j_trips": "3"})
    page.get_by_role("button", name=SEND).click()
    page.wait_for_url(f"{base}/q/demo/thanks")
    assert "Cảm ơn" in page.locator("h1").inner_text()
    shots.take(page, "4-thanks")


def test_citizen_phone(live_server: str, phone: Any, session: Any, demo: Any) -> None:
    shots = Shots("citizen")
    _mistake_then_fix(phone, live_server, shots)
    [stored] = responses(session)
    assert (stored.channel, stored.group_code, stored.service_point.code) == ("qr", "citizen", "demo")
    assert stored.answers["sex"] == 2 and stored.answers["j_trips"] == 3 and stored.answers["s_acc_2"] == 5
    assert stored.answers["comment"] == CITIZEN["comment"]
    assert not any(code.startswith("s_fb_") for code in stored.answers)  # skipped: no feedback given


def test_citizen_phone_without_javascript(live_server: str, new_context: Any, session: Any,
                                          demo: Any) -> None:
    shots = Shots("citizen-no-js")
    _mistake_then_fix(new_context(java_script_enabled=False, **PHONE).new_page(), live_server, shots)
    [stored] = responses(session)
    assert stored.channel == "qr" and stored.answers["sex"] == 2 and stored.answers["j_trips"] == 3


def test_conditional_questions_follow_the_answer_with_javascript(live_server: str, phone: Any, demo: Any) -> None:
    phone.goto(f"{live_server}/q/demo")
    feedback = phone.locator("#i-s_fb_1")
    assert feedback.is_hidden()
    answer(phone, {"j_feedback_given": "1"})
    assert feedback.is_visible() and phone.locator("#i-s_fb_1 .cond").is_hidden()
    # With its condition line hidden, the options still sit under the question, full width.
    assert horizontal_overflow(phone) <= 0
    assert phone.locator("#i-s_fb_1 .opts").bounding_box()["width"] > 250
    answer(phone, {"j_feedback_given": "0"})
    assert feedback.is_hidden() and phone.locator("input[name='s_fb_1']").first.is_disabled()


def test_conditional_questions_say_when_to_answer_without_javascript(live_server: str, new_context: Any,
                                                                    demo: Any) -> None:
    page = new_context(java_script_enabled=False, **PHONE).new_page()
    page.goto(f"{live_server}/q/demo")
    assert page.locator("#i-s_fb_1").is_visible()
    assert page.locator("#i-s_fb_1 .cond").inner_text().startswith("Chỉ trả lời")
    assert page.locator("[data-textsize]").is_hidden()  # the switch needs the script
