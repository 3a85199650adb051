"""The signed token every survey form carries: a one-time nonce and the start time.

The nonce makes a resubmitted form recognisable (see services.submission); the
start time gives the completion time used for data-quality flags. Signing stops
a respondent from forging either; neither identifies anyone.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_AGE_SECONDS = 7 * 24 * 3600
MAX_DURATION_SECONDS = 24 * 3600


@dataclass(frozen=True)
class FormToken:
    nonce: str
    started: float

    def duration_seconds(self, now: float | None = None) -> int | None:
        elapsed = (now or time.time()) - self.started
        return int(elapsed) if 0 <= elapsed <= MAX_DURATION_SECONDS else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="survey-form-token")


def issue(started: float | None = None) -> str:
    return _serializer().dumps({"n": secrets.token_urlsafe(24), "t": started or time.time()})


def read(token: str | None) -> FormToken | None:
    """The token's content, or None when missing, forged or too old."""
    if not token or len(token) > 512:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    started = data.get("t")
    return FormToken(nonce=data["n"], started=float(started) if isinstance(started, int | float) else time.time())
