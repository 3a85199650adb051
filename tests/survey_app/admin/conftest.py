"""Console fixtures: clients signed in with each role, and a helper to post a console form."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from survey_app.models import Round
from tests.factories import form_field, login, make_user


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own application context, as in production.

    The ``session`` fixture keeps an application context pushed for the whole
    test, and Flask reuses a pushed context for requests: ``flask.g`` (the CSRF
    token, the database session, the signed-in user) would then leak from one
    request into the next, and a CSRF token issued before sign-in would be
    served again after the session was cleared.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_context_per_request(app: Flask) -> None:
    app.test_client_class = FreshContextClient


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
