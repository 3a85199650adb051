"""Small factories and page helpers for the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

STAFF_PASSWORD = "correct horse battery staple"


def make_user(session: Session, role: str = "admin", email: str | None = None, unit_code: str | None = None):
    from survey_app.services.auth import create_user

    return create_user(session, email or f"{role}@example.org", STAFF_PASSWORD, role, unit_code=unit_code)


def login(client: FlaskClient, email: str, password: str = STAFF_PASSWORD):
    page = client.get("/admin/login")
    token = form_field(page.get_data(as_text=True), "csrf_token")
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token})


def form_field(html: str, name: str) -> str:
    """The value of a hidden input in a rendered page."""
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    assert match, f"no field {name!r} in page"
    return match.group(1)
