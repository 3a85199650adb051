"""Dates, times and numbers as a Vietnamese office writes them, for the templates.

Dates are dd/mm/yyyy and times are Vietnam's (``BABEL_DEFAULT_TIMEZONE``,
Asia/Ho_Chi_Minh through the standard library's zoneinfo), whatever the server's clock
says: stored times are UTC. Percentages have a decimal comma in Vietnamese ("45,3%").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from survey_app.i18n import current_lang


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(value: datetime) -> datetime:
    """A stored time (UTC, naive or aware) in the console's time zone."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(_zone(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def day(value: date | datetime | None) -> str:
    """dd/mm/yyyy; a time is first turned into Vietnam's day."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime("%d/%m/%Y")


def local_time(value: datetime | None, seconds: bool = False) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time."""
    if value is None:
        return "—"
    return local(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def decimal(value: float | None, digits: int = 1, trim: bool = False) -> str:
    """A number with ``digits`` decimals (``trim``: without trailing zeros), decimal comma in Vietnamese."""
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if current_lang() == "vi" else text


def percent(share: float | None, digits: int = 1) -> str:
    """A share (0..1) as a percentage: 0.453 -> "45,3%" (Vietnamese), "45.3%" (English)."""
    return "—" if share is None else f"{decimal(100 * share, digits)}%"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(day=day, local_time=local_time, decimal=decimal, percent=percent)
