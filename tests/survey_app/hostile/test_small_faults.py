"""Smaller faults the red team found (issue 18): each was a 500 or a silent loss."""

from __future__ import annotations

from tests.factories import STAFF_PASSWORD, form_field, make_user


def test_control_characters_in_the_sign_in_next_are_ignored(app, client, session, demo):
    user = make_user(session, "admin")
    for target in ("/admin/\r\nSet-Cookie: x=1", "/admin/%0d%0a", "/\\evil.example", "/admin/\x00"):
        client = app.test_client()
        page = client.get("/admin/login")
        response = client.post("/admin/login", query_string={"next": target}, data={
            "email": user.email, "password": STAFF_PASSWORD,
            "csrf_token": form_field(page.get_data(as_text=True), "csrf_token")})
        assert response.status_code in (302, 400), target
        if response.status_code == 302:
            assert response.headers["Location"] in ("/admin/", "/admin/%0d%0a"), response.headers["Location"]


def test_huge_ids_and_page_numbers_are_not_found_not_500(app, staff_client, demo):
    huge = "9" * 30
    for path in (f"/admin/rounds/{huge}", f"/admin/users/{huge}/edit", f"/admin/desks/{huge}/edit",
                 f"/admin/rounds/{huge}/dashboard", f"/admin/questionnaires/{huge}", f"/admin/rounds/{2**63}/contacts"):
        assert staff_client.get(path).status_code == 404, path
    for page in (huge, str(2**63), "-1", "abc"):
        assert staff_client.get(f"/admin/rounds/{demo.id}/contacts?status=pending&page={page}").status_code == 200


def test_console_pages_with_personal_data_are_never_cached(app, staff_client, demo):
    for path in (f"/admin/rounds/{demo.id}/contacts", f"/admin/rounds/{demo.id}/comments", "/admin/users",
                 "/admin/audit", "/admin/"):
        response = staff_client.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path


def test_an_import_file_name_of_300_characters_is_audited_cut(app, staff_client, session, demo):
    import io

    from sqlalchemy import select

    from survey_app.models import AuditEntry
    from tests.survey_app.admin.conftest import post_form

    name = "đơn vị " * 40 + ".csv"
    text = "code,name_vi,kind\r\nXA_DAI,Xã Dài,commune\r\n"
    response = post_form(staff_client, "/admin/units/import", {"file": (io.BytesIO(text.encode()), name)},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    target = session.scalar(select(AuditEntry.target).where(AuditEntry.action == "units.import"))
    assert len(target) == 200 and target.endswith("…")


def test_a_draft_with_nul_keeps_everything_else(app, session, demo):
    from sqlalchemy import select

    from survey_app.models import Invitation, Unit
    from survey_app.services import invitations

    unit = session.scalars(select(Unit)).first()
    token = invitations.new_token()
    invitation = Invitation(round_id=demo.id, group_code="business", unit_id=unit.id, name="A", email="a@b.vn",
                            status="sent", send_attempts=1, reminders_sent=0, token_hash=invitations.token_hash(token))
    session.add(invitation)
    session.commit()
    client = app.test_client()
    form = form_field(client.get(f"/i/{token}").get_data(as_text=True), "form_token")
    saved = client.post(f"/i/{token}", data={"form_token": form, "action": "save", "s_acc_1": "4",
                                             "comment": "tốt\x00 lắm\x01"})
    assert saved.status_code == 200
    session.expire_all()
    draft = session.get(Invitation, invitation.id).draft
    assert draft["s_acc_1"] == ["4"] and draft.get("comment", ["tốt lắm"]) == ["tốt lắm"]


def test_downloaded_units_and_desks_import_back_unchanged_and_separators_are_quoted(app, staff_client, session, demo):
    import io

    from sqlalchemy import select

    from survey_app.models import Unit
    from survey_app.services.export import csv_row
    from tests.survey_app.admin.conftest import post_form

    unit = session.scalars(select(Unit).order_by(Unit.code)).first()
    unit.name_vi, unit.name_en = "=HYPERLINK(\"x\")", "abc;=1+1"
    session.commit()
    for kind in ("units", "desks"):
        text = staff_client.get(f"/admin/{kind}.csv").get_data()
        assert b"'=HYPERLINK" in text or kind == "desks"
        assert post_form(staff_client, f"/admin/{kind}/import", {"file": (io.BytesIO(text), f"{kind}.csv")},
                         content_type="multipart/form-data").status_code == 302, kind
    session.expire_all()
    again = session.get(Unit, unit.id)
    assert (again.name_vi, again.name_en) == ("=HYPERLINK(\"x\")", "abc;=1+1")  # no apostrophe added
    assert csv_row(["abc;=1+1", "a,b", "x"]) == '"abc;=1+1","a,b",x\r\n'
