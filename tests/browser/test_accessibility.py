"""Accessibility in Chromium: axe-core on every respondent page and the console's first pages,
keyboard-only completion, a visible focus, 200% zoom on a phone and the larger-text switch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, PHONE, Shots
from tests.browser.helpers import (
    CITIZEN,
    SEND,
    axe_violations,
    describe,
    horizontal_overflow,
    responses,
    send_citizen_survey,
    sign_in,
)
from tests.factories import STAFF_PASSWORD, make_user

pytestmark = pytest.mark.browser

# 200% zoom on a 360 px wide phone: the page is laid out in 180 CSS pixels.
ZOOMED_PHONE = {"viewport": {"width": 180, "height": 370}, "device_scale_factor": 4, "is_mobile": True,
                "has_touch": True}


def _error_state(page: Any, base: str) -> None:
    page.goto(f"{base}/q/demo")
    page.get_by_role("button", name=SEND).click()
    page.wait_for_selector("#notice")


def _kiosk(page: Any, base: str, session: Any, *, send: bool = False) -> None:
    """The kiosk form (or its thank-you page) on a tablet staff enrolled: other browsers get a refusal."""
    from tests.browser.test_kiosk import enrolled_cookie

    page.context.add_cookies([enrolled_cookie(session, base)])
    if send:
        send_citizen_survey(page, f"{base}/k/demo")
    else:
        page.goto(f"{base}/k/demo")
        page.wait_for_selector("form [name='field']")


def _console_overview(page: Any, base: str, session: Any) -> None:
    user = make_user(session, "admin")
    sign_in(page, base, user.email, STAFF_PASSWORD)


def _console_dashboard(page: Any, base: str, session: Any) -> None:
    send_citizen_survey(page, f"{base}/q/demo")
    _console_overview(page, base, session)
    page.goto(base + page.get_by_role("link", name="Tiến độ").first.get_attribute("href"))


PAGES = {
    "survey": lambda page, base, session: page.goto(f"{base}/q/demo"),
    "survey-english": lambda page, base, session: page.goto(f"{base}/q/demo?lang=en"),
    "survey-errors": lambda page, base, session: _error_state(page, base),
    "thanks": lambda page, base, session: send_citizen_survey(page, f"{base}/q/demo"),
    "kiosk": _kiosk,
    "kiosk-thanks": lambda page, base, session: _kiosk(page, base, session, send=True),
    "not-found": lambda page, base, session: page.goto(f"{base}/q/nosuchdesk"),
    "console-login": lambda page, base, session: page.goto(f"{base}/admin/login"),
    "console-overview": _console_overview,
    "console-dashboard": _console_dashboard,
}


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violation(name: str, live_server: str, phone: Any, axe_source: str,
                                                    session: Any, demo: Any) -> None:
    PAGES[name](phone, live_server, session)
    every = axe_violations(phone, axe_source, impacts=("minor", "moderate", "serious", "critical"))
    report = ARTIFACTS / "axe" / f"{name}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({"url": phone.url, "violations": json.loads(describe(every))},
                                 ensure_ascii=False, indent=1), encoding="utf-8")
    serious = [v for v in every if v["impact"] in ("serious", "critical")]
    assert not serious, describe(serious)


FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  return {tag: e.tagName, type: e.type || "", name: e.name || "", value: e.value || "",
          text: (e.innerText || "").trim(), outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          shadow: style.boxShadow};
}"""


def _press_until_value(page: Any, name: str, wanted: str) -> None:
    """In a radio group, arrow keys move to the next option and choose it."""
    focused = page.evaluate(FOCUSED)
    if focused["value"] == wanted:
        page.keyboard.press("Space")
        return
    for _ in range(10):
        page.keyboard.press("ArrowDown")
        if page.evaluate(FOCUSED)["value"] == wanted:
            return
    raise AssertionError(f"option {wanted} of {name} not reachable by keyboard")


def test_keyboard_only_completion_with_visible_focus(live_server: str, new_context: Any,
                                                     session: Any, demo: Any) -> None:
    """Tab to each question, choose with Space or the arrow keys, type numbers and text, Enter to send."""
    shots = Shots("keyboard")
    page = new_context(viewport={"width": 1024, "height": 768}).new_page()
    page.goto(f"{live_server}/q/demo")
    done: set[str] = set()
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outline"] == "solid" and focused["width"] >= 2, f"focus not visible on {focused}"
        if focused["type"] == "radio" and focused["name"] not in done:
            _press_until_value(page, focused["name"], CITIZEN[focused["name"]])
            done.add(focused["name"])
        elif focused["type"] in ("number", "textarea") and focused["name"] not in done:
            page.keyboard.type(CITIZEN[focused["name"]])
            done.add(focused["name"])
        elif focused["type"] == "submit" and focused["text"] == SEND:
            shots.take(page, "focus-on-send", doc=False)
            page.keyboard.press("Enter")
            break
    page.wait_for_selector("h1:has-text('Cảm ơn')")
    [stored] = responses(session)
    assert stored.answers == {code: (value if code == "comment" else int(value)) for code, value in CITIZEN.items()}


def _check_zoomed(page: Any, what: str) -> None:
    assert horizontal_overflow(page) <= 0, f"{what}: sideways scrolling at 200% zoom"


def test_readable_at_200_percent_zoom_without_sideways_scrolling(live_server: str, new_context: Any,
                                                                 demo: Any) -> None:
    shots = Shots("zoom-200")
    page = new_context(**ZOOMED_PHONE).new_page()
    for url in ("/q/demo?lang=en", "/k/demo?lang=vi", "/admin/login"):
        page.goto(live_server + url)
        _check_zoomed(page, url)
    page.goto(f"{live_server}/q/demo")
    _error_state(page, live_server)
    _check_zoomed(page, "errors")
    page.evaluate("() => document.getElementById('i-field').scrollIntoView()")  # question 1, unanswered
    shots.take(page, "errors-at-200-percent", scale="device")
    page.get_by_role("button", name="Chữ to hơn").click()  # 200% zoom and the larger text together
    _check_zoomed(page, "larger text")
    send_citizen_survey(page, f"{live_server}/q/demo")
    _check_zoomed(page, "thanks")


def test_larger_text_switch(live_server: str, phone: Any, demo: Any) -> None:
    shots = Shots("larger-text")
    phone.goto(f"{live_server}/q/demo")
    switch = phone.get_by_role("button", name="Chữ to hơn")
    size = "() => parseFloat(getComputedStyle(document.querySelector('legend')).fontSize)"
    normal = phone.evaluate(size)
    assert switch.get_attribute("aria-pressed") == "false"
    switch.click()
    assert switch.get_attribute("aria-pressed") == "true"
    assert phone.evaluate(size) == pytest.approx(normal * 1.25)
    assert horizontal_overflow(phone) <= 0
    shots.take(phone, "on")
    phone.reload()  # remembered on this phone
    assert phone.evaluate(size) == pytest.approx(normal * 1.25)
    phone.get_by_role("button", name="Chữ to hơn").click()
    assert phone.evaluate(size) == pytest.approx(normal)


def test_every_question_has_a_label_and_its_errors_are_announced(live_server: str, phone: Any, demo: Any) -> None:
    _error_state(phone, live_server)
    # The summary takes the focus, so a screen reader reads it first.
    assert phone.evaluate("() => document.activeElement.id") == "notice"
    unlabelled = phone.evaluate("""() => [...document.querySelectorAll('form input:not([type=hidden]), form textarea')]
        .filter(e => !(e.labels && e.labels.length)).map(e => e.name)""")
    assert not unlabelled
    groups = phone.evaluate("""() => [...document.querySelectorAll('fieldset.q')]
        .filter(f => !f.querySelector('legend') || !f.querySelector('legend').innerText.trim()).map(f => f.id)""")
    assert not groups
    trips = phone.locator("#f-j_trips")
    assert trips.get_attribute("aria-invalid") == "true" and trips.get_attribute("aria-describedby") == "e-j_trips"


@pytest.mark.parametrize("viewport", [PHONE])
def test_focus_ring_shows_on_the_header_too(live_server: str, new_context: Any, viewport: dict, demo: Any) -> None:
    """The first Tab lands on the language switch in the blue bar (a button: it sends the form, keeping
    the answers): the ring must show there as well."""
    page = new_context(**viewport).new_page()
    page.goto(f"{live_server}/q/demo")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["tag"] == "BUTTON" and focused["outline"] == "solid"
    assert "255, 210, 63" in focused["shadow"]  # the yellow outer ring, visible against the blue bar
