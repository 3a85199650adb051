"""Audit log of staff actions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey_app.models import AuditEntry, StaffUser


def record(session: Session, user: StaffUser | None, action: str, target: str = "",
           **detail: object) -> None:
    """Add an audit entry to the session; the caller's commit makes it durable with the change."""
    session.add(AuditEntry(user_id=user.id if user else None, action=action, target=target, detail=detail))
