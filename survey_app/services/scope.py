"""What a staff member may see: the one place that decides it.

Administrators and analysts see every unit and every answer; a unit officer
sees the progress of their own unit only, and never answers (the free texts,
the answer shares and the quality flags are not theirs to read). Views and
commands ask :func:`scope_of` instead of testing roles themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.models import Response, Role, Round, StaffUser


class NoUnit(Exception):
    """A unit officer without a unit: cannot happen through the services; never show everything by mistake."""


@dataclass(frozen=True)
class Scope:
    unit_id: int | None  # the one unit this user sees; None: every unit
    sees_answers: bool  # answers, free texts, shares and quality flags

    def unit_filter(self, asked: int | None) -> int | None:
        """The unit to show: the user's own if limited to one, else the one asked for (None: all)."""
        return self.unit_id if self.unit_id is not None else asked

    def may_see_unit(self, unit_id: int | None) -> bool:
        return self.unit_id is None or unit_id == self.unit_id


def scope_of(user: StaffUser) -> Scope:
    if user.role == Role.UNIT_OFFICER:
        if user.unit_id is None:
            raise NoUnit(user.email)
        return Scope(unit_id=user.unit_id, sees_answers=False)
    return Scope(unit_id=None, sees_answers=user.role in (Role.ADMIN, Role.ANALYST))


def overview(session: Session, scope: Scope) -> tuple[list[Round], dict[int, int]]:
    """Every round, newest first, and its number of responses within the scope (the console's first page)."""
    stmt = select(Response.round_id, func.count()).group_by(Response.round_id)
    if scope.unit_id is not None:  # their own unit's figures only
        stmt = stmt.where(Response.unit_id == scope.unit_id)
    counts = {round_id: n for round_id, n in session.execute(stmt)}
    rounds = list(session.scalars(select(Round).order_by(Round.opens_on.desc())))
    return rounds, counts
