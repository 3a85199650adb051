"""Shared fixtures: a migrated database (SQLite, or PostgreSQL via SURVEY_TEST_DATABASE_URL),
the app, a test client, a session, the demo district and a signed-in staff client.

The database is migrated once per test session with Alembic (as in production)
and emptied after each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from analysis.native import one_blas_thread

one_blas_thread()  # as in production (wsgi.py, python -m analysis), before NumPy is loaded

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from survey_app import create_app
from survey_app.cli import alembic_config
from survey_app.extensions import db
from survey_app.models import Base, Round
from tests.factories import login, make_user

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE_DIR = ROOT / "questionnaires"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    from alembic import command

    url = os.environ.get("SURVEY_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    command.upgrade(alembic_config(url), "head")
    return url


def _empty_tables(app: Flask) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE TABLE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app({
        "ENV_NAME": "testing",
        "DATABASE_URL": database_url,
        "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
        "BASE_URL": "http://localhost",
    })
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        _empty_tables(app)
    db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session for the test itself, with no application context held open.

    Holding a context open would make every test-client request reuse it and its
    ``g``: one request-scoped database session and Flask-WTF's cached CSRF token
    for all simulated browsers. Each request must get its own, as in production.
    """
    with db.new_session() as session:
        yield session


@pytest.fixture
def demo(app: Flask, session: Session) -> Round:
    """The seed district with its open round (`flask demo load --district`; `make run` loads the province)."""
    from sqlalchemy import select

    from survey_app.services.demo import ROUND_NAME, load_demo

    load_demo(session, QUESTIONNAIRE_DIR, district=True)
    session.commit()
    return session.scalar(select(Round).where(Round.name == ROUND_NAME))


@pytest.fixture
def staff_client(app: Flask, session: Session, demo: Round) -> FlaskClient:
    """A client signed in as an administrator."""
    user = make_user(session, "admin")
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client
