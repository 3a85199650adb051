"""Staff accounts of the Home Affairs office and the audit log of their actions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, JSONType, UTCDateTime, utcnow
from survey_app.models.org import Unit


class Role(StrEnum):
    """What a staff account may do; what it may see is services.scope.scope_of."""

    ADMIN = "admin"  # everything: rounds, structure, accounts, contacts, secrets
    ANALYST = "analyst"  # reads and exports every answer
    UNIT_OFFICER = "unit_officer"  # the progress of their own unit, never answers
    DATA_ENTRY = "data_entry"  # keys paper forms (double entry)
    INTERVIEWER = "interviewer"  # collects face-to-face interviews offline on a tablet


ROLES = tuple(role.value for role in Role)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changing the password bumps this, which invalidates other sessions.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[Unit | None] = relationship()


class AuditEntry(Base):
    """Who did what to which object, when. Never holds respondent data."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)

    user: Mapped[StaffUser | None] = relationship()
