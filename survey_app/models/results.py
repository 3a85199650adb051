"""What the office knows about the population (margins), the PAR self-assessment points,
background jobs and the stored results of an analysis run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base, JSONType, UTCDateTime, utcnow

#: What a margin row counts: completed transactions per unit, procedure field, sex or age group
#: (the one-stop software reports these), or the members of an official group (a census).
MARGIN_DIMENSIONS = ("unit", "field", "sex", "age_group", "members")
JOB_STATUSES = ("queued", "running", "done", "failed")


class RoundMargin(Base):
    """One known population total of a round: ``variable`` / ``category`` for one group.

    ``variable`` is the export column the total describes (``unit``, ``field``,
    ``sex``, ``age_group``; ``group`` for the members of an official group) and
    ``category`` the value in that column (a unit code, an answer code, the group
    code), so the rows are the analysis margins file as it is.
    """

    __tablename__ = "round_margins"
    __table_args__ = (UniqueConstraint("round_id", "group_code", "variable", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    variable: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(60))
    total: Mapped[int] = mapped_column(Integer)


class ParPoint(Base):
    """Points a unit holds on one PAR Index criterion outside the survey (self-assessed or appraised).

    The full PAR Index of a unit adds the survey points the analysis computes
    to these; ``source`` says which part each point came from.
    """

    __tablename__ = "par_points"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", "criterion_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    criterion_code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500), default="")
    max_points: Mapped[float] = mapped_column(Float)
    points: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))  # self | appraised


class AnalysisRun(Base):
    """The figures of one analysis of a round, as computed (JSON), with when and from how many responses.

    The results page shows the newest run; running again on the same data
    gives the same figures, and `python -m analysis estimate` on the export
    with the exported margins gives them too (tests compare).
    """

    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responses: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, object]] = mapped_column(JSONType)


class Job(Base):
    """A long task run by the job worker (analysis, invitations, reminders), and how far it got.

    The row is the job's state whatever the queue (the database queue claims
    rows; with RQ the Redis job carries only this row's id): the console reads
    progress and the reason of a failure from here, and a restarted web server
    finds every job where it was.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    params: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(String(2000), default="")
    result: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0
