"""The database handle: one SQLAlchemy engine and a request-scoped session.

We use plain SQLAlchemy 2 (not Flask-SQLAlchemy) so that the same models serve
the web app, the CLI, Alembic and the tests without an application context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


class Database:
    """Engine and session factory bound to one Flask app."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory: sessionmaker[Session] | None = None

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        if self.engine is not None:
            # A second app in one process (tests build several): close the pooled
            # connections of the engine being replaced instead of leaving them to the GC.
            self.engine.dispose()
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        app.extensions["survey_db"] = self
        app.teardown_appcontext(self._close_session)

    @property
    def session(self) -> Session:
        """The session of the current application context, created on first use."""
        if "db_session" not in g:
            assert self.session_factory is not None, "Database.init_app was not called"
            g.db_session = self.session_factory()
        return g.db_session

    @contextmanager
    def new_session(self) -> Iterator[Session]:
        """A session outside any request (CLI, background work)."""
        assert self.session_factory is not None, "Database.init_app was not called"
        with self.session_factory() as session:
            yield session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each backend needs.

    SQLite gets foreign keys switched on and a busy timeout, so concurrent writers
    wait instead of failing; PostgreSQL gets pre-ping so a restarted server is
    noticed on the next checkout rather than as an error page.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=5)
