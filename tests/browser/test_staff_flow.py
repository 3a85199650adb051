"""A member of staff signs in to the console and sees a citizen's response counted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.helpers import send_citizen_survey, sign_in
from tests.factories import STAFF_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_staff_sees_the_response(live_server: str, new_context: Any, shots: Any, session: Any, demo: Any) -> None:
    user = make_user(session, "analyst")
    citizen = new_context(**PHONE).new_page()
    send_citizen_survey(citizen, f"{live_server}/q/demo")

    staff = new_context(**PHONE).new_page()
    staff.goto(f"{live_server}/admin/")
    assert staff.url.startswith(f"{live_server}/admin/login")  # the console is closed to strangers
    shots.take(staff, "1-sign-in")
    sign_in(staff, live_server, user.email, STAFF_PASSWORD)
    row = staff.locator("tr", has_text=demo.name)
    assert row.locator("td").last.inner_text() == "1"
    shots.take(staff, "2-overview")
