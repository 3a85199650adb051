"""Real-browser fixtures: the app on a local port, Debian's Chromium through Playwright.

The app runs with werkzeug's server in a thread, against the same test database
as the ``app`` fixture, so a test can check in the database what the browser
did. Chromium is never downloaded: Debian's /usr/bin/chromium is driven by
Playwright's Python package (``make browsers`` installs both it and axe-core).
Without them the tests are skipped with the reason, except in CI, where a
missing browser must fail the run rather than pass it quietly.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _missing(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where the browser tests must really run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests: `make browsers` installs what they need)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: `make browsers` installs Debian's chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        _missing(f"{AXE_JS.relative_to(ROOT)} is missing: `npm ci` (or `make browsers`) installs axe-core")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on 127.0.0.1 and a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """Make browser contexts (a fresh profile each: no cache, no cookies), closed after the test."""
    made: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def phone(new_context: Callable[..., Any]) -> Any:
    """A page the size of a cheap Android phone, in a fresh profile."""
    return new_context(**PHONE).new_page()


@dataclass
class Shots:
    """Screenshots of one flow: always under test-artifacts/, and under docs/screenshots/
    too when SCREENSHOTS=1 (phone-size ones only), to refresh the committed pictures."""

    flow: str

    def take(self, page: Any, step: str, *, doc: bool = True, full_page: bool = False, scale: str = "css") -> Path:
        """Save what the page shows now; ``scale="device"`` keeps every device pixel (zoom shots)."""
        path = ARTIFACTS / self.flow / f"{step}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page, scale=scale)
        if doc and os.environ.get("SCREENSHOTS") == "1":
            DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOC_SCREENSHOTS / f"{self.flow}-{step}.png")
        return path
