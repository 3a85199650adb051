"""Counts and lists of invitations by status, for the console and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from survey_app.models import Invitation, Unit

OPEN_STATUSES = ("sent", "opened")
UNSENT_STATUSES = ("pending", "failed")
# Statuses shown in the console, in this order; "unconfirmed" is derived (see module docstring).
DISPLAY_STATUSES = ("pending", "unconfirmed", "sent", "failed", "opened", "completed")


@dataclass(frozen=True)
class StatusRow:
    group_code: str
    unit_code: str
    unit_name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _display_status() -> ColumnElement[str]:
    """SQL expression of the status shown to staff (with the derived "unconfirmed")."""
    return case(
        (Invitation.status.in_(UNSENT_STATUSES) & Invitation.sent_at.is_not(None), "unconfirmed"),
        else_=Invitation.status,
    )


def status_table(session: Session, round_id: int, unit_id: int | None = None) -> list[StatusRow]:
    """Counts of invitations per group, unit and status (for the console and the CLI)."""
    status = _display_status()
    stmt = (select(Invitation.group_code, Unit.code, Unit.name_vi, status, func.count())
            .join(Unit, Unit.id == Invitation.unit_id).where(Invitation.round_id == round_id)
            .group_by(Invitation.group_code, Unit.code, Unit.name_vi, status)
            .order_by(Invitation.group_code, Unit.code))
    if unit_id is not None:
        stmt = stmt.where(Invitation.unit_id == unit_id)
    rows: dict[tuple[str, str], StatusRow] = {}
    for group, unit_code, unit_name, shown, count in session.execute(stmt):
        row = rows.setdefault((group, unit_code), StatusRow(group, unit_code, unit_name,
                                                            dict.fromkeys(DISPLAY_STATUSES, 0)))
        row.counts[shown] = count
    return list(rows.values())


def totals(rows: Iterable[StatusRow]) -> dict[str, int]:
    summed = dict.fromkeys(DISPLAY_STATUSES, 0)
    for row in rows:
        for status, count in row.counts.items():
            summed[status] += count
    return summed


@dataclass(frozen=True)
class ContactStatus:
    id: int
    group_code: str
    unit_code: str
    name: str
    email: str
    status: str
    send_attempts: int
    reminders_sent: int
    last_error: str | None
    sent_at: datetime | None


def contact_statuses(session: Session, round_id: int, *, group: str | None = None, status: str | None = None,
                     unit_id: int | None = None, limit: int = 200, offset: int = 0) -> list[ContactStatus]:
    shown = _display_status()
    stmt = (select(Invitation.id, Invitation.group_code, Unit.code, Invitation.name, Invitation.email, shown,
                   Invitation.send_attempts, Invitation.reminders_sent, Invitation.last_error, Invitation.sent_at)
            .join(Unit, Unit.id == Invitation.unit_id).where(Invitation.round_id == round_id)
            .order_by(Invitation.id).limit(limit).offset(offset))
    if group:
        stmt = stmt.where(Invitation.group_code == group)
    if status:
        stmt = stmt.where(shown == status)
    if unit_id is not None:
        stmt = stmt.where(Invitation.unit_id == unit_id)
    return [ContactStatus(*row) for row in session.execute(stmt)]
