"""Counts and figures with thousands separators, for the console's margins and results pages.

Decimal comma and dot for thousands in Vietnamese (Babel's ``vi`` locale),
the reader's own convention in English. Dates and times: ``day`` and
``local_time`` of survey_app/formats.py.
"""

from __future__ import annotations

import math

from flask_babel import format_decimal

from survey_app.admin import bp


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
