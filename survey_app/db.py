"""The database handle: one SQLAlchemy engine and a request-scoped session.

We use plain SQLAlchemy 2 (not Flask-SQLAlchemy) so that the same models serve
the web app, the CLI, Alembic and the tests without an application context.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
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


# A pooled connection returned longer ago than this is pinged before it is handed
# out again; one in steady use is trusted (see make_engine).
IDLE_PING_SECONDS = 5.0


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each backend needs.

    SQLite gets foreign keys switched on and a busy timeout, so concurrent writers
    wait instead of failing. PostgreSQL connections are checked before reuse
    when they have been idle for IDLE_PING_SECONDS: a server restarted while the
    app was quiet is noticed on checkout rather than as an error page. Under load
    every connection comes back within milliseconds, and pinging each checkout
    (``pool_pre_ping``) cost a round trip per request; a connection that died in
    use fails its statement instead, SQLAlchemy then renews the whole pool, and
    the one statement that must not fail, storing a response, is retried
    (services.submission).
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
    engine = create_engine(url, pool_size=10, max_overflow=5)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
            return  # new, or in steady use
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            # The pool drops this connection and checks out another (or a new one).
            raise DisconnectionError(f"idle connection is gone: {type(exc).__name__}") from exc
