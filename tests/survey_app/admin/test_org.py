"""Units and desks through the console: forms, CSV import with row-level errors, CSV download."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from survey_app.models import AuditEntry, ServicePoint, Unit
from tests.survey_app.admin.conftest import post_form


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def upload(client, kind: str, text: str, encoding: str = "utf-8-sig"):
    return post_form(client, f"/admin/{kind}/import",
                     {"file": (io.BytesIO(text.encode(encoding)), f"{kind}.csv")},
                     content_type="multipart/form-data")


def test_create_and_edit_a_unit(staff_client, session, demo):
    response = post_form(staff_client, "/admin/units/new", {
        "code": "xa_binh_minh", "name_vi": "Xã Bình Minh", "name_en": "Binh Minh Commune", "kind": "commune",
        "parent_code": "HUYEN_AN_BINH"})
    assert response.status_code == 302
    unit = session.scalar(select(Unit).where(Unit.code == "XA_BINH_MINH"))
    assert unit.parent.code == "HUYEN_AN_BINH" and unit.name_vi == "Xã Bình Minh"
    assert "Xã Bình Minh" in staff_client.get("/admin/units").get_data(as_text=True)
    taken = post_form(staff_client, f"/admin/units/{unit.id}/edit", {
        "code": "XA_AN_PHU", "name_vi": "Xã Bình Minh", "kind": "commune", "parent_code": ""})
    assert taken.status_code == 422 and "đã được dùng" in taken.get_data(as_text=True)
    district = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    cycle = post_form(staff_client, f"/admin/units/{district.id}/edit", {
        "code": "HUYEN_AN_BINH", "name_vi": "Huyện An Bình", "kind": "district", "parent_code": "XA_BINH_MINH"})
    assert cycle.status_code == 422
    session.expire_all()
    assert session.get(Unit, district.id).parent_id is None


def test_create_a_desk_gets_a_random_code_and_edit_keeps_it(staff_client, session, demo):
    response = post_form(staff_client, "/admin/desks/new", {
        "unit_code": "XA_AN_PHU", "name_vi": "Quầy 2 Xã An Phú", "fields": "1; 2;3", "active": "y"})
    assert response.status_code == 302
    desk = session.scalar(select(ServicePoint).where(ServicePoint.name_vi == "Quầy 2 Xã An Phú"))
    assert len(desk.code) == 7 and desk.fields == [1, 2, 3] and desk.active and not desk.kiosk_enabled
    code = desk.code
    post_form(staff_client, f"/admin/desks/{desk.id}/edit", {
        "unit_code": "XA_AN_PHU", "name_vi": "Quầy số 2", "code": "", "fields": "", "kiosk_enabled": "y"})
    session.expire_all()
    desk = session.get(ServicePoint, desk.id)
    assert desk.code == code and desk.name_vi == "Quầy số 2" and desk.kiosk_enabled and not desk.active
    assert f"/q/{code}" in staff_client.get("/admin/desks").get_data(as_text=True)
    actions = session.scalars(select(AuditEntry.action)).all()
    assert "desk.create" in actions and "desk.update" in actions


def test_import_units_creates_updates_and_resolves_parents_in_the_file(staff_client, session, demo):
    before = count(session, Unit)
    text = ("code;name_vi;name_en;kind;parent_code\n"
            "XA_MOI;Xã Mới;New Commune;commune;HUYEN_MOI\n"
            "HUYEN_MOI;Huyện Mới;;district;\n"
            "XA_AN_PHU;Xã An Phú (sửa);An Phu;commune;HUYEN_AN_BINH\n")
    response = upload(staff_client, "units", text)
    assert response.status_code == 302
    assert count(session, Unit) == before + 2
    new = session.scalar(select(Unit).where(Unit.code == "XA_MOI"))
    assert new.parent.code == "HUYEN_MOI"
    assert session.scalar(select(Unit.name_vi).where(Unit.code == "XA_AN_PHU")) == "Xã An Phú (sửa)"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "units.import"))
    assert entry.detail == {"created": 2, "updated": 1}


def test_import_with_bad_rows_reports_each_line_and_stores_nothing(staff_client, session, demo):
    before = count(session, Unit)
    text = ("code,name_vi,kind,parent_code\n"
            "XA_TOT,Xã Tốt,commune,HUYEN_AN_BINH\n"
            ",Không mã,commune,\n"
            "XA_SAI,Xã Sai,village,\n"
            "XA_MO_COI,Xã Mồ Côi,commune,KHONG_CO\n"
            "XA_TOT,Lặp lại,commune,\n")
    response = upload(staff_client, "units", text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dòng 3, cột code" in html and "Dòng 4, cột kind" in html and "village" in html
    assert "Dòng 5, cột parent_code" in html and "KHONG_CO" in html and "Dòng 6, cột code" in html
    assert "Dòng 2" not in html
    assert count(session, Unit) == before


def test_import_refuses_unknown_columns_and_non_utf8(staff_client, session, demo):
    html = upload(staff_client, "units", "code,ten,kind\nX,Y,commune\n").get_data(as_text=True)
    assert "ten" in html and "name_vi" in html
    latin = upload(staff_client, "desks", "unit_code,name_vi\nXA_AN_PHU,Quý\n", encoding="latin-1")
    assert latin.status_code == 422 and "UTF-8" in latin.get_data(as_text=True)


def test_import_desks(staff_client, session, demo):
    before = count(session, ServicePoint)
    text = ("unit_code,name_vi,code,fields,active,kiosk_enabled\n"
            "XA_AN_PHU,Quầy A,,1;2,1,0\n"
            "XA_AN_LAC,Quầy B,quay-b,,có,1\n"
            "demo_unit_missing,Quầy C,,,1,0\n")
    bad = upload(staff_client, "desks", text)
    assert bad.status_code == 422 and "DEMO_UNIT_MISSING" in bad.get_data(as_text=True)
    assert count(session, ServicePoint) == before
    good = upload(staff_client, "desks", text.rsplit("demo_unit_missing", 1)[0])
    assert good.status_code == 302 and count(session, ServicePoint) == before + 2
    desk = session.scalar(select(ServicePoint).where(ServicePoint.code == "quay-b"))
    assert desk.unit.code == "XA_AN_LAC" and desk.kiosk_enabled and desk.active
    again = upload(staff_client, "desks", "code,unit_code,name_vi\nquay-b,XA_AN_LAC,Quầy B mới\n")
    assert again.status_code == 302 and count(session, ServicePoint) == before + 2


def test_download_round_trips_through_import(staff_client, session, demo):
    csv_text = staff_client.get("/admin/units.csv").get_data().decode("utf-8-sig")
    assert csv_text.startswith("code,name_vi,name_en,kind,parent_code")
    before = count(session, Unit)
    assert upload(staff_client, "units", csv_text).status_code == 302
    assert count(session, Unit) == before
    desks = staff_client.get("/admin/desks.csv").get_data().decode("utf-8-sig")
    assert "demo,HUYEN_AN_BINH" in desks
    assert upload(staff_client, "desks", desks).status_code == 302


def test_hostile_names_are_escaped(staff_client, session, demo):
    hostile = '<img src=x onerror=alert(1)>'
    post_form(staff_client, "/admin/units/new", {"code": "XA_X", "name_vi": hostile, "kind": "commune"})
    html = staff_client.get("/admin/units").get_data(as_text=True)
    assert hostile not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    bad = upload(staff_client, "units", f"code,name_vi,kind\nXA_Y,Y,{hostile}\n").get_data(as_text=True)
    assert hostile not in bad and "&lt;img" in bad


def test_unit_validity_and_merger_through_the_console(staff_client, session, demo):
    """Dates are typed dd/mm/yyyy, the merger chosen from the units; the edit form shows them back."""
    from tests.survey_app.admin.conftest import post_form

    fields = {"code": "XA_AN_PHU", "name_vi": "Xã An Phú", "kind": "commune", "parent_code": "HUYEN_AN_BINH",
              "valid_to": "30/06/2025", "replaced_by": ["XA_AN_LAC"]}
    unit = session.scalar(select(Unit).where(Unit.code == "XA_AN_PHU"))
    assert post_form(staff_client, f"/admin/units/{unit.id}/edit", fields).status_code == 302
    session.expire_all()
    unit = session.scalar(select(Unit).where(Unit.code == "XA_AN_PHU"))
    assert unit.valid_to.isoformat() == "2025-06-30" and [u.code for u in unit.replaced_by] == ["XA_AN_LAC"]
    page = staff_client.get(f"/admin/units/{unit.id}/edit").get_data(as_text=True)
    assert 'value="30/06/2025"' in page and re.search(r'<option selected value="XA_AN_LAC">', page)
    bad = {**fields, "valid_to": "31/02/2025"}
    html = post_form(staff_client, f"/admin/units/{unit.id}/edit", bad).get_data(as_text=True)
    assert "31/02/2025" in html and "dd/mm/yyyy" in html
    # An import accepts a kind as lists write it ("Phường", "ward"); a wrong one lists the allowed values.
    good = "code,name_vi,kind\r\nP_MOT,Phường Một,Phường\r\nP_HAI,Phường Hai,ward\r\n"
    assert upload(staff_client, "units", good).status_code == 302
    assert {u.kind for u in session.scalars(select(Unit).where(Unit.code.in_(["P_MOT", "P_HAI"])))} == {"ward"}
    html = upload(staff_client, "units", "code,name_vi,kind\r\nX_BA,Làng Ba,làng\r\n").get_data(as_text=True)
    assert "làng" in html and "phường (ward)" in html and "xã (commune)" in html
