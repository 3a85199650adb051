"""Scrubbing what the database engine itself remembers (see :func:`scrub`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, or_, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from survey_app.models import Invitation, Round, UsedSlipCode, today_utc
from survey_app.services.invitations.rows import rowcount


@dataclass(frozen=True)
class ScrubReport:
    drafts_erased: int
    invitations_restamped: int
    slip_codes_rewritten: int


class ScrubBusy(Exception):
    """Another transaction held the tables longer than the lock timeout; nothing was changed."""


def scrub(session: Session, today: date | None = None, lock_timeout_ms: int = 5000) -> ScrubReport:
    """Remove traces that could join a response to an invitation or a slip code.

    Run daily (cron) and when a round closes. The schema keeps no link, but the
    engines keep two of their own:

    * PostgreSQL stamps every row with the id of the transaction that wrote it
      (``xmin``): a completed invitation and its response share one until the
      invitation is written again. We rewrite all completed invitations, and
      all used slip codes, in one transaction, so they share a single id.
    * Rows are stored in the order they were written (PostgreSQL ``ctid``,
      SQLite ``rowid`` of the used-slip-code table), so the n-th completion
      could be matched with the n-th response. We rewrite both tables in key
      order (``CLUSTER`` on PostgreSQL, delete and re-insert in hash order on
      SQLite) and, on SQLite, checkpoint the write-ahead log.

    Drafts of rounds that have closed are erased too: a draft is the one
    place where answers sit next to an address, and after the close nobody
    can send them any more.

    ``CLUSTER`` locks both tables while it rewrites them (milliseconds for
    thousands of rows) and must wait for transactions that are reading them;
    ``lock_timeout`` bounds that wait, so a forgotten open transaction makes
    the scrub fail (ScrubBusy, retry later) instead of stalling the survey
    pages queued behind it.
    """
    try:
        return _scrub(session, today or today_utc(), lock_timeout_ms)
    except OperationalError as exc:
        session.rollback()
        raise ScrubBusy(f"the invitation tables are in use: {type(exc.orig).__name__}") from exc


def _scrub(session: Session, today: date, lock_timeout_ms: int) -> ScrubReport:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))
    closed = select(Round.id).where(or_(Round.status == "closed", Round.closes_on < today))
    erased = session.execute(
        update(Invitation).where(Invitation.round_id.in_(closed), Invitation.draft.is_not(None))
        .values(draft=None, opened_at=None), execution_options={"synchronize_session": False})
    restamped = session.execute(
        update(Invitation).where(Invitation.status == "completed").values(status="completed", opened_at=None),
        execution_options={"synchronize_session": False})
    codes = _rewrite_slip_codes(session)
    if dialect == "postgresql":
        session.execute(text("CLUSTER invitations USING pk_invitations"))
        session.execute(text("CLUSTER used_slip_codes USING pk_used_slip_codes"))
    # Exception to "the caller commits": the rewrite must be committed before SQLite's checkpoint
    # can drop the old pages of the write-ahead log. Nothing here is audited.
    session.commit()
    if dialect == "sqlite":
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        session.commit()
    return ScrubReport(rowcount(erased), rowcount(restamped), codes)


def _rewrite_slip_codes(session: Session) -> int:
    rows = session.execute(select(UsedSlipCode.code_hash, UsedSlipCode.round_id, UsedSlipCode.used_on)
                           .order_by(UsedSlipCode.code_hash)).all()
    if not rows:
        return 0
    table = cast(Table, UsedSlipCode.__table__)
    session.execute(table.delete())
    session.execute(table.insert(),
                    [{"code_hash": h, "round_id": r, "used_on": d} for h, r, d in rows])
    return len(rows)
