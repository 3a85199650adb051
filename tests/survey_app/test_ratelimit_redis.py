"""Several app servers share rate-limit counters through Redis (SURVEY_RATELIMIT_STORAGE_URL)."""

from __future__ import annotations

import socket
import uuid

import pytest
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.models import Response
from survey_app.respondent import formtoken
from tests.conftest import QUESTIONNAIRE_DIR
from tests.factories import enrol_tablet, form_field
from tests.survey_app.respondent.test_desk_survey import VALID, open_form

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_desk_limit_holds_across_two_servers(app, demo, database_url):
    def server():
        return create_app({
            "ENV_NAME": "testing", "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
            "RATELIMIT_ENABLED": True, "RATELIMIT_DESK": "3 per hour",  # the desk's counter, shared
            "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/14",
            # A fresh key space per run, so earlier runs do not count.
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        })

    first, second = server().test_client(), server().test_client()
    statuses = []
    for client in (first, second, first, second):
        _, hidden = open_form(client)
        statuses.append(client.post("/q/demo", data={**VALID, **hidden}).status_code)
    assert statuses == [303, 303, 303, 429]
    refused = second.post("/q/demo", data={**VALID, **open_form(second)[1]})
    assert refused.status_code == 429 and "Vui lòng chờ" in refused.get_data(as_text=True)


# --- One round trip per submission, and what it counts (respondent/ratelimit.py) -----------------

REDIS_URL = "redis://127.0.0.1:6379/5"
needs_redis = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
PHONE = {"REMOTE_ADDR": "203.0.113.5"}


def _limited_app(database_url: str, monkeypatch: pytest.MonkeyPatch, **limits: str):  # type: ignore[no-untyped-def]
    from survey_app.extensions import limiter

    app = create_app({
        "ENV_NAME": "testing", "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URL": REDIS_URL, **limits,
    })
    # Flask-Limiter keeps the first app's key prefix for good: a fresh key space per test.
    monkeypatch.setattr(limiter, "_key_prefix", f"test-{uuid.uuid4().hex}")
    return app


def _redis_count(app, scope: str, key: str, setting: str) -> int:  # type: ignore[no-untyped-def]
    """A counter's value in Redis, read with redis-py (not through our code)."""
    from limits import parse

    from survey_app.extensions import limiter

    item = parse(app.config[setting])
    storage = limiter.limiter.storage
    raw = storage.get_connection().get(storage.prefixed_key(item.key_for(limiter._key_prefix, key, scope)))
    return int(raw or 0)


def _count_commands(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The commands sent to the rate-limit Redis from now on (each one a round trip)."""
    from survey_app.extensions import limiter

    connection = limiter.limiter.storage.get_connection()
    commands: list[object] = []
    real = connection.execute_command

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        commands.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(connection, "execute_command", counted)
    return commands


@needs_redis
def test_a_desk_submission_costs_one_redis_round_trip(app, demo, database_url, monkeypatch):
    limited = _limited_app(database_url, monkeypatch)
    client = limited.test_client()
    _, hidden = open_form(client)
    assert client.post("/q/demo", data={**VALID, **hidden}, environ_base=PHONE).status_code == 303  # script loaded
    commands = _count_commands(monkeypatch)
    _, hidden = open_form(client)
    assert commands == []  # showing the form counts nothing
    assert client.post("/q/demo", data={**VALID, **hidden}, environ_base=PHONE).status_code == 303
    assert commands == ["EVALSHA"]  # browser, address, desk and suspicion counters: one round trip


@needs_redis
def test_a_refused_submission_consumes_no_allowance_on_redis(app, demo, database_url, session, monkeypatch):
    from survey_app.models import ServicePoint, StuffingSignal

    limited = _limited_app(database_url, monkeypatch, RATELIMIT_SUBMIT="2 per hour", RATELIMIT_ADDRESS="3 per hour",
                           RATELIMIT_DESK="10 per minute", RATELIMIT_SUSPECT="1 per hour")
    desk = session.scalars(select(ServicePoint).where(ServicePoint.code == "demo")).one()
    phone = limited.test_client()
    statuses = []
    for _ in range(3):
        _, hidden = open_form(phone)
        statuses.append(phone.post("/q/demo", data={**VALID, **hidden}, environ_base=PHONE))
    assert [r.status_code for r in statuses] == [303, 303, 429]  # the browser's limit
    assert 3500 < int(statuses[-1].headers["Retry-After"]) <= 3600  # the browser counter's reset, not the desk's
    address = f"address|{desk.id}|203.0.113.5"
    assert _redis_count(limited, "address", address, "RATELIMIT_ADDRESS") == 2  # the refused one not counted
    assert _redis_count(limited, "desk", f"desk|{desk.id}", "RATELIMIT_DESK") == 2

    other = limited.test_client()  # another phone behind the same address
    _, hidden = open_form(other)
    assert other.post("/q/demo", data={**VALID, **hidden}, environ_base=PHONE).status_code == 303
    _, hidden = open_form(other)
    refused = other.post("/q/demo", data={**VALID, **hidden}, environ_base=PHONE)
    assert refused.status_code == 429  # the address's limit (3), its browser has one left
    browser = other.get_cookie(formtoken.BROWSER_COOKIE).value
    assert _redis_count(limited, "browser", f"browser|{desk.id}|{browser}", "RATELIMIT_SUBMIT") == 1  # not consumed
    assert _redis_count(limited, "desk", f"desk|{desk.id}", "RATELIMIT_DESK") == 3
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Response)) == 3
    # Beyond RATELIMIT_SUSPECT (1) the 2nd and 3rd were accepted and flagged.
    assert session.scalar(select(StuffingSignal.submissions)) == 2


@needs_redis
def test_the_kiosk_counts_its_tablet_and_desk_in_one_round_trip(app, demo, database_url, session, monkeypatch):
    from survey_app.models import ServicePoint

    limited = _limited_app(database_url, monkeypatch, RATELIMIT_KIOSK="2 per hour", RATELIMIT_DESK="5 per hour")
    desk = session.scalars(select(ServicePoint).where(ServicePoint.code == "demo")).one()
    desk.kiosk_enabled = True
    session.commit()
    tablet = limited.test_client()
    enrol_tablet(tablet, session, "demo")

    def answer() -> int:
        html = tablet.get("/k/demo").get_data(as_text=True)
        return tablet.post("/k/demo", data={**VALID, "form_token": form_field(html, "form_token")},
                           environ_base=PHONE).status_code

    assert answer() == 303
    commands = _count_commands(monkeypatch)
    assert [answer() for _ in range(2)] == [303, 429]
    assert commands == ["EVALSHA", "EVALSHA"]  # tablet and desk counters: one round trip a submission
    assert _redis_count(limited, "desk", f"desk|{desk.id}", "RATELIMIT_DESK") == 2


@pytest.mark.parametrize("url", [pytest.param("memory://", id="memory"),
                                 pytest.param(REDIS_URL, id="redis", marks=needs_redis)])
def test_check_then_count_is_the_same_in_memory_and_in_redis(url):
    """The in-memory path and the Lua script give the same answers for the same cases."""
    from limits.storage import storage_from_string

    from survey_app.respondent.ratelimit import Counter, count_submission

    storage = storage_from_string(url, wrap_exceptions=True)
    run = uuid.uuid4().hex
    first, second = Counter(f"{run}/first", 2, 3600), Counter(f"{run}/second", 3, 60)
    also = Counter(f"{run}/also", 1, 3600)
    try:
        assert count_submission(storage, [first, second], also) == (None, 1)
        assert count_submission(storage, [first, second], also) == (None, 2)  # beyond ``also``'s limit: counted
        retry_after, _ = count_submission(storage, [first, second], also)
        assert 3590 <= retry_after <= 3600  # refused by ``first``: its reset
        assert (storage.get(first.key), storage.get(second.key), storage.get(also.key)) == (2, 2, 2)
        # Refused by the second limit: the first is not consumed.
        roomy, tight = Counter(f"{run}/roomy", 5, 3600), Counter(f"{run}/tight", 1, 60)
        assert count_submission(storage, [roomy, tight], None) == (None, 0)
        retry_after, _ = count_submission(storage, [roomy, tight], None)
        assert 50 <= retry_after <= 60  # the tight counter's reset, not the roomy one's
        assert (storage.get(roomy.key), storage.get(tight.key)) == (1, 1)
    finally:
        for key in (first, second, also, Counter(f"{run}/roomy", 0, 0), Counter(f"{run}/tight", 0, 0)):
            storage.clear(key.key)


def test_another_strategy_is_refused_at_start(database_url):
    with pytest.raises(RuntimeError, match="fixed-window"):
        create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
                    "RATELIMIT_ENABLED": True, "RATELIMIT_STRATEGY": "moving-window"})
