"""Audit log of staff actions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import AuditEntry, StaffUser


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    older: int | None  # the ``before`` of the next page back, None at the oldest


def page(session: Session, *, before: int | None = None, action: str = "", size: int = 100) -> AuditPage:
    """A page of the log, newest first: entries older than ``before``, of actions starting with ``action``."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(size)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action[:60], autoescape=True))
    entries = list(session.scalars(stmt))
    return AuditPage(entries, entries[-1].id if len(entries) == size else None)


TARGET_LENGTH = 200  # the column's; an uploaded file's name can be longer (PostgreSQL refused the row)


def record(session: Session, user: StaffUser | None, action: str, target: str = "",
           **detail: object) -> None:
    """Add an audit entry to the session; the caller's commit makes it durable with the change."""
    session.add(entry(user, action, target, **detail))


def entry(user: StaffUser | None, action: str, target: str = "", **detail: object) -> AuditEntry:
    """An audit entry not yet in any session: for ``Submission.also_insert``, so that it is stored
    exactly when the response is.

    The target is cut to the column's length and cleaned of NUL, so what a user
    typed or named can never make the audit row, and with it the change, fail.
    """
    target = str(target).replace("\x00", "")
    if len(target) > TARGET_LENGTH:
        target = target[: TARGET_LENGTH - 1] + "…"
    return AuditEntry(user_id=user.id if user else None, action=action, target=target, detail=detail)
