"""Survey rounds: the programmes and questionnaire versions they run, and their targets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base
from survey_app.models.structure import QuestionnaireVersion, RoundProgramme

# Group codes are rows of ``respondent_groups`` (models/structure.py), not constants.
ROUND_STATUSES = ("draft", "open", "closed")


class Round(Base):
    """A survey round (đợt khảo sát)."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    period: Mapped[str] = mapped_column(String(40), default="")
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Secret for the HMAC of result-slip codes; random per round, never shown.
    slip_secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    reminder_limit: Mapped[int] = mapped_column(Integer, default=2)
    # A demonstration round filled with simulated responses ("dữ liệu mô phỏng"): it holds
    # nothing real, and every page, export and report that shows it says so.
    simulated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    programmes: Mapped[list[RoundProgramme]] = relationship(cascade="all, delete-orphan")
    questionnaires: Mapped[list[RoundQuestionnaire]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )
    targets: Mapped[list[Target]] = relationship(back_populates="round", cascade="all, delete-orphan")

    def is_open_on(self, day: date) -> bool:
        return self.status == "open" and self.opens_on <= day <= self.closes_on

    def version_for(self, group_code: str) -> QuestionnaireVersion | None:
        for link in self.questionnaires:
            if link.group_code == group_code:
                return link.version
        return None


class RoundQuestionnaire(Base):
    """Which questionnaire version a group answers in a round."""

    __tablename__ = "round_questionnaires"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    group_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))

    round: Mapped[Round] = relationship(back_populates="questionnaires")
    version: Mapped[QuestionnaireVersion] = relationship()


class Target(Base):
    """Target number of responses for one unit and group in a round."""

    __tablename__ = "targets"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    group_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    target: Mapped[int] = mapped_column(Integer)
    # Completed transactions in the period, when the target was derived from it.
    transactions: Mapped[int | None] = mapped_column(Integer)

    round: Mapped[Round] = relationship(back_populates="targets")
