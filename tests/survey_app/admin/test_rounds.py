"""Rounds through the console: create, edit, open and close, questionnaires locked once answered, targets."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey_app.models import AuditEntry, Round, Target, Unit
from survey_app.services.targets import sample_size
from tests.factories import make_response
from tests.survey_app.admin.conftest import post_form


def round_fields(session, demo, **changes) -> dict[str, str]:
    fields = {"name": "Khảo sát 2027", "period": "2027", "opens_on": "2027-03-01", "closes_on": "2027-05-31",
              "reminder_limit": "2"}
    for link in demo.questionnaires:
        fields[f"version_{link.group_code}"] = str(link.version_id)
    fields.update(changes)
    return fields


def test_create_round_as_draft_with_the_chosen_questionnaires(staff_client, session, demo):
    fields = round_fields(session, demo, version_hdnd_deputy="")
    response = post_form(staff_client, "/admin/rounds/new", fields)
    assert response.status_code == 302
    created = session.scalar(select(Round).where(Round.name == "Khảo sát 2027"))
    assert created.status == "draft" and len(created.slip_secret) == 32
    assert created.version_for("citizen").id == demo.version_for("citizen").id
    assert created.version_for("hdnd_deputy") is None
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Khảo sát 2027" in page and "Người dân" in page
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "round.create")).target == "Khảo sát 2027"


def test_new_round_form_offers_the_programmes_and_the_versions(staff_client, demo):
    html = staff_client.get("/admin/rounds/new").get_data(as_text=True)
    # Blank means "the programme's questionnaire": a round's groups come from its programmes.
    assert f'<option value="{demo.version_for("citizen").id}">' in html
    assert f'<option value="{demo.programmes[0].programme_id}">' in html and "par_district_2023" in html


def test_round_form_problems_are_shown_and_nothing_saved(staff_client, session, demo):
    bad = round_fields(session, demo, name=demo.name, closes_on="2027-01-01")
    response = post_form(staff_client, "/admin/rounds/new", bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "tên" in html.lower() and "ngày đóng" in html.lower()
    assert session.query(Round).count() == 1


def test_edit_round_dates_and_name(staff_client, session, demo):
    fields = round_fields(session, demo, name="Khảo sát CCHC 2026 (đợt 1)", opens_on=demo.opens_on.isoformat(),
                          closes_on=(demo.closes_on + timedelta(days=10)).isoformat())
    assert post_form(staff_client, f"/admin/rounds/{demo.id}/edit", fields).status_code == 302
    session.expire_all()
    assert session.get(Round, demo.id).name == "Khảo sát CCHC 2026 (đợt 1)"


def test_questionnaire_of_an_answered_group_cannot_change(staff_client, session, demo):
    make_response(session, demo, answers={"s_acc_1": 4})
    fields = round_fields(session, demo, name=demo.name, opens_on=demo.opens_on.isoformat(),
                          closes_on=demo.closes_on.isoformat(), version_citizen="")
    response = post_form(staff_client, f"/admin/rounds/{demo.id}/edit", fields)
    assert response.status_code == 422 and "không thể thay đổi" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Round, demo.id).version_for("citizen") is not None
    # Another group, not answered yet, can still be left out.
    fields["version_citizen"] = str(demo.version_for("citizen").id)
    fields["version_hdnd_deputy"] = ""
    assert post_form(staff_client, f"/admin/rounds/{demo.id}/edit", fields).status_code == 302


def test_open_close_and_overlap(staff_client, session, demo):
    post_form(staff_client, "/admin/rounds/new", round_fields(
        session, demo, name="Trùng lịch", opens_on=demo.opens_on.isoformat(), closes_on=demo.closes_on.isoformat()))
    other = session.scalar(select(Round).where(Round.name == "Trùng lịch"))
    page = f"/admin/rounds/{other.id}"
    refused = post_form(staff_client, f"{page}/status", {"status": "open"}, page=page)
    assert refused.status_code == 302
    assert "trùng" in staff_client.get(page).get_data(as_text=True)  # the flashed reason
    session.expire_all()
    assert session.get(Round, other.id).status == "draft"
    demo_page = f"/admin/rounds/{demo.id}"
    post_form(staff_client, f"{demo_page}/status", {"status": "closed"}, page=demo_page)
    post_form(staff_client, f"{page}/status", {"status": "open"}, page=page)
    session.expire_all()
    assert session.get(Round, demo.id).status == "closed" and session.get(Round, other.id).status == "open"
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"round.closed", "round.open"} <= actions


def test_opening_asks_first_and_resolves_the_overlap(staff_client, session, demo):
    """The first new round of the year overlaps the demo round: the confirmation page says so,
    and what opening will do, and one confirmation closes the demo round and opens the new one."""
    post_form(staff_client, "/admin/rounds/new", round_fields(
        session, demo, name="Khảo sát CCHC 2027", opens_on=demo.opens_on.isoformat(),
        closes_on=demo.closes_on.isoformat()))
    new = session.scalar(select(Round).where(Round.name == "Khảo sát CCHC 2027"))
    page = f"/admin/rounds/{new.id}"
    assert f'href="{page}/open"' in staff_client.get(page).get_data(as_text=True)  # a link, not a POST
    confirm = staff_client.get(f"{page}/open").get_data(as_text=True)
    assert "Khi Ông/Bà xác nhận" in confirm and "mã QR" in confirm
    assert demo.opens_on.strftime("%d/%m/%Y") in confirm and "Khảo sát CCHC 2026" in confirm
    assert "Đóng Khảo sát CCHC 2026 và mở đợt này" in confirm
    session.expire_all()
    assert session.get(Round, new.id).status == "draft"  # nothing happened yet
    # Refused without the confirmation, with a message that says how to resolve it.
    post_form(staff_client, f"{page}/status", {"status": "open"}, page=page)
    assert "trang xác nhận sẽ đóng đợt Khảo sát CCHC 2026" in staff_client.get(page).get_data(as_text=True)
    response = post_form(staff_client, f"{page}/status", {"status": "open", "close": str(demo.id)}, page=f"{page}/open")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Round, new.id).status == "open" and session.get(Round, demo.id).status == "closed"
    shown = staff_client.get(page).get_data(as_text=True)
    assert "Đợt Khảo sát CCHC 2026 đã được đóng" in shown
    closed = session.scalar(select(AuditEntry).where(AuditEntry.action == "round.closed"))
    assert closed.target == demo.name and closed.detail == {"to_open": "Khảo sát CCHC 2027"}


def test_targets_typed_and_computed(staff_client, session, demo):
    units = {u.code: u.id for u in session.scalars(select(Unit))}
    url = f"/admin/rounds/{demo.id}/targets/citizen"
    assert "n = N / (1 + N e²)" in staff_client.get(url).get_data(as_text=True)
    an_phu, an_lac, tan_lap = units["XA_AN_PHU"], units["XA_AN_LAC"], units["XA_TAN_LAP"]
    data = {f"target-{uid}": "" for uid in units.values()} | {f"transactions-{uid}": "" for uid in units.values()}
    data |= {f"target-{an_phu}": "150", f"transactions-{an_lac}": "2.400", f"target-{tan_lap}": "90",
             f"transactions-{tan_lap}": "1000", "margin": "0,05", "action": "save"}
    assert post_form(staff_client, url, data).status_code == 302

    def target(uid: int) -> Target | None:
        session.expire_all()
        return session.get(Target, (demo.id, uid, "citizen"))

    assert target(an_phu).target == 150 and target(an_phu).transactions is None
    assert target(an_lac).target == sample_size(2400) == 343 and target(an_lac).transactions == 2400
    assert target(tan_lap).target == 90  # typed wins over the transactions on "save"
    assert target(units["XA_QUANG_TRUNG"]) is None  # both cells blank: no target
    data |= {"action": "compute", "margin": "0.1"}
    assert post_form(staff_client, url, data).status_code == 302
    assert target(tan_lap).target == sample_size(1000, 0.1) == 91
    assert target(an_phu).target == 150  # no transactions: the typed target stays


def test_targets_refuse_bad_numbers_and_keep_what_was_typed(staff_client, session, demo):
    units = {u.code: u.id for u in session.scalars(select(Unit))}
    url = f"/admin/rounds/{demo.id}/targets/business"
    before = {(t.unit_id, t.target) for t in session.scalars(select(Target).where(Target.group_code == "business"))}
    response = post_form(staff_client, url, {f"target-{units['XA_AN_PHU']}": "mười", "margin": "0.05",
                                             "action": "save"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="mười"' in html
    session.expire_all()
    after = {(t.unit_id, t.target) for t in session.scalars(select(Target).where(Target.group_code == "business"))}
    assert after == before


def test_unknown_round_is_404(staff_client, demo):
    assert staff_client.get("/admin/rounds/999").status_code == 404
    assert staff_client.get("/admin/rounds/999/dashboard").status_code == 404
