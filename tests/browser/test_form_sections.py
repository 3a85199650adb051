"""In Chromium: a skipped section disappears with its heading and numbers close up; switching
language keeps every answer (with and without JavaScript)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Shots
from tests.browser.helpers import CITIZEN, answer

pytestmark = pytest.mark.browser

FEEDBACK_TITLE = "tiếp nhận, xử lý góp ý"


def visible_numbers(page: Any) -> list[int]:
    return [int(text.rstrip(".")) for text in page.locator(".q:visible .qn").all_inner_texts()]


def test_skipped_section_goes_with_its_heading_and_numbers_close_up(live_server: str, phone: Any, demo: Any) -> None:
    page = phone
    page.goto(f"{live_server}/q/demo")
    feedback = page.locator("section.sec", has_text=FEEDBACK_TITLE)
    answer(page, {"j_feedback_given": "0"})
    assert feedback.is_hidden()  # heading and all
    numbers = visible_numbers(page)
    assert numbers == list(range(1, len(numbers) + 1))
    parts = page.locator("section.sec:visible .pn").all_inner_texts()
    assert parts == [str(n) for n in range(1, len(parts) + 1)]
    assert set(page.locator("section.sec:visible .pm").all_inner_texts()) == {str(len(parts))}
    assert page.locator("section.sec:visible .part").first.inner_text() == f"Phần 1/{len(parts)}"
    Shots("sections").take(page, "feedback-skipped", doc=False, full_page=True)

    answer(page, {"j_feedback_given": "1"})
    assert feedback.is_visible()
    with_feedback = visible_numbers(page)
    assert with_feedback == list(range(1, len(numbers) + 4))  # its three questions, numbered in place
    assert len(page.locator("section.sec:visible .pn").all_inner_texts()) == len(parts) + 1


def _switch_keeps_answers(page: Any, base: str) -> None:
    page.goto(f"{base}/q/demo")
    given = {code: CITIZEN[code] for code in ("field", "j_trips", "s_acc_1", "s_acc_2", "sex", "comment")}
    answer(page, given)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    for code in ("field", "s_acc_1", "s_acc_2", "sex"):
        assert page.locator(f"input[name='{code}'][value='{given[code]}']").is_checked(), code
    assert page.locator("[name='j_trips']").input_value() == given["j_trips"]
    assert page.locator("[name='comment']").input_value() == given["comment"]
    assert page.locator(".err").count() == 0  # nothing was checked: the respondent has not sent anything
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator(f"input[name='sex'][value='{given['sex']}']").is_checked()
    assert page.locator("[name='comment']").input_value() == given["comment"]


def test_switching_language_keeps_every_answer(live_server: str, phone: Any, demo: Any) -> None:
    _switch_keeps_answers(phone, live_server)


def test_switching_language_keeps_every_answer_without_javascript(live_server: str, new_context: Any,
                                                                   demo: Any) -> None:
    _switch_keeps_answers(new_context(**PHONE, java_script_enabled=False).new_page(), live_server)
