"""Conditional UPDATEs of one invitation row, each its own committed transaction.

Sending and reminding change an invitation only if it is still what they last
saw; these helpers run such an UPDATE and commit (or roll back). An exception to
"the caller commits", for the mail jobs only: a claim must be durable before its
email goes out, and an email sent cannot be rolled back with a later failure.
"""

from __future__ import annotations

from sqlalchemy import CursorResult, Update
from sqlalchemy.orm import Session


def claim(session: Session, statement: Update) -> bool:
    """Run a conditional UPDATE; commit and return True if it changed exactly one row."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    claimed = isinstance(result, CursorResult) and result.rowcount == 1
    if claimed:
        session.commit()
    else:
        session.rollback()
    return claimed


def record(session: Session, statement: Update) -> None:
    """Run an UPDATE and commit, whether or not it changed a row."""
    session.execute(statement, execution_options={"synchronize_session": False})
    session.commit()


def rowcount(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0
