"""Respondent pages: desk QR (/q/), personal links (/i/), slip codes (/r/), kiosk (/k/)."""

from flask import Blueprint

bp = Blueprint("respondent", __name__)

from survey_app.respondent import views  # noqa: E402,F401  (routes register on import)
from survey_app.respondent import compression, kiosk  # noqa: E402,F401
from survey_app.respondent import link_views, slip_views  # noqa: E402,F401
