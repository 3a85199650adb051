"""What the office knows about the population (margins), the PAR self-assessment points,
background jobs and the stored results of an analysis run."""

from __future__ import annotations


from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base

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
