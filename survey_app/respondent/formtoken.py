"""The signed token every survey form carries: its CSRF protection, nonce and start time.

The token is ``base64url(nonce ‖ start in ms) . base64url(HMAC-SHA256)`` where the
MAC also covers the browser's id, a random value in an HttpOnly, SameSite=Lax
cookie of its own (the "signed double-submit" pattern). A page posted from
another site cannot carry a token for the victim's cookie (it cannot read it),
and a token copied from one browser is refused in another: that is the CSRF
check of every respondent form. The nonce makes a resubmitted form recognisable
(see services.submission); the start time gives the completion time used for
data-quality flags. Signing stops a respondent from forging either.

Neither the nonce nor the browser id identifies anyone, and the browser id is
never stored: it lives in the browser and in the MAC only.

Why not Flask-WTF's token, as the staff console uses: it keeps its secret in the
signed session cookie, so each survey page and submission unsigned the session
and signed (or checked) a second token, three HMACs, JSON and zlib per request,
most of the cost of a page view. This is one HMAC over 42 bytes with a key
derived once, checked in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app

MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_DURATION_SECONDS = 24 * 3600
NONCE_BYTES = 18
_PAYLOAD_BYTES = NONCE_BYTES + 8
BROWSER_COOKIE = "survey_browser"
_BROWSER_BYTES = 16
_BROWSER_CHARS = 22  # base64url of 16 bytes, unpadded


@dataclass(frozen=True)
class FormToken:
    nonce: str
    started: float

    def duration_seconds(self, now: float | None = None) -> int | None:
        elapsed = (now or time.time()) - self.started
        return int(elapsed) if 0 <= elapsed <= MAX_DURATION_SECONDS else None


@lru_cache(maxsize=8)
def _derive_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"survey-form-token", hashlib.sha256).digest()


def _key() -> bytes:
    return _derive_key(str(current_app.config["SECRET_KEY"]))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_browser() -> str:
    """A fresh browser id for the cookie: random, meaning nothing."""
    return _b64(secrets.token_bytes(_BROWSER_BYTES))


def browser_of(cookies: Mapping[str, str]) -> str | None:
    """The browser id from the request's cookies, or None when absent or not one of ours."""
    value = cookies.get(BROWSER_COOKIE)
    if value is None or len(value) != _BROWSER_CHARS or not value.isascii():
        return None
    return value


def _mac(payload: bytes, browser: str) -> bytes:
    return hmac.new(_key(), payload + browser.encode("ascii"), hashlib.sha256).digest()


def issue(browser: str, started: float | None = None) -> str:
    started_ms = int((started or time.time()) * 1000)
    payload = secrets.token_bytes(NONCE_BYTES) + started_ms.to_bytes(8, "big")
    return f"{_b64(payload)}.{_b64(_mac(payload, browser))}"


def read(token: str | None, browser: str | None, now: float | None = None) -> FormToken | None:
    """The token's content, or None when missing, malformed, forged, too old or another browser's."""
    if not token or not browser or len(token) > 512 or not token.isascii():
        return None
    body, _, signature = token.partition(".")
    try:
        payload, mac = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError):
        return None
    if len(payload) != _PAYLOAD_BYTES:
        return None
    if not hmac.compare_digest(mac, _mac(payload, browser)):
        return None
    started = int.from_bytes(payload[NONCE_BYTES:], "big") / 1000
    if not -60 <= (now or time.time()) - started <= MAX_AGE_SECONDS:  # a minute of clock skew between servers
        return None
    return FormToken(nonce=_b64(payload[:NONCE_BYTES]), started=started)
