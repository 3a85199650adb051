"""The public desk QR keeps working alongside links and slips, rate-limited per desk, browser and address.

The test configuration turns rate limiting off; here it is on, as in production.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.models import Response, ServicePoint, StuffingSignal
from tests.conftest import QUESTIONNAIRE_DIR
from tests.factories import enrol_tablet, form_field
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
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Vui lòng chờ" in html
    assert 0 < int(refused.headers["Retry-After"]) <= 3600  # when this counter frees a place ("3 per hour")
    assert "phút" in html and html.count(" checked") >= 20  # every answer still on the page
    assert post(limited.test_client(), "demo", PHONE).status_code == 303  # another phone behind the same address
    assert post(client, other_desk, PHONE).status_code == 303  # the same phone at another desk
    session.expire_all()
    channels = dict(session.execute(select(Response.channel, func.count()).group_by(Response.channel)).all())
    assert channels == {"qr": 5}  # marked with their channel, so analysis can compare or exclude them


def test_spellings_of_a_desk_code_share_one_allowance(limited, session, demo):
    """The limit keys on the resolved desk, not on the code as typed (/q/DEMO, /q/Demo...)."""
    client = limited.test_client()
    statuses = [post(client, code, PHONE).status_code for code in ("demo", "DEMO", "Demo", "dEmO")]
    assert statuses == [303, 303, 303, 429]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Response)) == 3


def test_many_phones_behind_one_address_are_all_stored_up_to_a_ceiling(app, database_url, session, demo):
    """Carrier NAT / office Wi-Fi: the per-address ceiling is generous; beyond the suspicion level the
    answers are stored but counted for the dashboard's data-quality flags."""
    nat = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
                      "RATELIMIT_ENABLED": True, "RATELIMIT_SUBMIT": "1 per hour", "RATELIMIT_ADDRESS": "12 per hour",
                      "RATELIMIT_SUSPECT": "8 per hour", "RATELIMIT_STORAGE_URI": "memory://"})
    statuses = [post(nat.test_client(), "demo", PHONE).status_code for _ in range(13)]
    assert statuses == [303] * 12 + [429]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Response)) == 12
    assert session.scalar(select(StuffingSignal.submissions)) == 4  # the 9th to 12th, flagged not dropped
    assert post(nat.test_client(), "demo", OTHER_PHONE).status_code == 303  # another address is unaffected


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
    enrol_tablet(tablet, session, "demo")

    def answer(path: str) -> int:
        html = tablet.get(path).get_data(as_text=True)
        return tablet.post(path, data={**VALID, "form_token": form_field(html, "form_token")},
                           environ_base=PHONE).status_code

    assert [answer("/k/demo") for _ in range(3)] == [303, 303, 429]
    assert answer("/q/demo") == 303  # the desk QR's counter is another one


def test_suspected_stuffing_is_on_the_dashboard_flags(app, database_url, session, demo, staff_client):
    nat = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
                      "RATELIMIT_ENABLED": True, "RATELIMIT_SUSPECT": "2 per hour", "RATELIMIT_STORAGE_URI": "memory://"})
    assert [post(nat.test_client(), "demo", PHONE).status_code for _ in range(5)] == [303] * 5
    html = staff_client.get(f"/admin/rounds/{demo.id}/dashboard").get_data(as_text=True)
    section = html.split("Nghi vấn gửi phiếu hàng loạt", 1)[1]
    assert '<span class="code">demo</span>' in section.split("</table>", 1)[0]
    assert '<td class="num">3</td>' in section.split("</table>", 1)[0]
