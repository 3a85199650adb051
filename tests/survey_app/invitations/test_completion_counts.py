"""Completion is shown only as counts above a threshold, never per contact (issue 18)."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.models import Invitation, Unit
from survey_app.services import invitations
from tests.factories import login, make_user


def _invite(session, demo, unit, n: int, status: str) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        session.add(Invitation(round_id=demo.id, group_code="business", unit_id=unit.id, name=f"{status} {i}",
                               email=f"{status}{i}.{unit.code.lower()}@example.vn", status=status, send_attempts=1,
                               reminders_sent=0))
    session.commit()


def test_who_completed_is_never_listed_and_small_counts_are_merged(app, session, demo):
    units = session.scalars(select(Unit).order_by(Unit.code)).all()
    small, big = units[0], units[1]
    _invite(session, demo, small, 1, "completed")
    _invite(session, demo, small, 2, "opened")
    _invite(session, demo, big, 6, "completed")
    _invite(session, demo, big, 5, "sent")
    admin = app.test_client()
    login(admin, make_user(session, "admin").email)
    page = admin.get(f"/admin/rounds/{demo.id}/contacts").get_data(as_text=True)
    table = page.split('id="status"', 1)[1].split("</table>", 1)[0]
    small_row = table.split(f"({small.code})", 1)[1].split("</tr>", 1)[0]
    big_row = table.split(f"({big.code})", 1)[1].split("</tr>", 1)[0]
    assert small_row.count("–") == 2 and '<td class="num">3</td>' in small_row  # 1 completed + 2 opened: one "sent"
    assert '<td class="num">6</td>' in big_row  # 6 completed, 5 not: shown apart
    tfoot = table.split("<tfoot>", 1)[1]
    assert tfoot.count("–") == 2  # one suppressed row: the totals would give it away
    # No list by completion, and a listed contact never shows it.
    for status in ("completed", "opened"):
        listed = admin.get(f"/admin/rounds/{demo.id}/contacts?status={status}").get_data(as_text=True)
        assert 'id="contacts"' not in listed
    listed = admin.get(f"/admin/rounds/{demo.id}/contacts?status=sent").get_data(as_text=True)
    assert "completed 0" in listed and "sent 0" in listed and "opened 0" in listed  # all three, as "sent"
    contacts = invitations.contact_statuses(session, demo.id, status="sent", limit=100)
    assert {c.status for c in contacts} == {"sent"} and len(contacts) == 14
    dashboard = admin.get(f"/admin/rounds/{demo.id}/dashboard?unit={small.id}").get_data(as_text=True)
    assert "–" in dashboard.split('id="h-invitations"', 1)[1].split("</section>", 1)[0]
