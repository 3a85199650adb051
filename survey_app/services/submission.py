"""Storing a response exactly once.

A respondent's form carries a random nonce. The nonce's hash and the response
are inserted in one transaction; the primary key on the hash makes a second
submission of the same form (reload, double tap, replay, two at once) fail
inside the database, which is the only place that can decide it under
concurrency. The nonce table has no link to the response.

One-time links and codes add their own conditions to the same transaction:
``also_insert`` rows whose unique keys must hold (a used slip code), and
``guards``, conditional UPDATEs that must each change exactly one row (an
invitation moving to ``completed`` only if it was not completed already). Two
concurrent submissions of one link therefore give one response: the second
UPDATE waits for the first transaction's row lock, then finds nothing to change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlalchemy import CursorResult, Engine, Executable, Table, bindparam, insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from survey_app.models import Response, SubmissionNonce
from survey_app.models.response import new_response_id

_NONCES = cast(Table, SubmissionNonce.__table__)
_INSERT_NONCE = insert(_NONCES)
_INSERT_RESPONSE = insert(cast(Table, Response.__table__))
# On PostgreSQL both rows go in one statement (a data-modifying WITH), all or
# nothing on its own: a repeated nonce fails the whole statement.
_INSERT_BOTH = _INSERT_RESPONSE.add_cte(
    insert(_NONCES)
    .values(nonce_hash=bindparam("nonce_hash"), used_on=bindparam("used_on"))
    .cte("nonce")
)


@dataclass(frozen=True)
class Submission:
    round_id: int
    group_code: str
    unit_id: int
    channel: str
    version_id: int
    answers: Mapping[str, object]
    nonce: str
    submitted_on: date
    service_point_id: int | None = None
    duration_seconds: int | None = None
    # Extra rows to insert in the same transaction (a used slip code, say),
    # whose unique keys must also hold for the response to be stored.
    also_insert: tuple[object, ...] = field(default=())
    # Conditional UPDATEs run first in the same transaction; each must change
    # exactly one row, or nothing is stored (see the module docstring).
    guards: tuple[Executable, ...] = field(default=())


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def store_response(session: Session, submission: Submission) -> bool:
    """Store the response; return False if this form was already submitted.

    The caller's session must have no pending work: we commit or roll back here, the one
    service that does (a duplicate is found by the database refusing the nonce, and the caller
    needs the answer committed). An audit entry goes in ``also_insert`` (``audit.entry``), so
    it is stored exactly when the response is.
    Guards run before the inserts so that, on SQLite too, the transaction takes
    its write lock on them and a concurrent twin waits instead of racing.
    """
    for guard in submission.guards:
        result = session.execute(guard, execution_options={"synchronize_session": False})
        if not isinstance(result, CursorResult) or result.rowcount != 1:
            session.rollback()
            return False
    nonce = {"nonce_hash": nonce_hash(submission.nonce), "used_on": submission.submitted_on}
    response = {
        "id": new_response_id(),
        "round_id": submission.round_id,
        "group_code": submission.group_code,
        "unit_id": submission.unit_id,
        "service_point_id": submission.service_point_id,
        "channel": submission.channel,
        "questionnaire_version_id": submission.version_id,
        "submitted_on": submission.submitted_on,
        "duration_seconds": submission.duration_seconds,
        "answers": submission.answers,
    }
    bind = session.get_bind()
    try:
        plain = not (submission.also_insert or submission.guards)
        if isinstance(bind, Engine) and bind.dialect.name == "postgresql" and plain:
            # The desk QR and kiosk path, most submissions: one atomic statement, run in
            # autocommit on a connection of its own. One round trip; no BEGIN, no COMMIT.
            _insert_once(bind, nonce | response)
            return True
        # Plain INSERTs, not the ORM's unit of work, in the session's transaction with
        # the guards and extra rows.
        if submission.also_insert:
            session.add_all(submission.also_insert)
            session.flush()
        session.execute(_INSERT_NONCE, nonce)
        session.execute(_INSERT_RESPONSE, response)
        session.commit()  # the one service that commits: see the docstring
    except IntegrityError:
        session.rollback()
        return False
    return True


def _insert_once(engine: Engine, row: dict[str, object]) -> None:
    """The nonce and the response in one statement, tried again once on a fresh connection
    if the pooled one turns out to be dead (a database restarted under load: see
    db.make_engine). Retrying is safe: if the first attempt was stored after all, the
    second meets its nonce and raises IntegrityError, "already submitted"."""
    for attempt in (1, 2):
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(_INSERT_BOTH, row)
            return
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
