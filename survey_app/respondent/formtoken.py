"""The signed token every survey form carries: a one-time nonce and the start time.

The nonce makes a resubmitted form recognisable (see services.submission); the
start time gives the completion time used for data-quality flags. Signing stops
a respondent from forging either; neither identifies anyone.

The token is ``base64url(nonce ‖ start in ms) . base64url(HMAC-SHA256)`` with a
key derived once from SECRET_KEY for this purpose. It is signed on every survey
page, so it is kept to one HMAC over 26 bytes: itsdangerous, which we used
first, derives its key and serialises JSON on every call, at ten times the cost.
The signature is checked in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app

MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_DURATION_SECONDS = 24 * 3600
NONCE_BYTES = 18
_PAYLOAD_BYTES = NONCE_BYTES + 8


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


def issue(started: float | None = None) -> str:
    started_ms = int((started or time.time()) * 1000)
    payload = secrets.token_bytes(NONCE_BYTES) + started_ms.to_bytes(8, "big")
    return f"{_b64(payload)}.{_b64(hmac.new(_key(), payload, hashlib.sha256).digest())}"


def read(token: str | None, now: float | None = None) -> FormToken | None:
    """The token's content, or None when missing, malformed, forged or too old."""
    if not token or len(token) > 512 or not token.isascii():
        return None
    body, _, signature = token.partition(".")
    try:
        payload, mac = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError):
        return None
    if len(payload) != _PAYLOAD_BYTES:
        return None
    if not hmac.compare_digest(mac, hmac.new(_key(), payload, hashlib.sha256).digest()):
        return None
    started = int.from_bytes(payload[NONCE_BYTES:], "big") / 1000
    if not -60 <= (now or time.time()) - started <= MAX_AGE_SECONDS:  # a minute of clock skew between servers
        return None
    return FormToken(nonce=_b64(payload[:NONCE_BYTES]), started=started)
