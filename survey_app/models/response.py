"""Stored answers. Nothing here can identify or locate a respondent.

A response row has a random identifier, the day (not the time) it was
submitted, and no reference to an invitation, a slip code, an address, an IP
or a browser. Deduplication of resubmitted forms is done by `SubmissionNonce`,
a table of hashed one-time form nonces that has no link to the response.
"""

from __future__ import annotations

import secrets
import string
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, JSONType, today_utc
from survey_app.models.org import ServicePoint, Unit
from survey_app.models.structure import QuestionnaireVersion
from survey_app.models.survey import Round

CHANNELS = ("qr", "link", "kiosk", "slip", "import", "paper", "interview")


# The first character of an id is never "-" or "_": a spreadsheet reads a cell starting with
# "-", "+", "=" or "@" as a formula, so exports would have to prefix it with an apostrophe and
# the id in a CSV, XLSX or weights file would no longer be the id in the database.
_FIRST = frozenset(string.ascii_letters + string.digits)


def new_response_id() -> str:
    """128 random bits, URL-safe: not sequential, so ids reveal no order.

    Drawn again (1 time in 32) until it starts with a letter or digit: uniform over those
    ids, and still about 128 bits.
    """
    while True:
        token = secrets.token_urlsafe(16)
        if token[0] in _FIRST:
            return token


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_round_group", "round_id", "group_code"),
        # Covers the dashboard's one counting scan (no answers read; see services/dashboard.py);
        # its prefix serves the lookups by round and unit.
        Index("ix_responses_round_partition", "round_id", "unit_id", "group_code", "questionnaire_version_id",
              "submitted_on", "channel", "service_point_id", "duration_seconds"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_response_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    group_code: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"))
    channel: Mapped[str] = mapped_column(String(10))
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    submitted_on: Mapped[date] = mapped_column(Date, default=today_utc)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict[str, object]] = mapped_column(JSONType)

    round: Mapped[Round] = relationship()
    unit: Mapped[Unit] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()


class SubmissionNonce(Base):
    """A form nonce already used: a resubmitted or replayed form is recognised.

    Only the SHA-256 of the nonce is kept, with the day, so old rows can be purged.
    """

    __tablename__ = "submission_nonces"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_on: Mapped[date] = mapped_column(Date, default=today_utc)


class ImportedSubmission(Base):
    """A KoboToolbox/ODK submission already imported, by the SHA-256 of its uuid (instanceID).

    Re-importing the same export adds nothing. Like the nonces, it has no link to
    the response, and its own table so that purging old nonces never lets an old
    export be imported twice.
    """

    __tablename__ = "imported_submissions"

    uuid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    imported_on: Mapped[date] = mapped_column(Date, default=today_utc)
