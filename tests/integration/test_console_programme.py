"""Must show (issue 12): a programme built entirely through the console, answered, and computed.

Starting from an empty database, an administrator makes through the console
alone a new unit kind (a public library), a group reached at the desk by QR
code and a new group reached by personal link, the units and a desk, a
programme with a questionnaire for each group (pasted YAML) and an index
scheme (uploaded YAML), and a round of it. Readers answer by the desk's QR
code, board members by the link in their invitation email; the console's CSV
export and the programme's stored scheme then give the index with
``python -m analysis``. No code change and no file in the repository edited.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from analysis.cli import main as analysis_main
from survey_app.models import Programme, Response, Round, ServicePoint, Unit, today_utc
from survey_app.services.programmes import round_groups, round_schemes
from tests.factories import form_field, login, make_user
from tests.survey_app.invitations.support import Mailbox, start_smtp, token_in

READER_FORM = """\
group: reader
title: {vi: "Phiếu khảo sát bạn đọc thư viện", en: "Library reader survey"}
intro: {vi: "Xin Ông/Bà cho biết ý kiến về thư viện.", en: "Please tell us about the library."}
sections:
  - code: A
    title: {vi: "Mức độ hài lòng", en: "Satisfaction"}
    items:
      - code: s_space_1
        type: satisfaction5
        required: true
        feeds: SPACE
        text: {vi: "Ông/Bà hài lòng với phòng đọc?", en: "Are you satisfied with the reading room?"}
      - code: s_staff_1
        type: satisfaction5
        required: true
        feeds: STAFF
        text: {vi: "Ông/Bà hài lòng với thái độ của thủ thư?", en: "Are you satisfied with the librarians?"}
"""
BOARD_FORM = READER_FORM.replace("group: reader", "group: board_member").replace(
    "Phiếu khảo sát bạn đọc thư viện", "Phiếu khảo sát thành viên hội đồng thư viện")
SCHEME = """\
code: library
kind: satisfaction
title: {vi: "Chỉ số hài lòng về thư viện", en: "Library satisfaction index"}
satisfied: [4, 5]
measure: satisfied
index:
  code: LIB
  title: {vi: "Chỉ số hài lòng về thư viện", en: "Library satisfaction index"}
  children:
    - code: SPACE
      title: {vi: "Phòng đọc", en: "Reading room"}
      items: [s_space_1]
    - code: STAFF
      title: {vi: "Thủ thư", en: "Librarians"}
      items: [s_staff_1]
"""


class FreshContextClient(FlaskClient):
    """Each request in its own application context, as in production (see tests/survey_app/admin/conftest.py)."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def mailbox(app: Flask):  # type: ignore[no-untyped-def]
    box = Mailbox()
    controller = start_smtp(box)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=box.port, MAIL_FROM="khao-sat@thuvien.gov.vn",
                      SMTP_TIMEOUT=5)
    yield box
    controller.stop()


def post(client: FlaskClient, url: str, data: dict[str, object], page: str | None = None, **kwargs):
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": form_field(html, "csrf_token"), **data}, **kwargs)


def ok(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-3000:]


def test_a_programme_made_in_the_console_is_answered_and_computed(app, session, mailbox, tmp_path):
    app.test_client_class = FreshContextClient
    admin = make_user(session, "admin")
    staff = app.test_client()
    assert login(staff, admin.email).status_code == 302

    # 1. A new kind of unit and two new groups, one reached at the desk, one by personal link.
    ok(post(staff, "/admin/unit-kinds/new", {"code": "library", "name_vi": "Thư viện", "name_en": "Library",
                                             "aliases": "thư viện; library", "tier": "province"}))
    ok(post(staff, "/admin/groups/new", {"code": "reader", "name_vi": "Bạn đọc", "name_en": "Readers",
                                         "reached_by": ["desk_qr", "kiosk"], "about_kinds": ["library"]}))
    ok(post(staff, "/admin/groups/new", {"code": "board_member", "name_vi": "Thành viên hội đồng thư viện",
                                         "name_en": "Library board members", "reached_by": ["link"],
                                         "census": "y", "about_kinds": ["library"]}))
    # 2. Units (the kind given as an import would write it) and a desk.
    ok(post(staff, "/admin/units/new", {"code": "TV_TINH", "name_vi": "Thư viện tỉnh", "kind": "library"}))
    ok(post(staff, "/admin/units/new", {"code": "TV_HUYEN_CU", "name_vi": "Thư viện huyện (cũ)", "kind": "library",
                                        "valid_to": "30/06/2025", "replaced_by": ["TV_TINH"]}))
    imported = post(staff, "/admin/units/import", {"file": (io.BytesIO(
        "code,name_vi,kind\r\nTV_THIEU_NHI,Thư viện thiếu nhi,Thư viện\r\n".encode()), "units.csv")},
        content_type="multipart/form-data")
    ok(imported)
    ok(post(staff, "/admin/desks/new", {"unit_code": "TV_TINH", "name_vi": "Quầy mượn sách", "code": "thu-vien",
                                        "active": "y"}))
    # 3. The programme: kinds, groups, a questionnaire for each (pasted), a scheme (uploaded).
    ok(post(staff, "/admin/programmes/new", {
        "code": "library_2027", "title_vi": "Chỉ số hài lòng về thư viện 2027", "kind": "sipas",
        "unofficial_note_vi": "Minh họa: hãy chép số liệu của quyết định đang áp dụng.",
        "unit_kinds": ["library"], "groups": ["reader", "board_member"]}))
    programme = session.scalar(select(Programme).where(Programme.code == "library_2027"))
    page = f"/admin/programmes/{programme.id}"
    for form in (READER_FORM, BOARD_FORM):
        ok(post(staff, f"{page}/questionnaire", {"source": form}, page=page))
    ok(post(staff, f"{page}/scheme", {"file": (io.BytesIO(SCHEME.encode()), "library.yaml")}, page=page,
            content_type="multipart/form-data"))
    detail = staff.get(page).get_data(as_text=True)
    assert "chép số liệu của quyết định" in detail and "library" in detail
    # 4. A round of it, opened.
    today = today_utc()
    ok(post(staff, "/admin/rounds/new", {
        "name": "Khảo sát thư viện 2027", "period": "2027", "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(), "reminder_limit": "1",
        "programmes": [str(programme.id)]}))
    round_ = session.scalar(select(Round).where(Round.name == "Khảo sát thư viện 2027"))
    assert [g.code for g in round_groups(session, round_)] == ["reader", "board_member"]
    ok(post(staff, f"/admin/rounds/{round_.id}/status", {"status": "open"}, page=f"/admin/rounds/{round_.id}"))
    # A round offers only the units that exist on its dates.
    targets = staff.get(f"/admin/rounds/{round_.id}/targets/reader").get_data(as_text=True)
    assert "TV_TINH" in targets and "TV_THIEU_NHI" in targets and "TV_HUYEN_CU" not in targets

    # 5. Readers answer by the desk's QR code.
    readers = [("5", "4"), ("4", "2"), ("2", "5"), ("5", "5")]
    for space, staff_answer in readers:
        phone = app.test_client()
        html = phone.get("/q/thu-vien").get_data(as_text=True)
        assert "Phiếu khảo sát bạn đọc thư viện" in html
        sent = phone.post("/q/thu-vien", data={"s_space_1": space, "s_staff_1": staff_answer,
                                                "form_token": form_field(html, "form_token")})
        assert sent.status_code == 303, sent.get_data(as_text=True)[-2000:]
    # 6. Board members by the link of their invitation.
    contacts = "name,email,unit\r\nBà A,a@thuvien.gov.vn,TV_TINH\r\nÔng B,b@thuvien.gov.vn,TV_TINH\r\n"
    contacts_page = f"/admin/rounds/{round_.id}/contacts"
    assert "Thành viên hội đồng thư viện" in staff.get(contacts_page).get_data(as_text=True)
    ok(post(staff, f"{contacts_page}/import", {"group": "board_member", "file": (
        io.BytesIO(contacts.encode()), "contacts.csv")}, page=contacts_page, content_type="multipart/form-data"))
    result = app.test_cli_runner().invoke(args=["invitations", "send", "--round", str(round_.id)])
    assert result.exit_code == 0, result.output
    for address, answers in (("a@thuvien.gov.vn", ("4", "4")), ("b@thuvien.gov.vn", ("1", "5"))):
        token = token_in(mailbox.to(address)[0])
        browser = app.test_client()
        html = browser.get(f"/i/{token}").get_data(as_text=True)
        assert "thành viên hội đồng thư viện" in html.lower()
        sent = browser.post(f"/i/{token}", data={"s_space_1": answers[0], "s_staff_1": answers[1],
                                                  "form_token": form_field(html, "form_token")})
        assert sent.status_code == 303
    session.expire_all()
    stored = {(r.group_code, r.channel) for r in session.scalars(select(Response))}
    assert stored == {("reader", "qr"), ("board_member", "link")}

    # 7. The console's export and the programme's scheme give the index with python -m analysis.
    export = staff.get(f"/admin/rounds/{round_.id}/export.csv")
    assert export.status_code == 200
    responses_csv = tmp_path / "responses.csv"
    responses_csv.write_bytes(export.get_data())
    (_programme, code, _parsed), = round_schemes(session.get(Round, round_.id))
    scheme_file = tmp_path / f"{code}.yaml"
    scheme_file.write_text(next(s.source for s in _programme.schemes if s.code == code), encoding="utf-8")
    out = tmp_path / "estimates.csv"
    assert analysis_main(["estimate", "--responses", str(responses_csv), "--scheme", str(scheme_file),
                          "--by", "group", "--out", str(out)]) == 0
    rows = {(r["indicator"], r["domain"]): float(r["estimate"]) for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    index = {key: value for key, value in rows.items() if re.search(r"\bLIB\b", key[0])}
    assert index, sorted(rows)[:20]
    # Unweighted: SPACE satisfied 4 of 6 answers, STAFF 5 of 6; LIB is their mean.
    overall = next(value for (name, domain), value in index.items() if domain == "all")
    assert overall == pytest.approx((4 / 6 + 5 / 6) / 2)
    assert session.scalar(select(ServicePoint).where(ServicePoint.code == "thu-vien")).unit.kind == "library"
    assert session.scalar(select(Unit).where(Unit.code == "TV_THIEU_NHI")).kind == "library"
