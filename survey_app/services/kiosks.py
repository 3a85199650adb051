"""Kiosk tablets: only a device on which staff opened kiosk mode may serve /k/<desk code>.

Opening kiosk mode (console, desk page) makes a random secret for that tablet;
the tablet keeps it in a long-lived cookie and the database keeps its SHA-256.
A phone that types /k/<code> has no secret and is refused, so a kiosk's higher
submission limit (one tablet, many people) cannot be borrowed by anyone else.
Closing kiosk mode on a desk forgets its tablets.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey_app.models import KioskTablet, ServicePoint

COOKIE = "survey_kiosk"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers keep cookies at most 400 days


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def enrol(session: Session, desk: ServicePoint) -> str:
    """Enrol a tablet for the desk (turning kiosk mode on); return its secret (the caller sets the cookie)."""
    secret = secrets.token_urlsafe(32)
    desk.kiosk_enabled = True
    session.add(KioskTablet(service_point_id=desk.id, secret_hash=_hash(secret)))
    session.flush()
    return secret


def tablet_for(session: Session, desk_id: int, secret: str | None) -> int | None:
    """The id of the enrolled tablet holding ``secret`` at this desk, else None."""
    if not secret or len(secret) > 100:
        return None
    return session.scalar(select(KioskTablet.id).where(KioskTablet.service_point_id == desk_id,
                                                        KioskTablet.secret_hash == _hash(secret)))


def forget(session: Session, desk: ServicePoint) -> int:
    """Forget every tablet of the desk (kiosk mode turned off); returns how many."""
    result = session.execute(delete(KioskTablet).where(KioskTablet.service_point_id == desk.id))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
