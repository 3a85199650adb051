"""Importing contact lists: CSV and XLSX, every problem reported by row and column, all or nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from survey_app.models import AuditEntry, Invitation, Round
from survey_app.services.contacts import MAX_ROWS, UnreadableFile, describe, import_contact_file, read_table
from tests.factories import form_field, login, make_user
from tests.survey_app.invitations.support import businesses, csv_bytes, xlsx_bytes


def invitations(session) -> list[Invitation]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(Invitation).order_by(Invitation.id)))


def problems(report) -> list[tuple[int, str | None, str]]:  # type: ignore[no-untyped-def]
    return [(p.row or 0, p.column, p.reason) for p in report.problems]  # row 0: the file as a whole


def test_csv_import_stores_normalised_contacts(session, demo):
    rows = [("  Công ty Cổ phần Phú Thịnh ", "KeToan@PhuThinh.VN", "xa_phu_thinh", "Thương mại – dịch vụ", "2")]
    report = import_contact_file(session, demo, "business", "ds.csv", csv_bytes(rows))
    assert report.ok and report.imported == 1 and report.rows == 1
    stored = invitations(session)[0]
    assert (stored.name, stored.email, stored.unit.code) == ("Công ty Cổ phần Phú Thịnh", "ketoan@phuthinh.vn",
                                                             "XA_PHU_THINH")
    assert (stored.sector, stored.size, stored.status, stored.token_hash) == (2, 2, "pending", None)


def test_xlsx_import_with_vietnamese_headers_and_numeric_cells(session, demo):
    header = ("Họ và tên", "Email", "Mã đơn vị", "Lĩnh vực", "Quy mô")
    rows = [("Nguyễn Văn An", "an@xaanlac.gov.vn", "XA_AN_LAC", 1, 3.0), (None, None, None, None, None),
            ("Trần Thị Bình", "binh@xaanlac.gov.vn", "XA_AN_LAC", 3, 4)]
    report = import_contact_file(session, demo, "business", "ds.xlsx", xlsx_bytes(rows, header))
    assert report.ok and report.imported == 2, report.problems
    assert [(i.sector, i.size) for i in invitations(session)] == [(1, 3), (3, 4)]


def test_every_bad_row_is_reported_and_nothing_is_imported(session, demo):
    rows = [
        ("Công ty A", "a@congtya.vn", "XA_AN_PHU", "1", "1"),        # row 2: fine
        ("", "khongten@congty.vn", "XA_AN_PHU", "1", "1"),             # row 3: no name
        ("Công ty C", "không phải email", "XA_AN_PHU", "1", "1"),     # row 4: malformed email
        ("Công ty D", "", "XA_AN_PHU", "1", "1"),                      # row 5: no email
        ("Công ty E", "e@congtye.vn", "XA_KHONG_CO", "1", "1"),        # row 6: unknown unit
        ("Công ty A bis", "A@CongTyA.vn", "XA_AN_PHU", "1", "1"),      # row 7: duplicate of row 2
        ("Công ty G", "g@congtyg.vn", "XA_AN_PHU", "9", "Khổng lồ"),   # row 8: bad sector and size
        ("Công ty H", "h@@congtyh.vn", "", "1", "1"),                  # row 9: two problems
    ]
    report = import_contact_file(session, demo, "business", "ds.csv", csv_bytes(rows))
    assert not report.ok and report.imported == 0
    assert problems(report) == [
        (3, "name", "missing_value"), (4, "email", "bad_email"), (5, "email", "missing_value"),
        (6, "unit", "unknown_unit"), (7, "email", "duplicate_in_file"), (8, "sector", "bad_choice"),
        (8, "size", "bad_choice"), (9, "unit", "missing_value"), (9, "email", "bad_email"),
    ]
    assert report.problems[4].other_row == 2
    assert describe(report.problems[4]) == "Row 7, column email: same email as row 2"
    assert invitations(session) == []


def test_an_address_already_invited_in_the_round_is_refused(session, demo):
    import_contact_file(session, demo, "business", "one.csv", csv_bytes(businesses(2)))
    report = import_contact_file(session, demo, "office_head", "two.csv",
                                 csv_bytes([("Trưởng phòng", "ketoan1@doanhnghiep1.vn", "P_NOI_VU")],
                                           header=("name", "email", "unit")))
    assert problems(report) == [(2, "email", "already_invited")]
    assert len(invitations(session)) == 2


def test_column_report(session, demo):
    report = import_contact_file(session, demo, "commune_chair", "ds.csv",
                                 csv_bytes([("x", "y")], header=("email", "phone")))
    assert problems(report) == [(1, "phone", "unknown_column"), (1, "name", "missing_column"),
                                (1, "unit", "missing_column")]
    ignored_only = import_contact_file(session, demo, "commune_chair", "ds.csv", csv_bytes(
        [("Chủ tịch xã", "ct@xaanphu.gov.vn", "XA_AN_PHU", "0912345678")], header=("name", "email", "unit", "phone")))
    assert ignored_only.ok and ignored_only.imported == 1
    assert problems(ignored_only) == [(1, "phone", "unknown_column")]


@pytest.mark.parametrize(("name", "data", "code"), [
    ("ds.csv", "tên,email\nCông ty".encode("cp1258"), "not_utf8"),
    ("ds.xlsx", b"PK\x03\x04 not really a zip", "not_xlsx"),
    ("ds.pdf", b"%PDF-1.7", "wrong_type"),
    ("ds.csv", b"", "empty_file"),
])
def test_unreadable_files(session, demo, name, data, code):
    report = import_contact_file(session, demo, "business", name, data)
    assert problems(report) == [(0, None, code)]


def test_semicolon_separated_csv_from_excel(session, demo):
    data = "name;email;unit\r\nPhòng Tư pháp;tp@anbinh.gov.vn;P_TU_PHAP\r\n".encode()
    assert import_contact_file(session, demo, "office_head", "ds.csv", data).imported == 1


def test_too_many_rows(session, demo):
    data = csv_bytes([("a", f"a{i}@b.vn", "XA_AN_PHU") for i in range(MAX_ROWS + 2)], header=("name", "email", "unit"))
    with pytest.raises(UnreadableFile):  # the upload reader stops one past the limit
        read_table("x.csv", data)
    assert problems(import_contact_file(session, demo, "office_head", "x.csv", data)) == \
        [(MAX_ROWS + 2, None, "too_many_rows")]


def test_cli_import(app, session, demo, tmp_path):
    good = tmp_path / "businesses.xlsx"
    good.write_bytes(xlsx_bytes(businesses(3)))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["invitations", "import", "--round", demo.name, "--group", "business",
                                 "--file", str(good)])
    assert result.exit_code == 0 and "Imported 3 contacts" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([("X", "nope", "XA_AN_PHU", "1", "1")]))
    refused = runner.invoke(args=["invitations", "import", "--round", str(demo.id), "--group", "business",
                                  "--file", str(bad)])
    assert refused.exit_code != 0 and "Row 2, column email: not a valid email address" in refused.output
    assert "nothing imported" in refused.output
    citizens = runner.invoke(args=["invitations", "import", "--round", str(demo.id), "--group", "citizen",
                                   "--file", str(good)])
    assert citizens.exit_code != 0
    assert len(invitations(session)) == 3
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "contacts.import")) == 1


def test_closed_round_refuses_imports(session, demo):
    from survey_app.services.errors import Invalid

    round_ = session.get(Round, demo.id)
    round_.status = "closed"
    session.commit()
    with pytest.raises(Invalid):
        import_contact_file(session, round_, "business", "ds.csv", csv_bytes(businesses(1)))


def console(app, session, role: str = "admin", unit_code: str | None = None):  # type: ignore[no-untyped-def]
    user = make_user(session, role, unit_code=unit_code)
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def upload(client, round_id: int, name: str, data: bytes, group: str = "business"):  # type: ignore[no-untyped-def]
    page = client.get(f"/admin/rounds/{round_id}/contacts")
    token = form_field(page.get_data(as_text=True), "csrf_token")
    return client.post(f"/admin/rounds/{round_id}/contacts/import",
                       data={"csrf_token": token, "group": group, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_console_import_reports_rows_in_vietnamese_then_imports(app, session, demo):
    client = console(app, session)
    rows = businesses(3)
    rows[1] = ("Công ty lỗi", "sai-dia-chi", "XA_AN_PHU", "2", "1")
    refused = upload(client, demo.id, "ds.csv", csv_bytes(rows))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Chưa nhập dữ liệu nào" in html and "Địa chỉ email không hợp lệ: sai-dia-chi" in html
    assert '<td class="num">3</td><td>email</td>' in html  # row number and column
    assert invitations(session) == []

    big = businesses(3000)  # larger than a survey form may be
    done = upload(client, demo.id, "ds.xlsx", xlsx_bytes(big))
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập 3000 liên hệ" in page
    assert "Xã An Phú" in page and "chờ gửi" in page and ">3000<" in page


def test_console_roles(app, session, demo):
    import_contact_file(session, demo, "business", "ds.csv", csv_bytes(businesses(2) + businesses(1, "XA_AN_LAC", 5)))
    officer = console(app, session, "unit_officer", "XA_AN_LAC")
    page = officer.get(f"/admin/rounds/{demo.id}/contacts")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "XA_AN_LAC" in html and "XA_AN_PHU" not in html
    assert "ketoan" not in html  # no addresses for unit officers
    assert upload(officer, demo.id, "ds.csv", csv_bytes(businesses(1, start=9))).status_code == 403
    analyst = console(app, session, "analyst")
    assert analyst.get(f"/admin/rounds/{demo.id}/contacts?status=pending").status_code == 200
    assert "ketoan" not in analyst.get(f"/admin/rounds/{demo.id}/contacts?status=pending").get_data(as_text=True)
    admin = console(app, session)
    listed = admin.get(f"/admin/rounds/{demo.id}/contacts?status=pending").get_data(as_text=True)
    assert "ketoan0@doanhnghiep0.vn" in listed
    assert admin.get("/admin/rounds/9999/contacts").status_code == 404
    assert app.test_client().get(f"/admin/rounds/{demo.id}/contacts").status_code == 302  # signed out


def test_console_reveals_the_slip_secret_with_an_audit_entry(app, session, demo):
    client = console(app, session)
    page = client.get(f"/admin/rounds/{demo.id}/contacts").get_data(as_text=True)
    assert client.post(f"/admin/rounds/{demo.id}/slip-secret").status_code == 400  # no CSRF token
    shown = client.post(f"/admin/rounds/{demo.id}/slip-secret", data={"csrf_token": form_field(page, "csrf_token")})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert session.get(Round, demo.id).slip_secret.hex() in shown.get_data(as_text=True)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "round.slip_secret.reveal")).one()
    assert entry.user_id is not None and entry.detail == {"via": "console"}
    analyst = console(app, session, "analyst")
    token = form_field(analyst.get(f"/admin/rounds/{demo.id}/contacts").get_data(as_text=True), "csrf_token")
    assert analyst.post(f"/admin/rounds/{demo.id}/slip-secret", data={"csrf_token": token}).status_code == 403


def test_a_multi_line_name_becomes_one_line(session, demo):
    data = 'name,email,unit\r\n"Công ty\r\nTNHH   Hòa Bình",hb@hoabinh.vn,XA_HOA_BINH\r\n'.encode()
    assert import_contact_file(session, demo, "office_head", "ds.csv", data).imported == 1
    assert invitations(session)[0].name == "Công ty TNHH Hòa Bình"


def test_header_only_file_imports_nothing(session, demo):
    report = import_contact_file(session, demo, "office_head", "ds.csv", b"name,email,unit\r\n")
    assert report.ok and report.imported == 0 and report.rows == 0


def test_two_imports_of_one_list_at_once_store_it_once(app, session, demo):
    import threading

    from survey_app.extensions import db

    data = csv_bytes(businesses(200))
    reports = []

    def run() -> None:
        with db.new_session() as own:  # each the caller: it commits what the import added
            reports.append(import_contact_file(own, own.get(Round, demo.id), "business", "ds.csv", data))
            own.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.imported for r in reports) == [0, 200]
    assert any(p.reason == "already_invited" for r in reports for p in r.problems)
    assert len(invitations(session)) == 200
