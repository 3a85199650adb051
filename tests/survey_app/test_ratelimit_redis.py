"""Several app servers share rate-limit counters through Redis (SURVEY_RATELIMIT_STORAGE_URL)."""

from __future__ import annotations

import socket
import uuid

import pytest

from survey_app import create_app
from tests.conftest import QUESTIONNAIRE_DIR
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
