"""Public desk codes (the QR codes at the one-stop counters)."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from survey_app.models import ServicePoint
from survey_app.services.errors import NotFound

# No 0/O, 1/l/I: people type these codes from a poster.
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_desk_code(length: int = 7) -> str:
    """About 34 bits: unguessable enough that desks cannot be enumerated by hand."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# What a desk code can look like; anything else is not a desk, without asking the database
# (PostgreSQL refuses some characters, such as NUL, outright).
CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def find_desk(session: Session, code: str) -> ServicePoint:
    if not CODE_PATTERN.fullmatch(code.lower()):
        raise NotFound(f"{code!r} is not a desk code")
    desk = session.scalar(
        select(ServicePoint).where(ServicePoint.code == code.lower()).options(joinedload(ServicePoint.unit))
    )
    if desk is None or not desk.active:
        raise NotFound(f"no active desk with code {code!r}")
    return desk
