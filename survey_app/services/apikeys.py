"""API keys of service points (one-stop desks) for the machine API.

A key is shown once, when it is created; only its SHA-256 is stored
(``ServicePoint.api_key_hash``), so a copy of the database does not let anyone
call the API as a desk. A key has 256 random bits, so a fast unsalted hash is
enough: there is nothing to brute-force, unlike a password. Creating a new key
replaces the old one, which stops working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import ServicePoint, StaffUser
from survey_app.services import audit
from survey_app.services.desks import find_desk

PREFIX = "spk_"  # recognisable in a leaked config file or a secret scanner
MAX_KEY_LENGTH = 200


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, desk_code: str, user: StaffUser | None = None) -> tuple[ServicePoint, str]:
    """Give the desk a new key (replacing any old one); return the desk and the key to show once.

    Flushes with its audit entry; the caller commits (and only then shows the key)."""
    desk = find_desk(session, desk_code)
    key = PREFIX + secrets.token_urlsafe(32)
    desk.api_key_hash = key_hash(key)
    audit.record(session, user, "desk.api_key.create", desk.code)
    session.flush()
    return desk, key


def revoke_key(session: Session, desk_code: str, user: StaffUser | None = None) -> ServicePoint:
    """Remove the desk's key, with its audit entry; the caller commits."""
    desk = find_desk(session, desk_code)
    desk.api_key_hash = None
    audit.record(session, user, "desk.api_key.revoke", desk.code)
    session.flush()
    return desk


def desk_for_key(session: Session, key: str | None) -> ServicePoint | None:
    """The active desk that owns ``key``, or None (unknown, revoked, malformed or inactive)."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.startswith(PREFIX):
        return None
    digest = key_hash(key)
    desk = session.scalar(select(ServicePoint).where(ServicePoint.api_key_hash == digest))
    if desk is None or not desk.active or not hmac.compare_digest(desk.api_key_hash or "", digest):
        return None
    return desk
