"""Respondent pages: desk QR (/q/), personal links (/i/), slip codes (/r/), kiosk (/k/)."""

from flask import Blueprint

bp = Blueprint("respondent", __name__)

from survey_app.respondent import (  # noqa: E402,F401  # noqa: E402,F401
    compression,
    kiosk,
    link_views,
    slip_views,
    views,
)
