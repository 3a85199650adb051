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

All the counters of one submission are checked and counted together, in one
round trip to Redis (a Lua script, ``_ADMIT_LUA``): first every limit is
checked, and only if none is full is each counter (and the suspicion counter)
incremented. A refused attempt therefore consumes no allowance at all, neither
of the counter that refused nor of the others. The counters are Flask-Limiter's
fixed windows, under the keys ``limits`` gives them (a counter's window starts
with its first hit and lasts the limit's period), in the storage Flask-Limiter
was configured with (Redis when several servers run). Any other storage
(``memory://`` for tests and a single process) is counted with the same
check-then-increment rule through the ``limits`` storage API, under a lock.

If the counter store cannot be reached, the answer is accepted and the failure
logged: losing a citizen's answer is worse than a minute without a limit. The
address and browser live only in the limiter's short-lived counters, never next
to a response.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from weakref import WeakKeyDictionary

from flask import current_app, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import RedisClusterStorage, RedisStorage, Storage
from redis.commands.core import Script
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


@dataclass(frozen=True)
class Counter:
    """One fixed-window counter: its storage key (without the storage's prefix), limit and window."""

    key: str
    amount: int
    expiry: int


def _counter(scope: str, setting: str, key: str) -> Counter:
    item = _item(str(current_app.config[setting]))
    identifiers = (limiter._key_prefix, key, scope) if limiter._key_prefix else (key, scope)
    return Counter(item.key_for(*identifiers), item.amount, item.get_expiry())


def admit(desk_id: int, *, tablet_id: int | None = None) -> Admission:
    """Count a submission at a resolved desk (from an enrolled tablet, for a kiosk)."""
    if not limiter.enabled:
        return Admission()
    address = request.remote_addr or "-"
    if tablet_id is not None:
        limits = [_counter("kiosk", "RATELIMIT_KIOSK", f"tablet|{tablet_id}")]
        suspect = None
    else:
        browser = formtoken.browser_of(request.cookies) or "-"
        limits = [_counter("browser", "RATELIMIT_SUBMIT", f"browser|{desk_id}|{browser}"),
                  _counter("address", "RATELIMIT_ADDRESS", f"address|{desk_id}|{address}")]
        suspect = _counter("suspect", "RATELIMIT_SUSPECT", f"suspect|{desk_id}|{address}")
    limits.append(_counter("desk", "RATELIMIT_DESK", f"desk|{desk_id}"))
    storage = limiter.limiter.storage
    try:
        retry_after, count = count_submission(storage, limits, suspect)
    except StorageError as exc:
        _store_unavailable(exc.storage_error)
        return Admission()
    except storage.base_exceptions as exc:  # the script's own call is not wrapped by ``limits``
        _store_unavailable(exc)
        return Admission()
    if retry_after is not None:
        return Admission(retry_after=retry_after)
    return Admission(suspect=suspect is not None and count > suspect.amount)


def _store_unavailable(error: BaseException) -> None:
    current_app.logger.warning("rate-limit store unavailable, submission let through: %s", type(error).__name__)


def count_submission(storage: Storage, limits: list[Counter], also: Counter | None) -> tuple[int | None, int]:
    """Check ``limits`` in order; if none is full, count one hit on each and on ``also``.

    Returns ``(retry_after, 0)`` when a limit is full (seconds until that counter's
    window ends; nothing counted), else ``(None, n)`` with ``also``'s count after
    this hit (0 without ``also``). One round trip on Redis.
    """
    counters = [*limits, *([also] if also is not None else [])]
    if isinstance(storage, RedisStorage) and not isinstance(storage, RedisClusterStorage):
        script = _scripts.get(storage)
        if script is None:
            script = _scripts[storage] = storage.get_connection().register_script(_ADMIT_LUA)
        args = [len(limits)] + [value for c in counters for value in (c.amount, c.expiry)]
        refused, value = script([storage.prefixed_key(c.key) for c in counters], args)
        return (max(1, int(value)), 0) if int(refused) else (None, int(value))
    # memory:// (and any storage without our script): the same rule, atomic within this process.
    with _lock:
        for c in limits:
            if storage.get(c.key) + 1 > c.amount:
                return max(1, math.ceil(storage.get_expiry(c.key) - time.time())), 0
        counts = [storage.incr(c.key, c.expiry) for c in counters]
    return None, counts[-1] if also is not None else 0


# KEYS: the limits' counters, then the counter counted only (if any). ARGV[1]: the
# number of limits; then each counter's limit and window (seconds). Returns
# {1, ttl} for the first full limit, or {0, count of the last key after the hit}.
_ADMIT_LUA = b"""
local limits = tonumber(ARGV[1])
for i = 1, limits do
  local count = tonumber(redis.call('get', KEYS[i]) or '0')
  if count + 1 > tonumber(ARGV[2 * i]) then
    return {1, redis.call('ttl', KEYS[i])}
  end
end
local count = 0
for i = 1, #KEYS do
  count = redis.call('incr', KEYS[i])
  if count == 1 then
    redis.call('expire', KEYS[i], ARGV[2 * i + 1])
  end
end
return {0, #KEYS > limits and count or 0}
"""
_scripts: WeakKeyDictionary[Storage, Script] = WeakKeyDictionary()
_lock = threading.Lock()


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
