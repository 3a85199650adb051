"""Slowing down password guessing without letting a stranger lock staff out.

Failed sign-ins are counted per account *and address* (the pair, hashed, in the
rate-limit store: Redis in production). After ``LOGIN_LOCK_AFTER`` failures in
``LOGIN_LOCK_MINUTES`` that address may not try that account again until the
window ends; the account itself is never locked, so the real user signing in
from their own office is not affected by someone guessing from elsewhere. The
per-address limit on the sign-in form (``RATELIMIT_LOGIN``) bounds guessing
across accounts. Unknown accounts are counted exactly like known ones, so the
answers (and the moment the refusal starts) never tell them apart.

If the counter store cannot be reached the password check still runs (scrypt,
10 characters at least): staff are not locked out because Redis is down.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import Flask, current_app
from limits import RateLimitItemPerMinute
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter


def _limiter(app: Flask) -> FixedWindowRateLimiter:
    strategy = app.extensions.get("login_throttle")
    if strategy is None:
        storage = storage_from_string(str(app.config["RATELIMIT_STORAGE_URI"]),
                                      **dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}))
        strategy = app.extensions["login_throttle"] = FixedWindowRateLimiter(storage)
    return strategy


def _item() -> RateLimitItemPerMinute:
    config = current_app.config
    return RateLimitItemPerMinute(int(config["LOGIN_LOCK_AFTER"]), int(config["LOGIN_LOCK_MINUTES"]))


def _key(email: str, address: str | None) -> str:
    pair = f"{email.strip().lower()}|{address or '-'}"
    return "login-failures|" + hashlib.sha256(pair.encode()).hexdigest()[:32]


def wait_seconds(email: str, address: str | None) -> int | None:
    """Seconds this address must wait before trying this account again, or None."""
    item = _item()
    try:
        limiter = _limiter(current_app._get_current_object())  # type: ignore[attr-defined]
        if limiter.test(item, _key(email, address)):
            return None
        reset = limiter.get_window_stats(item, _key(email, address)).reset_time
    except StorageError:
        current_app.logger.warning("rate-limit store unavailable: sign-in failures not counted")
        return None
    return max(1, math.ceil(reset - time.time()))


def failed(email: str, address: str | None) -> None:
    try:
        _limiter(current_app._get_current_object()).hit(_item(), _key(email, address))  # type: ignore[attr-defined]
    except StorageError:
        current_app.logger.warning("rate-limit store unavailable: sign-in failures not counted")


def succeeded(email: str, address: str | None) -> None:
    try:
        _limiter(current_app._get_current_object()).clear(_item(), _key(email, address))  # type: ignore[attr-defined]
    except StorageError:
        pass
