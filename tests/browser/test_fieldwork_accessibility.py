"""axe-core on the pages of the paper and interview channels: printing forms, keying, settling,
importing, and the interviewer's page with an interview open."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from survey_app.models import Unit
from survey_app.services.paper import issue_forms
from tests.browser.helpers import axe_violations, describe, sign_in
from tests.factories import STAFF_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_fieldwork_pages_have_no_serious_axe_violations(live_server: str, new_context: Any, session: Any,
                                                         demo: Any, axe_source: str) -> None:
    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    (number,) = issue_forms(session, demo, "citizen", unit, 1).numbers
    session.commit()
    admin = make_user(session, "admin")
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server, admin.email, STAFF_PASSWORD)
    pages = {
        "paper-forms": f"/admin/rounds/{demo.id}/paper",
        "entry-start": "/admin/entry",
        "entry-form": f"/admin/entry/{number}",
        "entry-disputes": "/admin/entry/disputes",
        "import-submissions": f"/admin/rounds/{demo.id}/import-submissions",
        "interview": "/admin/interview/",
    }
    found = {}
    for name, path in pages.items():
        page.goto(live_server + path)
        if name == "interview":
            page.wait_for_selector("#begin", state="visible")
            page.click("#begin")
            page.wait_for_selector("#interview fieldset.q")
        found[name] = axe_violations(page, axe_source)
    assert not any(found.values()), {name: describe(v) for name, v in found.items() if v}
