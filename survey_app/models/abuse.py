"""What the defences against abuse keep: enrolled kiosk tablets and suspected ballot stuffing.

Neither holds anything about a respondent. A tablet is a device staff set up
at a counter; a stuffing signal is a count per desk and day, with no link to
any response, address or browser.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, UTCDateTime, today_utc, utcnow
from survey_app.models.org import ServicePoint


class KioskTablet(Base):
    """A tablet on which staff opened kiosk mode: only it may serve /k/<desk code>.

    The tablet keeps its secret in a cookie; the row keeps the SHA-256 of it.
    """

    __tablename__ = "kiosk_tablets"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service_point: Mapped[ServicePoint] = relationship()


class StuffingSignal(Base):
    """Submissions a desk accepted on one day beyond the suspicion level from one address or browser.

    They are stored like any other (a shared Wi-Fi is not a crime); staff see
    the count on the dashboard's data-quality flags and review that desk-day.
    """

    __tablename__ = "stuffing_signals"

    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id", ondelete="CASCADE"),
                                                  primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, default=today_utc)
    submissions: Mapped[int] = mapped_column(Integer, default=0)

    service_point: Mapped[ServicePoint] = relationship()
