"""Kiosk mode in Chromium: one tablet, one person after another, nobody sees the last one's answers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import Shots
from tests.browser.helpers import CITIZEN, SEND, answer, axe_violations, describe, responses

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 800, "height": 1280}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
ANY_ANSWER = "form input:checked, form input[type=number]:not([value='']), form textarea"


def enrolled_cookie(session: Any, live_server: str) -> dict[str, str]:
    """The cookie of a tablet enrolled at the demo desk (what the console's button sets)."""
    from sqlalchemy import select

    from survey_app.models import ServicePoint
    from survey_app.services import kiosks

    desk = session.scalars(select(ServicePoint).where(ServicePoint.code == "demo")).one()
    secret = kiosks.enrol(session, desk)
    session.commit()
    return {"name": kiosks.COOKIE, "value": secret, "url": f"{live_server}/k/"}


def _tablet(new_context: Any, live_server: str, session: Any, **options: Any) -> Any:
    """A page in a browser enrolled as the demo desk's kiosk tablet."""
    context = new_context(**TABLET, **options)
    context.add_cookies([enrolled_cookie(session, live_server)])
    return context.new_page()


def _blank(page: Any) -> bool:
    """True when the form on screen holds no answer at all."""
    return page.evaluate("""() => {
      const form = document.querySelector("form[method=post]");
      return !!form && ![...form.elements].some(e =>
        (e.type === "radio" || e.type === "checkbox") ? e.checked :
        (e.type === "number" || e.tagName === "TEXTAREA") ? e.value !== "" : false);
    }""")


def test_next_person_gets_a_fresh_form_and_back_shows_nothing(app: Flask, live_server: str, new_context: Any,
                                                              session: Any, demo: Any) -> None:
    shots = Shots("kiosk")
    app.config.update(KIOSK_THANKS_SECONDS=2)
    page = _tablet(new_context, live_server, session)
    page.goto(f"{live_server}/k/demo?lang=en")  # the first person prefers English
    page.goto(f"{live_server}/k/demo")
    answer(page, CITIZEN)
    page.get_by_role("button", name="Send answers").click()
    page.wait_for_url(f"{live_server}/k/demo/thanks")
    shots.take(page, "1-thanks")

    # Back straight from the thank-you page: the form comes from the server again, empty.
    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{live_server}/k/demo" and _blank(page)
    page.go_forward()
    page.wait_for_url(f"{live_server}/k/demo?lang=vi", timeout=10_000)  # the thank-you page moves on by itself
    assert _blank(page) and page.locator("html").get_attribute("lang") == "vi"
    shots.take(page, "2-next-person")

    page.go_back()  # the thank-you page replaced itself, so Back leads to the first person's form
    page.wait_for_load_state()
    assert _blank(page)
    [stored] = responses(session)  # and going back never sent it twice
    assert stored.channel == "kiosk" and stored.service_point.code == "demo"


def test_form_starts_again_after_inactivity(app: Flask, live_server: str, new_context: Any, axe_source: str,
                                            demo: Any, session: Any) -> None:
    app.config.update(KIOSK_IDLE_SECONDS=6)  # the warning after 3 s, the reset after 6 s
    page = _tablet(new_context, live_server, session)
    page.goto(f"{live_server}/k/demo")
    page.get_by_role("button", name="Chữ to hơn").click()
    for value in ("1", "2", "3", "4"):  # someone is answering: no reset while they do
        answer(page, {"field": value})
        time.sleep(0.8)
    assert page.url == f"{live_server}/k/demo" and not _blank(page)
    warning = page.locator("[data-kiosk-warning]")
    warning.wait_for(state="visible", timeout=5_000)  # they walk away: first a warning, then the reset
    assert warning.get_attribute("role") == "alert" and "chạm vào màn hình" in warning.inner_text()
    found = axe_violations(page, axe_source)  # the warning is accessible too
    assert not found, describe(found)
    page.wait_for_url(f"{live_server}/k/demo?lang=vi", timeout=8_000)
    assert _blank(page) and page.locator("[data-kiosk-warning]").is_hidden()
    assert page.evaluate("() => document.documentElement.classList.contains('big')") is False


def test_without_javascript_meta_refresh_starts_again(app: Flask, live_server: str, new_context: Any,
                                                     session: Any, demo: Any) -> None:
    app.config.update(KIOSK_NOSCRIPT_RESET_SECONDS=2, KIOSK_THANKS_SECONDS=2)
    page = _tablet(new_context, live_server, session, java_script_enabled=False)
    page.goto(f"{live_server}/k/demo")
    answer(page, {"field": "3"})
    page.wait_for_url(f"{live_server}/k/demo?lang=vi", timeout=6_000)
    assert _blank(page)
    # the next person takes longer than 2 s to answer everything on a slow machine: a page
    # served with a longer reset lets them finish (the refresh is written into the page)
    app.config.update(KIOSK_NOSCRIPT_RESET_SECONDS=120)
    page.goto(f"{live_server}/k/demo")
    answer(page, CITIZEN)
    page.get_by_role("button", name=SEND).click()
    page.wait_for_url(f"{live_server}/k/demo/thanks")
    page.wait_for_url(f"{live_server}/k/demo?lang=vi", timeout=8_000)
    assert _blank(page) and len(responses(session)) == 1


def test_one_touch_after_the_warning_carries_on(app: Flask, live_server: str, new_context: Any, demo: Any,
                                                session: Any) -> None:
    app.config.update(KIOSK_IDLE_SECONDS=3)
    page = _tablet(new_context, live_server, session)
    page.goto(f"{live_server}/k/demo")
    answer(page, {"field": "2"})
    warning = page.locator("[data-kiosk-warning]")
    warning.wait_for(state="visible", timeout=3_000)
    page.locator("h1").click()  # a touch anywhere
    assert warning.is_hidden()
    time.sleep(2)  # past the first deadline: the touch restarted the count
    assert page.url == f"{live_server}/k/demo" and not _blank(page)


def test_with_javascript_only_the_idle_timer_resets(app: Flask, live_server: str, new_context: Any,
                                                   demo: Any, session: Any) -> None:
    """The <noscript> refresh must not cut short someone answering in a browser with JavaScript."""
    app.config.update(KIOSK_NOSCRIPT_RESET_SECONDS=1, KIOSK_IDLE_SECONDS=60)
    page = _tablet(new_context, live_server, session)
    page.goto(f"{live_server}/k/demo")
    answer(page, {"field": "3"})
    time.sleep(2.5)
    assert page.url == f"{live_server}/k/demo" and not _blank(page)


def test_a_desk_without_kiosk_mode_has_no_kiosk(live_server: str, phone: Any, session: Any, demo: Any) -> None:
    from sqlalchemy import select

    from survey_app.models import ServicePoint

    desk = session.scalars(select(ServicePoint).where(ServicePoint.kiosk_enabled.is_(False))).first()
    assert phone.goto(f"{live_server}/k/{desk.code}").status == 404
    assert "QR" in phone.locator("main").inner_text()
