"""Small factories and page helpers for the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

STAFF_PASSWORD = "correct horse battery staple"


def make_user(session: Session, role: str = "admin", email: str | None = None, unit_code: str | None = None):
    from survey_app.services.auth import create_user

    return create_user(session, email or f"{role}@example.org", STAFF_PASSWORD, role, unit_code=unit_code)


def login(client: FlaskClient, email: str, password: str = STAFF_PASSWORD, **kwargs):  # type: ignore[no-untyped-def]
    page = client.get("/admin/login", **kwargs)
    token = form_field(page.get_data(as_text=True), "csrf_token")
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs)


def form_field(html: str, name: str) -> str:
    """The value of a hidden input in a rendered page."""
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    assert match, f"no field {name!r} in page"
    return match.group(1)


def make_response(session: Session, round_, unit_code: str = "HUYEN_AN_BINH", *, group: str = "citizen",
                  answers: dict | None = None, desk_code: str | None = None, day=None,
                  duration: int | None = 300, channel: str = "qr"):
    """Store one response directly (no form), with the round's questionnaire version for ``group``."""
    from sqlalchemy import select

    from survey_app.models import Response, ServicePoint, Unit

    unit = session.scalar(select(Unit).where(Unit.code == unit_code))
    desk = session.scalar(select(ServicePoint).where(ServicePoint.code == desk_code)) if desk_code else None
    response = Response(round_id=round_.id, group_code=group, unit_id=unit.id,
                        service_point_id=desk.id if desk else None, channel=channel,
                        questionnaire_version_id=round_.version_for(group).id,
                        submitted_on=day or round_.opens_on, duration_seconds=duration, answers=answers or {})
    session.add(response)
    session.commit()
    return response


def enrol_tablet(client: FlaskClient, session: Session, code: str = "demo") -> str:
    """Make ``client`` an enrolled kiosk tablet of the desk (what the console's button does)."""
    from sqlalchemy import select

    from survey_app.models import ServicePoint
    from survey_app.services import kiosks

    desk = session.scalars(select(ServicePoint).where(ServicePoint.code == code)).one()
    secret = kiosks.enrol(session, desk)
    session.commit()
    client.set_cookie(kiosks.COOKIE, secret, path="/k/")
    return secret
