"""Console fixtures: clients signed in with each role, and a helper to post a console form."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey_app.models import Round
from tests.factories import form_field, login, make_user


def signed_in(app: Flask, session: Session, role: str, unit_code: str | None = None) -> FlaskClient:
    user = make_user(session, role, email=f"{role}-{unit_code or 'all'}@example.org".lower(), unit_code=unit_code)
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


@pytest.fixture
def analyst_client(app: Flask, session: Session, demo: Round) -> FlaskClient:
    return signed_in(app, session, "analyst")


@pytest.fixture
def officer_client(app: Flask, session: Session, demo: Round) -> FlaskClient:
    """A unit officer of Xã An Phú."""
    return signed_in(app, session, "unit_officer", "XA_AN_PHU")


def post_form(client: FlaskClient, url: str, data: dict[str, object], page: str | None = None, **kwargs):
    """GET ``page`` (default ``url``) for its CSRF token, then POST ``data`` to ``url``."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": form_field(html, "csrf_token"), **data}, **kwargs)
