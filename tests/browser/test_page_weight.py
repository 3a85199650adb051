"""The citizen survey page as a phone receives it: under 30 KB in all, from our host only,
drawn before any script runs."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.browser

BUDGET_BYTES = 30 * 1024

# Every response of the page load, as the Resource Timing API reports it: transferSize counts
# headers and body as they came over the network, encodedBodySize the body before decompression.
ENTRIES = """() => [performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")]
  .map(e => ({url: e.name, type: e.initiatorType, transfer: e.transferSize, encoded: e.encodedBodySize,
              decoded: e.decodedBodySize, blocking: e.renderBlockingStatus}))"""


def _load(page: Any, url: str) -> tuple[list[dict], list[str]]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url, wait_until="networkidle")
    return page.evaluate(ENTRIES), requested


@pytest.mark.parametrize("path", ["/q/demo", "/k/demo"])
def test_survey_page_weighs_under_30_kb_from_one_host(path: str, live_server: str, new_context: Any,
                                                       demo: Any, session: Any) -> None:
    context = new_context(**PHONE)  # a fresh profile: nothing cached
    if path.startswith("/k/"):  # the kiosk serves only a tablet staff enrolled (services.kiosks)
        from tests.browser.test_kiosk import enrolled_cookie

        context.add_cookies([enrolled_cookie(session, live_server)])
    page = context.new_page()
    entries, requested = _load(page, live_server + path)
    hosts = {urlsplit(url).netloc for url in requested if not url.startswith("data:")}
    assert hosts == {urlsplit(live_server).netloc}, f"requests to other hosts: {requested}"
    assert len(entries) == len([u for u in requested if not u.startswith("data:")]), (entries, requested)

    transferred = sum(e["transfer"] for e in entries)
    bodies = sum(e["encoded"] for e in entries)
    figures = {"path": path, "requests": len(entries), "transferred_bytes": transferred,
               "encoded_body_bytes": bodies, "decoded_body_bytes": sum(e["decoded"] for e in entries),
               "entries": entries}
    out = ARTIFACTS / "page-weight" / f"{path.strip('/').replace('/', '-')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    assert bodies <= transferred <= BUDGET_BYTES, figures

    # No web fonts, images or anything else: the page, its stylesheet and its script.
    assert {e["type"] for e in entries} == {"navigation", "link", "script"}, entries


def test_first_render_does_not_wait_for_javascript(live_server: str, new_context: Any, demo: Any) -> None:
    page = new_context(**PHONE).new_page()
    entries, _ = _load(page, f"{live_server}/q/demo")
    scripts = [e for e in entries if e["type"] == "script"]
    assert scripts and all(e["blocking"] == "non-blocking" for e in scripts), scripts
    # Every script is deferred: the parser never stops for one.
    assert page.evaluate("() => [...document.scripts].every(s => s.defer || s.async)")
