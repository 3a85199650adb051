"""Interviewer offline mode in Chromium: three interviews with no network, a browser restart,
then the network back: three stored, none twice, and nothing left on the tablet."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from survey_app.models import Response
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Shots
from tests.browser.test_page_weight import BUDGET_BYTES, ENTRIES
from tests.factories import STAFF_PASSWORD, make_user

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 800, "height": 1280}}

# Fill every question shown: the last option of each choice (the feedback question as given),
# "2" in number boxes; a click fires the page's own change handlers, so skips apply as a person sees them.
FILL = """(feedback) => {
  for (const box of document.querySelectorAll("#interview fieldset.q")) {
    if (box.hidden) continue;
    const radios = box.querySelectorAll("input[type=radio]");
    if (radios.length) {
      (box.dataset.item === "j_feedback_given" ? box.querySelector(`input[value="${feedback}"]`)
                                               : radios[radios.length - 1]).click();
      continue;
    }
    const number = box.querySelector("input[type=text]");
    if (number) { number.value = "2"; number.dispatchEvent(new Event("input", {bubbles: true})); }
  }
}"""


class Server:
    """The app on one fixed port that the test can take down and bring back (the network cut)."""

    def __init__(self, app: Flask) -> None:
        self.app, self.port, self.server, self.thread = app, 0, None, None

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=10)
            self.server = None


def _launch(driver: Any, profile: Path) -> Any:
    context = driver.chromium.launch_persistent_context(str(profile), executable_path=str(CHROMIUM),
                                                        args=CHROMIUM_ARGS, **TABLET)
    context.set_default_timeout(15_000)
    return context


def _until(page: Any, predicate: str, seconds: float = 15) -> None:
    """Poll ``predicate`` with evaluate (wait_for_function would need eval, which our CSP forbids)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        time.sleep(0.1)


def _stored(session: Any) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Response).where(Response.channel == "interview"))


def test_three_offline_interviews_survive_a_restart_and_are_stored_once(
        app: Flask, session: Any, demo: Any, playwright_driver: Any, tmp_path: Path) -> None:
    shots = Shots("interviewer")
    app.config.update(INTERVIEW_RETRY_SECONDS=1)
    user = make_user(session, "interviewer", "phongvan@example.org")
    server = Server(app)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    profile = tmp_path / "tablet-profile"
    context = _launch(playwright_driver, profile)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{base}/admin/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/interview/")
        _until(page, "() => navigator.serviceWorker.controller !== null")
        page.wait_for_selector("#begin", state="visible")
        entries = page.evaluate(ENTRIES)
        assert all(urlsplit(e["url"]).netloc == urlsplit(base).netloc for e in entries), entries  # our host only
        # The page itself (HTML, styles, script) within the respondent pages' budget; the questionnaires
        # (data.json, downloaded once and kept on the tablet) are data, not page weight.
        page_bytes = sum(e["transfer"] for e in entries if e["type"] in ("navigation", "link", "script"))
        assert page_bytes <= BUDGET_BYTES, entries

        server.stop()  # the network is gone
        for feedback in ("0", "0", "1"):
            page.select_option("#pick-group", "citizen")
            page.click("#begin")
            page.evaluate(FILL, feedback)
            page.click("#finish")
            page.wait_for_selector("#begin", state="visible")
        page.wait_for_selector("#pending-count[data-count='3']")
        assert "3" in page.inner_text("#pending-count")
        shots.take(page, "1-three-waiting", doc=False)
        assert _stored(session) == 0
        context.close()  # the tablet is switched off

        context = _launch(playwright_driver, profile)  # and on again, still with no network
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{base}/admin/interview/")
        page.wait_for_selector("#pending-count[data-count='3']")

        server.start()  # the network is back, on the same address: the page notices by itself
        page.wait_for_selector("#pending-count[data-count='0']")
        assert _stored(session) == 3
        assert page.locator("#receipts li").count() == 3
        receipts = page.locator("#receipts li").all_inner_texts()
        assert len(set(receipts)) == 3
        shots.take(page, "2-sent", doc=False)

        page.click("#send-now")  # nothing is left to send twice
        page.reload()
        page.wait_for_selector("#pending-count[data-count='0']")
        assert _stored(session) == 3
        left = page.evaluate("""() => new Promise(resolve => {
          const open = indexedDB.open("survey-interviews");
          open.onsuccess = () => {
            const request = open.result.transaction("pending").objectStore("pending").count();
            request.onsuccess = () => resolve(request.result);
          };
        })""")
        assert left == 0  # no answer stays on the tablet once acknowledged
        answers = session.scalars(select(Response.answers)).all()
        assert sorted(a["j_feedback_given"] for a in answers) == [0, 0, 1]
        assert sum("s_fb_1" in a for a in answers) == 1
    finally:
        context.close()
        server.stop()
