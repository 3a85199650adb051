"""Answer tallies the progress dashboard keeps so it does not re-read every answer.

One row per *partition* of a round's responses: unit, group, questionnaire
version and day. It holds what the dashboard derives from the answers of that
partition (answers and satisfied answers per item, responses per element, a
histogram of straight-lined responses by number of rating answers) and the
number of responses it was computed from. Responses are only ever inserted
(never updated or deleted), so a partition whose count in ``responses``
still equals ``responses`` here has exactly the answers it was computed from;
any other partition is recomputed from the answers by one SQL aggregate.
Nothing here is per response: it is a cache of counts, as anonymous as the
dashboard itself.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base, JSONType


class AnswerTally(Base):
    __tablename__ = "answer_tallies"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    group_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="CASCADE"), primary_key=True)
    submitted_on: Mapped[date] = mapped_column(Date, primary_key=True)
    #: Layout of ``figures`` (bumped when what is tallied changes: older rows are then recomputed).
    layout: Mapped[int] = mapped_column(Integer)
    responses: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict[str, object]] = mapped_column(JSONType)
