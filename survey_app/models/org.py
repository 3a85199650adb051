"""Administrative units and the one-stop desks (service points) that belong to them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, JSONType


class Unit(Base):
    """A province, department, commune-level unit, service centre, or (before 2025) district or office.

    ``kind`` is the code of a row of ``unit_kinds`` (checked by services/units.py).
    ``valid_from``/``valid_to`` bound the days the unit exists (the 2025 mergers
    ended many communes on 30/6/2025); a round offers only units that exist on its dates.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    service_points: Mapped[list[ServicePoint]] = relationship(back_populates="unit")
    # The units this one was merged into (old -> new), and the units it took over.
    replaced_by: Mapped[list[Unit]] = relationship(
        secondary="unit_replacements", primaryjoin="Unit.id == UnitReplacement.old_unit_id",
        secondaryjoin="Unit.id == UnitReplacement.new_unit_id", order_by="Unit.code", viewonly=True)
    took_over: Mapped[list[Unit]] = relationship(
        secondary="unit_replacements", primaryjoin="Unit.id == UnitReplacement.new_unit_id",
        secondaryjoin="Unit.id == UnitReplacement.old_unit_id", order_by="Unit.code", viewonly=True)

    def exists_between(self, first: date, last: date) -> bool:
        """Whether the unit existed on some day of ``first``..``last`` (a round's dates)."""
        return ((self.valid_from is None or self.valid_from <= last)
                and (self.valid_to is None or self.valid_to >= first))

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi


class ServicePoint(Base):
    """A one-stop desk (Bộ phận một cửa). Its public code goes into the QR URL."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    fields: Mapped[list[int]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    kiosk_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    api_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    unit: Mapped[Unit] = relationship(back_populates="service_points")

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_vi


class UnitReplacement(Base):
    """An old unit merged into a new one (2025: several communes into one). Several rows per merger."""

    __tablename__ = "unit_replacements"

    old_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    new_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
