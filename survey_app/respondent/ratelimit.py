"""Limits on public submissions (desk QR and kiosk), keyed on the resolved desk.

Why these keys. Mobile networks in Viet Nam put many phones behind one address
(carrier-grade NAT) and an office Wi-Fi puts a whole queue behind one, so the
address cannot be the unit of "one person". A QR submission is counted

- per browser at the desk (the ``survey_browser`` cookie, ``RATELIMIT_SUBMIT``):
  one phone cannot stuff one desk's ballot box;
- per address at the desk (``RATELIMIT_ADDRESS``): a generous ceiling against
  a script that throws away its cookie and fetches a new form every time;
- per desk (``RATELIMIT_DESK``): no desk receives more than a counter can serve.

A kiosk submission is counted per enrolled tablet (``RATELIMIT_KIOSK``) and per
desk. Every key is the desk's id, never the code as typed in the address, so
``/q/DEMO`` and ``/q/demo`` share one allowance.

Beyond ``RATELIMIT_SUSPECT`` submissions from one address at one desk, answers
are still accepted (a shared Wi-Fi is no crime) but counted as a stuffing signal
for the desk and day (models.abuse.StuffingSignal), which the dashboard's
data-quality flags show to staff. Nothing is dropped silently.

A refusal keeps every answer on the page and says when to try again: the
moment the counter that refused frees a place (its window's reset time).

Checked with the ``limits`` library directly, against the storage and strategy
Flask-Limiter was configured with (Redis when several servers run): one counter
increment per limit, no per-request decorator machinery. If the counter store
cannot be reached, the answer is accepted and the failure logged: losing a
citizen's answer is worse than a minute without a limit. The address and
browser live only in the limiter's short-lived counters, never next to a
response.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey_app.extensions import limiter
from survey_app.models import StuffingSignal, today_utc
from survey_app.respondent import formtoken


@lru_cache(maxsize=32)
def _item(text: str) -> RateLimitItem:
    return parse(text)


@dataclass
class Admission:
    """The outcome of counting one submission: refused (``retry_after`` seconds) or let in."""

    retry_after: int | None = None
    suspect: bool = False


def _setting(name: str) -> str:
    return str(current_app.config[name])


def admit(desk_id: int, *, tablet_id: int | None = None) -> Admission:
    """Count a submission at a resolved desk (from an enrolled tablet, for a kiosk)."""
    outcome = Admission()
    if not limiter.enabled:
        return outcome
    address = request.remote_addr or "-"
    if tablet_id is not None:
        limits = [("kiosk", _setting("RATELIMIT_KIOSK"), f"tablet|{tablet_id}")]
    else:
        browser = formtoken.browser_of(request.cookies) or "-"
        limits = [("browser", _setting("RATELIMIT_SUBMIT"), f"browser|{desk_id}|{browser}"),
                  ("address", _setting("RATELIMIT_ADDRESS"), f"address|{desk_id}|{address}")]
    limits.append(("desk", _setting("RATELIMIT_DESK"), f"desk|{desk_id}"))
    try:
        for scope, text, key in limits:
            wait = _hit(scope, text, key)
            if wait is not None:
                outcome.retry_after = wait
                return outcome
        if tablet_id is None:
            outcome.suspect = _hit("suspect", _setting("RATELIMIT_SUSPECT"), f"suspect|{desk_id}|{address}") is not None
    except StorageError as exc:
        current_app.logger.warning("rate-limit store unavailable, submission let through: %s",
                                   type(exc.storage_error).__name__)
        return Admission()
    return outcome


def _hit(scope: str, text: str, key: str) -> int | None:
    """Increment one counter; None if within its limit, else the seconds until it frees a place."""
    item = _item(text)
    identifiers = (limiter._key_prefix, key, scope) if limiter._key_prefix else (key, scope)
    if limiter.limiter.hit(item, *identifiers):
        return None
    reset = limiter.limiter.get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset - time.time()))


def record_suspect(session: Session, desk_id: int) -> None:
    """Count one accepted submission as a stuffing signal for the desk and today; the caller commits."""
    day = today_utc()
    for _attempt in range(2):
        changed = session.execute(
            update(StuffingSignal).where(StuffingSignal.service_point_id == desk_id, StuffingSignal.day == day)
            .values(submissions=StuffingSignal.submissions + 1), execution_options={"synchronize_session": False})
        if getattr(changed, "rowcount", 0) == 1:
            return
        try:
            with session.begin_nested():  # a lost race undoes only this row (after the UPDATE: inside BEGIN on SQLite)
                session.add(StuffingSignal(service_point_id=desk_id, day=day, submissions=1))
            return
        except IntegrityError:  # another worker created today's row first: add to it
            pass
