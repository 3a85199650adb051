"""Personal invitations by email, and result-slip codes already used.

An invitation knows its contact and the hash of its token, and only whether it
was completed: never which response it produced, nor when (a completion time
could be matched against response dates).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, JSONType, UTCDateTime, today_utc
from survey_app.models.org import Unit
from survey_app.models.survey import Round

INVITATION_STATUSES = ("pending", "sent", "failed", "opened", "completed")


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("round_id", "email", name="uq_invitations_round_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    sector: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(Integer)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    send_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Answers saved so far (save and resume); erased when the response is stored.
    draft: Mapped[dict[str, object] | None] = mapped_column(JSONType)

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit] = relationship()


class UsedSlipCode(Base):
    """A result-slip code that has produced its one response (hash only)."""

    __tablename__ = "used_slip_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    used_on: Mapped[date] = mapped_column(Date, default=today_utc)
