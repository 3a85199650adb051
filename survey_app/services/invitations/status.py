"""Counts and lists of invitations by status, for the console and the CLI.

Completion is shown only as counts, never per contact: an administrator who
could list who completed while watching new rows appear in the export could
match them. So

* the per-contact list (to fix failures and find unsent ones) shows
  :data:`CONTACT_STATUSES`: a delivered invitation is "sent" whether it was
  opened, answered or neither; nor does it show reminder counts, which stop
  growing at completion;
* the counts per group and unit show "opened" and "completed" apart only where
  at least ``min_count`` completed *and* at least ``min_count`` did not (see
  :func:`suppress`); elsewhere the three are one "sent" number. The totals
  follow the same rule, and are merged too when a single row is suppressed (its
  number would be the total minus the others).

The list of who has not completed is used only by the reminder job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from survey_app.models import Invitation, Unit

OPEN_STATUSES = ("sent", "opened")
UNSENT_STATUSES = ("pending", "failed")
# Statuses counted in the console, in this order; "unconfirmed" is derived (see sending).
DISPLAY_STATUSES = ("pending", "unconfirmed", "sent", "failed", "opened", "completed")
# Statuses a single contact is listed with: nothing tells an answered invitation from another.
CONTACT_STATUSES = ("pending", "unconfirmed", "failed", "sent")
DELIVERED = ("sent", "opened", "completed")
MIN_COUNT = 5  # shipped value, not from a decision (config COMPLETION_MIN_COUNT)


@dataclass(frozen=True)
class StatusRow:
    group_code: str
    unit_code: str
    unit_name: str
    counts: dict[str, int | None]  # None: suppressed (merged into "sent")

    @property
    def total(self) -> int:
        return sum(n for n in self.counts.values() if n is not None)


def _hidden(counts: dict[str, int | None], min_count: int) -> bool:
    completed = counts.get("completed") or 0
    not_completed = (counts.get("sent") or 0) + (counts.get("opened") or 0)
    return completed < min_count or not_completed < min_count


def _merged(counts: dict[str, int | None]) -> dict[str, int | None]:
    merged = dict(counts)
    merged["sent"] = sum(counts.get(s) or 0 for s in DELIVERED)
    merged["opened"] = merged["completed"] = None
    return merged


def suppress_counts(counts: dict[str, int], min_count: int = MIN_COUNT) -> dict[str, int | None]:
    """One set of status counts (a dashboard's) as staff may see it: the rule of :func:`suppress`."""
    return _merged(dict(counts)) if _hidden(dict(counts), min_count) else dict(counts)


def suppress(rows: list[StatusRow], min_count: int = MIN_COUNT) -> tuple[list[StatusRow], dict[str, int | None]]:
    """The rows and totals as staff may see them (see the module docstring)."""
    raw_totals = totals(rows)
    shown, hidden = [], 0
    for row in rows:
        if _hidden(row.counts, min_count):
            hidden += 1
            shown.append(StatusRow(row.group_code, row.unit_code, row.unit_name, _merged(row.counts)))
        else:
            shown.append(row)
    if hidden == 1 or _hidden(raw_totals, min_count):
        return shown, _merged(raw_totals)
    return shown, raw_totals


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


def totals(rows: Iterable[StatusRow]) -> dict[str, int | None]:
    summed: dict[str, int | None] = dict.fromkeys(DISPLAY_STATUSES, 0)
    for row in rows:
        for status, count in row.counts.items():
            summed[status] = (summed[status] or 0) + (count or 0)
    return summed


@dataclass(frozen=True)
class ContactStatus:
    id: int
    group_code: str
    unit_code: str
    name: str
    email: str
    status: str  # one of CONTACT_STATUSES
    send_attempts: int
    last_error: str | None
    sent_at: datetime | None


def _contact_status() -> ColumnElement[str]:
    """The status of one contact as staff see it: delivered is "sent", answered or not."""
    return case(
        (Invitation.status.in_(UNSENT_STATUSES) & Invitation.sent_at.is_not(None), "unconfirmed"),
        (Invitation.status.in_(DELIVERED), "sent"),
        else_=Invitation.status,
    )


def contact_statuses(session: Session, round_id: int, *, group: str | None = None, status: str | None = None,
                     unit_id: int | None = None, limit: int = 200, offset: int = 0) -> list[ContactStatus]:
    """Contacts with one of :data:`CONTACT_STATUSES` (never who completed: see the module docstring)."""
    if status is not None and status not in CONTACT_STATUSES:
        raise ValueError(f"status must be one of {', '.join(CONTACT_STATUSES)}")
    shown = _contact_status()
    stmt = (select(Invitation.id, Invitation.group_code, Unit.code, Invitation.name, Invitation.email, shown,
                   Invitation.send_attempts, Invitation.last_error, Invitation.sent_at)
            .join(Unit, Unit.id == Invitation.unit_id).where(Invitation.round_id == round_id)
            .order_by(Invitation.id).limit(limit).offset(offset))
    if group:
        stmt = stmt.where(Invitation.group_code == group)
    if status:
        stmt = stmt.where(shown == status)
    if unit_id is not None:
        stmt = stmt.where(Invitation.unit_id == unit_id)
    return [ContactStatus(*row) for row in session.execute(stmt)]
