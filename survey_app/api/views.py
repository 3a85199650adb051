"""API endpoints."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from survey_app.api import bp
from survey_app.extensions import db


@bp.get("/health")
def health():
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        return {"status": "unavailable", "database": "down"}, 503
    return {"status": "ok", "database": "up"}
