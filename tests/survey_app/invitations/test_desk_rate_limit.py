"""The public desk QR keeps working alongside links and slips, rate-limited per desk and phone.

The test configuration turns rate limiting off; here it is on, as in production.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.models import Response, ServicePoint
from tests.conftest import QUESTIONNAIRE_DIR
from tests.factories import form_field
from tests.survey_app.respondent.test_desk_survey import VALID, open_form

PHONE, OTHER_PHONE = {"REMOTE_ADDR": "203.0.113.5"}, {"REMOTE_ADDR": "203.0.113.6"}


@pytest.fixture
def limited(app, database_url):  # type: ignore[no-untyped-def]
    """A second app on the same database, with RATELIMIT_ENABLED and three answers an hour."""
    return create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
                       "RATELIMIT_ENABLED": True, "RATELIMIT_SUBMIT": "3 per hour",
                       "RATELIMIT_STORAGE_URI": "memory://"})


def post(client, code: str, environ: dict[str, str]):  # type: ignore[no-untyped-def]
    _, hidden = open_form(client, code)
    return client.post(f"/q/{code}", data={**VALID, **hidden}, environ_base=environ)


def test_one_phone_cannot_stuff_one_desk(limited, session, demo):
    assert limited.config["RATELIMIT_ENABLED"] is True
    other_desk = session.scalars(select(ServicePoint.code).where(ServicePoint.code != "demo")).first()
    client = limited.test_client()
    statuses = [post(client, "demo", PHONE).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    refused = post(client, "demo", PHONE)
    assert refused.status_code == 429 and "Vui lòng chờ" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"] == "3600"  # the limit's window: "3 per hour" in this test
    assert post(client, "demo", OTHER_PHONE).status_code == 303  # another phone at the same desk
    assert post(client, other_desk, PHONE).status_code == 303  # the same phone at another desk
    session.expire_all()
    channels = dict(session.execute(select(Response.channel, func.count()).group_by(Response.channel)).all())
    assert channels == {"qr": 5}  # marked with their channel, so analysis can compare or exclude them


def test_survey_pages_are_never_limited(limited, session, demo):
    """Only POST /q/<code> carries the per-desk limit: reading the form is free."""
    client = limited.test_client()
    for _ in range(6):
        assert client.get("/q/demo", environ_base=PHONE).status_code == 200


def test_limiter_runs_only_where_a_view_declares_a_limit(limited):
    """init_limiter takes Flask-Limiter's per-request hooks out; that is right only while
    no limit deducts conditionally and no rate-limit headers are asked for."""
    from survey_app.extensions import limiter

    groups = [group for groups in limiter.limit_manager._decorated_limits.values() for group in groups]
    assert groups and all(group.deduct_when is None for group in groups)
    assert not limited.config["RATELIMIT_HEADERS_ENABLED"]
    hooks = [*limited.before_request_funcs.get(None, []), *limited.after_request_funcs.get(None, []),
             *limited.teardown_request_funcs.get(None, [])]
    assert not any(getattr(hook, "__self__", None) is limiter or limiter in getattr(hook, "args", ()) for hook in hooks)


def test_answers_are_accepted_when_the_counter_store_is_down(app, database_url, session, demo, caplog):
    down = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
                       "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    client = down.test_client()
    _, hidden = open_form(client)
    assert client.post("/q/demo", data={**VALID, **hidden}, environ_base=PHONE).status_code == 303
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert "rate-limit store unavailable" in caplog.text and "203.0.113.5" not in caplog.text


def test_the_kiosk_has_its_own_higher_limit(app, database_url, session, demo):
    kiosk_app = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url,
                            "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR), "RATELIMIT_ENABLED": True,
                            "RATELIMIT_SUBMIT": "1 per hour", "RATELIMIT_KIOSK": "2 per hour",
                            "RATELIMIT_STORAGE_URI": "memory://"})
    session.scalars(select(ServicePoint).where(ServicePoint.code == "demo")).one().kiosk_enabled = True
    session.commit()
    tablet = kiosk_app.test_client()

    def answer(path: str) -> int:
        html = tablet.get(path).get_data(as_text=True)
        return tablet.post(path, data={**VALID, "form_token": form_field(html, "form_token")},
                           environ_base=PHONE).status_code

    assert [answer("/k/demo") for _ in range(3)] == [303, 303, 429]
    assert answer("/q/demo") == 303  # the desk QR's counter is another one
