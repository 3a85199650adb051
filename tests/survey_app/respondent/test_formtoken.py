"""The signed form token: nonce and start time, unforgeable, bound to its browser, bounded in age."""

from __future__ import annotations

import time

import pytest

from survey_app.respondent import formtoken

BROWSER = "A" * 22


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_round_trip_gives_the_nonce_and_the_start(ctx):
    started = time.time() - 90
    token = formtoken.issue(BROWSER, started)
    read = formtoken.read(token, BROWSER)
    assert read is not None and abs(read.started - started) < 0.001
    assert read.duration_seconds() in (89, 90, 91)
    assert formtoken.read(formtoken.issue(BROWSER), BROWSER).nonce != read.nonce  # every form its own nonce


@pytest.mark.parametrize("damage", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
    lambda t: ("B" if t[0] != "B" else "C") + t[1:],  # payload changed
    lambda t: t.split(".")[0],  # no signature
    lambda t: t + ".x",
    lambda t: "é" + t,  # not ASCII
    lambda t: "%%%." + t.split(".")[1],  # not base64
    lambda t: "",
])
def test_damaged_tokens_are_refused(ctx, damage):
    assert formtoken.read(damage(formtoken.issue(BROWSER)), BROWSER) is None


def test_tokens_of_another_secret_are_refused(app, ctx):
    token = formtoken.issue(BROWSER)
    app.config["SECRET_KEY"] = "another-secret-" + "y" * 40
    assert formtoken.read(token, BROWSER) is None


def test_old_and_future_tokens_are_refused(ctx):
    now = time.time()
    assert formtoken.read(formtoken.issue(BROWSER, now - formtoken.MAX_AGE_SECONDS - 5), BROWSER, now=now) is None
    assert formtoken.read(formtoken.issue(BROWSER, now + 3600), BROWSER, now=now) is None
    assert formtoken.read(formtoken.issue(BROWSER, now - formtoken.MAX_AGE_SECONDS + 60), BROWSER, now=now) is not None


def test_a_token_works_only_with_its_browser(ctx):
    token = formtoken.issue(BROWSER)
    other = formtoken.new_browser()
    assert formtoken.read(token, other) is None
    assert formtoken.read(token, None) is None
    assert formtoken.read(formtoken.issue(other), other) is not None


@pytest.mark.parametrize("cookie", [None, "", "A" * 21, "A" * 23, "é" * 22])
def test_browser_cookie_must_be_ours(cookie):
    cookies = {} if cookie is None else {formtoken.BROWSER_COOKIE: cookie}
    assert formtoken.browser_of(cookies) is None
    fresh = formtoken.new_browser()
    assert formtoken.browser_of({formtoken.BROWSER_COOKIE: fresh}) == fresh
