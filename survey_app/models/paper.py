"""Paper forms: the numbers issued for printing and the keyed copies awaiting double entry.

A printed form carries a random number. ``PaperForm`` records that the number was
issued (for which round, group and unit) and whether its answers are stored yet;
it never points at the response. ``PaperEntry`` is one staff member's keying of
one form: it exists only until both keyings agree (or a supervisor settles them),
then it is deleted, so no stored answer can be traced to who keyed it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, JSONType, UTCDateTime, utcnow
from survey_app.models.org import Unit
from survey_app.models.survey import Round

# issued: printed, not keyed; keyed: one keying waiting for the second; disputed:
# two keyings differ (a supervisor settles); stored: the response is stored.
PAPER_STATUSES = ("issued", "keyed", "disputed", "stored")


class PaperForm(Base):
    __tablename__ = "paper_forms"

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    lang: Mapped[str] = mapped_column(String(2), default="vi")
    status: Mapped[str] = mapped_column(String(10), default="issued")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit] = relationship()
    entries: Mapped[list[PaperEntry]] = relationship(back_populates="form", cascade="all, delete-orphan",
                                                     order_by="PaperEntry.id")


class PaperEntry(Base):
    """One keying of a form by one staff member; deleted once the form is settled."""

    __tablename__ = "paper_entries"
    __table_args__ = (UniqueConstraint("form_number", "staff_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_number: Mapped[str] = mapped_column(ForeignKey("paper_forms.number", ondelete="CASCADE"))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    answers: Mapped[dict[str, object]] = mapped_column(JSONType)

    form: Mapped[PaperForm] = relationship(back_populates="entries")
