"""The limit on public submissions (desk QR and kiosk): per desk and phone.

Checked with the ``limits`` library directly, against the storage and strategy
Flask-Limiter was configured with (Redis when several servers run), instead of
through Flask-Limiter's decorator. The decorator resolves, filters and wraps the
route's limits on every request, which cost as much as the Redis round trip
itself on the busiest write path the app has; here it is one counter increment.
The console's login and the API keep Flask-Limiter's decorators.

If the counter store cannot be reached, the answer is accepted and the failure
logged: losing a citizen's answer is worse than a minute without a limit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

from flask import current_app, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from werkzeug.exceptions import TooManyRequests

from survey_app.extensions import limiter

F = TypeVar("F", bound=Callable[..., object])


@lru_cache(maxsize=32)
def _item(text: str) -> RateLimitItem:
    return parse(text)


def phone_key(code: str) -> str:
    """Per desk and client: one phone cannot stuff one desk's ballot box.

    The address lives only in the rate limiter's short-lived counters, never
    next to a response.
    """
    return f"{code}|{request.remote_addr}"


def limit_submissions(setting: str, default: str | None = None) -> Callable[[F], F]:
    """Refuse a view's requests (429, with Retry-After) beyond the limit in ``app.config[setting]``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def limited(code: str, **kwargs: object) -> object:
            _check(view.__name__, str(current_app.config.get(setting, default)), phone_key(code))
            return view(code, **kwargs)

        return limited  # type: ignore[return-value]

    return decorate


def _check(scope: str, limit: str, key: str) -> None:
    if not limiter.enabled:
        return
    item = _item(limit)
    identifiers = (limiter._key_prefix, key, scope) if limiter._key_prefix else (key, scope)
    try:
        allowed = limiter.limiter.hit(item, *identifiers)
    except StorageError as exc:
        current_app.logger.warning("rate-limit store unavailable, submission let through: %s",
                                   type(exc.storage_error).__name__)
        return
    if not allowed:
        raise TooManyRequests(retry_after=int(item.get_expiry()))
