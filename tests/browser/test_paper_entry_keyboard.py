"""Keying a paper form in Chromium with the keyboard alone: the number, then codes and Enter.

Two different people key the same printed form; the second agreeing entry stores it.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from survey_app.models import PaperForm, Response, Unit
from survey_app.services.paper import issue_forms
from tests.browser.conftest import Shots
from tests.browser.helpers import CITIZEN
from tests.factories import STAFF_PASSWORD, make_user

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/entry")
    page.wait_for_load_state("networkidle")


def _key_by_keyboard(page: Any, base: str, number: str) -> None:
    """Only keys: the number and Enter; then each code and Enter (skipped questions are passed over)."""
    assert page.evaluate("document.activeElement.id") == "number"  # the cursor waits in the number box
    page.keyboard.type(number.replace("-", "").lower())
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/entry/{number}")
    for code, value in CITIZEN.items():
        assert page.evaluate("document.activeElement.name") == code, code
        page.keyboard.type(value)
        page.keyboard.press("Enter")  # Enter on the last question saves
    page.wait_for_url(f"{base}/admin/entry")
    page.wait_for_load_state("networkidle")


def test_two_people_key_a_form_with_the_keyboard_only(live_server: str, new_context: Any, session: Any,
                                                      demo: Any) -> None:
    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    (number,) = issue_forms(session, demo, "citizen", unit, 1).numbers
    session.commit()
    first, second = (make_user(session, "data_entry", f"{who}@example.org") for who in ("nhap1", "nhap2"))
    shots = Shots("paper-entry")

    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(page, live_server, first.email)
    page.keyboard.type(number.replace("-", "").lower())
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/admin/entry/{number}")
    # "No" to the feedback question greys out the three questions that depend on it.
    page.focus("input[name=j_feedback_given]")
    page.keyboard.type("0")
    assert page.locator("tr.skipped").count() == 3
    assert page.locator("input[name=s_fb_1]").is_disabled()
    shots.take(page, "1-keying", doc=False, full_page=True)
    page.goto(f"{live_server}/admin/entry")
    page.wait_for_load_state("networkidle")
    _key_by_keyboard(page, live_server, number)
    assert number in page.inner_text("main")
    session.expire_all()
    assert session.get(PaperForm, number).status == "keyed"

    other = new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(other, live_server, second.email)
    _key_by_keyboard(other, live_server, number)
    session.expire_all()
    assert session.get(PaperForm, number).status == "stored"
    assert session.scalar(select(func.count()).select_from(Response).where(Response.channel == "paper")) == 1
    stored = session.scalar(select(Response.answers))
    assert stored["j_trips"] == 1 and stored["comment"] == CITIZEN["comment"]
