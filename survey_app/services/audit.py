"""Audit log of staff actions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey_app.models import AuditEntry, StaffUser


TARGET_LENGTH = 200  # the column's; an uploaded file's name can be longer (PostgreSQL refused the row)


def record(session: Session, user: StaffUser | None, action: str, target: str = "",
           **detail: object) -> None:
    """Add an audit entry to the session; the caller's commit makes it durable with the change.

    The target is cut to the column's length and cleaned of NUL, so what a user
    typed or named can never make the audit row, and with it the change, fail.
    """
    target = str(target).replace("\x00", "")
    if len(target) > TARGET_LENGTH:
        target = target[: TARGET_LENGTH - 1] + "…"
    session.add(AuditEntry(user_id=user.id if user else None, action=action, target=target, detail=detail))
