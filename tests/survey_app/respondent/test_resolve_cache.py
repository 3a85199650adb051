"""The short per-process cache of desk -> round -> questionnaire."""

from __future__ import annotations

import pytest

from survey_app.models import Round
from survey_app.respondent import resolve
from tests.survey_app.respondent.test_desk_survey import VALID, open_form


@pytest.fixture
def cached(app):
    app.config["RESOLVE_CACHE_SECONDS"] = 60
    resolve.clear()
    yield app
    resolve.clear()


def test_cached_desk_serves_pages_and_submissions(cached, client, session, demo):
    for _ in range(3):
        _, hidden = open_form(client)
        assert client.post("/q/demo", data={**VALID, **hidden}).status_code == 303
    assert len(resolve._cache) == 1


def test_closing_a_round_is_seen_when_the_entry_expires(cached, client, session, demo):
    open_form(client)
    round_ = session.get(Round, demo.id)
    round_.status = "closed"
    session.commit()
    assert client.get("/q/demo").status_code == 200  # still within the cache period
    resolve.clear()  # what expiry does after RESOLVE_CACHE_SECONDS
    assert client.get("/q/demo").status_code == 410


def test_unknown_codes_are_not_cached(cached, client, demo):
    for i in range(20):
        assert client.get(f"/q/nope{i}").status_code == 404
    assert resolve._cache == {}
