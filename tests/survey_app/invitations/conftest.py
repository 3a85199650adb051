"""Fixtures for the invitation tests: a real SMTP server and an app configured to use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import Invitation, Round
from survey_app.services.contacts import import_contact_file
from tests.survey_app.invitations.support import Mailbox, businesses, csv_bytes, start_smtp


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """An aiosmtpd server on a free loopback port; the app sends through it."""
    box = Mailbox()
    controller = start_smtp(box)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=box.port, MAIL_FROM="khao-sat@anbinh.gov.vn",
                      SMTP_TIMEOUT=5)
    yield box
    controller.stop()


@pytest.fixture
def contacts(session: Session, demo: Round) -> list[Invitation]:
    """Five businesses of Xã An Phú, imported into the demo round."""
    report = import_contact_file(session, demo, "business", "contacts.csv", csv_bytes(businesses(5)))
    assert report.ok and report.imported == 5, report.problems
    session.commit()
    return list(session.scalars(select(Invitation).order_by(Invitation.id)))
