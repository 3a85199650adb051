"""Numbers, dates and times as Vietnamese readers write them, for the console's result pages.

Decimal comma and dot for thousands in Vietnamese (Babel's ``vi`` locale),
the reader's own convention in English; dates dd/mm/yyyy and times in
Asia/Ho_Chi_Minh whatever the language (the office works in Vietnam time).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_decimal

from survey_app.admin import bp

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@bp.app_template_filter("vnnum")
def vnnum(value: object, digits: int = 0) -> str:
    """A number with the reader's separators (``12.500``, ``82,7`` in Vietnamese); empty for none."""
    if value is None or value == "":
        return ""
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(round(number, digits), format=pattern)


@bp.app_template_filter("vndate")
def vndate(value: date | datetime | None) -> str:
    """dd/mm/yyyy (a timestamp in Vietnam time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM)
    return value.strftime("%d/%m/%Y")


@bp.app_template_filter("vntime")
def vntime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
    if value is None:
        return ""
    return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
