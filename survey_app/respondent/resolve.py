"""Resolving a desk code to what its respondents answer today, with a short cache.

Every survey page and submission needs the desk, its unit, the open round and
the round's questionnaire version: four lookups that dominate the cost of a
request. They change rarely (staff open or close a round a few times a year),
so each process keeps the answer for RESOLVE_CACHE_SECONDS (30 s by default;
0 turns the cache off); the open round, the same for every desk, is kept once.
When an entry expires under load, one thread looks it up again and the others
asking for it meanwhile wait for that answer.
The objects are loaded fully and detached from their session, and are only
read afterwards. The rendered pages live in ``respondent.pagecache``, keyed by
``DeskSurvey.shown``, so an entry that expires keeps its pages as long as what
they show has not changed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from survey_app.models import QuestionnaireVersion, Round, ServicePoint
from survey_app.questionnaire import Questionnaire
from survey_app.respondent import pagecache
from survey_app.services.desks import find_desk
from survey_app.services.errors import NotFound
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.rounds import current_round, desk_version

MAX_ENTRIES = 2048


@dataclass(frozen=True)
class DeskSurvey:
    desk: ServicePoint
    round: Round
    version: QuestionnaireVersion
    questionnaire: Questionnaire
    # Everything of this entry that its rendered pages show or depend on (the
    # key of respondent.pagecache): a renamed desk or a new round is a new key.
    shown: tuple[object, ...] = ()


_cache: dict[tuple[str, date], tuple[float, DeskSurvey]] = {}
_rounds: dict[date, tuple[float, Round]] = {}
_loading: dict[tuple[str, date], threading.Lock] = {}  # an entry being looked up, by one thread
_lock = threading.Lock()


def resolve_desk(open_session: Callable[[], Session], code: str, today: date, ttl: float) -> DeskSurvey:
    """The desk's survey for today; raises NotFound or RoundNotOpen like the services it calls.

    ``open_session`` is called only on a cache miss: a cached page view opens no session.
    """
    key = (code.lower(), today)
    if ttl <= 0:
        return _look_up(open_session, code, today, ttl, key)
    hit = _cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    # One lookup per entry at a time: the threads that find it expired together wait for
    # the first one's answer instead of each running the same queries.
    with _lock:
        if len(_loading) >= MAX_ENTRIES:
            _loading.clear()
        gate = _loading.setdefault(key, threading.Lock())
    with gate:
        hit = _cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        return _look_up(open_session, code, today, ttl, key)


def _look_up(open_session: Callable[[], Session], code: str, today: date, ttl: float,
             key: tuple[str, date]) -> DeskSurvey:
    now = time.monotonic()
    session = open_session()
    desk = find_desk(session, code)
    round_ = _current_round(session, today, now, ttl)
    if not desk.unit.exists_between(round_.opens_on, round_.closes_on):
        # A unit merged away (2025) or not yet formed is not part of the round.
        raise NotFound(f"the unit of desk {code!r} does not exist during round {round_.name!r}")
    version = desk_version(session, round_)
    questionnaire = questionnaire_of(version)
    resolved = DeskSurvey(desk, round_, version, questionnaire, _shown(desk, round_, version, questionnaire))
    if ttl > 0:
        _detach(session, resolved)
        with _lock:
            if len(_cache) >= MAX_ENTRIES:
                _cache.clear()
            _cache[key] = (now + ttl, resolved)
            known = _rounds.get(today)
            if known is None or known[0] <= now:
                _rounds.clear()
                _rounds[today] = (now + ttl, resolved.round)
    return resolved


def _current_round(session: Session, today: date, now: float, ttl: float) -> Round:
    """The open round: the same for every desk, so looked up once per TTL for all of them
    (kept by resolve_desk once it is detached from the session that loaded it)."""
    hit = _rounds.get(today) if ttl > 0 else None
    if hit is not None and hit[0] > now:
        return hit[1]
    return current_round(session, today)


def _shown(desk: ServicePoint, round_: Round, version: QuestionnaireVersion,
           questionnaire: Questionnaire) -> tuple[object, ...]:
    """Everything of an entry that its rendered pages show or depend on."""
    unit = desk.unit
    return (desk.id, desk.code, desk.name_vi, desk.name_en, unit.id, unit.name_vi, unit.name_en,
            round_.id, version.id, questionnaire.content_hash)


def _detach(session: Session, resolved: DeskSurvey) -> None:
    """Detach the cached objects (all loaded already) from this request's session."""
    for obj in (resolved.desk, resolved.desk.unit, resolved.round, *resolved.round.questionnaires,
                *(link.version for link in resolved.round.questionnaires)):
        if obj in session:
            session.expunge(obj)


def clear() -> None:
    with _lock:
        _cache.clear()
        _rounds.clear()
        _loading.clear()
    pagecache.pages.clear()
    _urls.clear()


_urls: dict[tuple[str, str, str], str] = {}


def desk_url(endpoint: str, script_root: str, code: str, build: Callable[[], str]) -> str:
    """A desk page's address (its form, its thank-you page), built once per (endpoint,
    script root, code) rather than per request."""
    key = (endpoint, script_root, code)
    url = _urls.get(key)
    if url is None:
        url = build()
        with _lock:
            if len(_urls) >= MAX_ENTRIES:
                _urls.clear()
            _urls[key] = url
    return url
