"""Connections that die under the app (a PostgreSQL restart): noticed, replaced, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from survey_app import db as db_module
from survey_app.models import Response
from survey_app.respondent import resolve
from tests.survey_app.respondent.test_desk_survey import VALID, open_form


@pytest.fixture
def postgres(session):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("dropping a server's connections from under the pool is a PostgreSQL test")
    return session


def kill_other_connections(session) -> int:  # type: ignore[no-untyped-def]
    """What a database restart does to the app's pooled connections (the test's own survives)."""
    killed = session.scalar(text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    session.commit()
    return int(killed)


def test_a_submission_on_a_dead_connection_is_stored_once(app, client, postgres, demo):
    app.config["RESOLVE_CACHE_SECONDS"] = 60  # as in production: the page view needs no query
    resolve.clear()
    try:
        _, hidden = open_form(client)
        assert kill_other_connections(postgres) >= 1
        assert client.post("/q/demo", data={**VALID, **hidden}).status_code == 303
        assert client.post("/q/demo", data={**VALID, **hidden}).status_code == 303  # resent: not stored again
    finally:
        resolve.clear()
    postgres.expire_all()
    assert postgres.scalar(select(func.count()).select_from(Response)) == 1


def test_an_idle_connection_is_checked_and_replaced(client, postgres, demo, monkeypatch):
    client.get("/q/demo")
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    assert kill_other_connections(postgres) >= 1
    assert client.get("/q/demo").status_code == 200


def test_a_connection_that_dies_in_use_gives_one_clear_page_then_the_pool_is_renewed(client, postgres, demo):
    client.get("/q/demo")
    assert kill_other_connections(postgres) >= 1
    failed = client.get("/q/demo")  # in steady use, so not pinged: the query fails
    assert failed.status_code == 503 and "thử lại" in failed.get_data(as_text=True)
    assert failed.headers["Retry-After"] == "30"
    assert client.get("/q/demo").status_code == 200
