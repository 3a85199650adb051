"""A member of staff signs in to the console and sees a citizen's response counted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, Shots
from tests.browser.helpers import send_citizen_survey, sign_in
from tests.factories import STAFF_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_staff_sees_the_response(live_server: str, new_context: Any, session: Any, demo: Any) -> None:
    shots = Shots("staff")
    user = make_user(session, "analyst")
    citizen = new_context(**PHONE).new_page()
    send_citizen_survey(citizen, f"{live_server}/q/demo")

    staff = new_context(**PHONE).new_page()
    staff.goto(f"{live_server}/admin/")
    assert staff.url.startswith(f"{live_server}/admin/login")  # the console is closed to strangers
    shots.take(staff, "1-sign-in")
    sign_in(staff, live_server, user.email, STAFF_PASSWORD)
    row = staff.locator("tr", has_text=demo.name)
    assert row.locator("td").nth(5).inner_text() == "1"  # the Responses column of the rounds overview
    shots.take(staff, "2-overview")

    # The round's progress dashboard. Its link is in the table's last column, which on a phone
    # lies beyond the right edge of the screen (the console's tables are made for a desk), so
    # the test follows the link's address instead of tapping it.
    staff.goto(live_server + row.get_by_role("link", name="Tiến độ").get_attribute("href"))
    assert staff.url == f"{live_server}/admin/rounds/{demo.id}/dashboard"
    progress = staff.locator("section[aria-labelledby=h-progress] tbody tr", has_text="Huyện An Bình")
    counts = [int(cells.locator("td").nth(2).inner_text()) for cells in progress.all()]  # per group
    assert sum(counts) == 1 and 1 in counts
    assert staff.locator("#h-days").inner_text().endswith(": 1)")
    shots.take(staff, "3-dashboard")
