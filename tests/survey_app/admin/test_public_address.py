"""The console says when the public address (QR codes, posters, emails) is not the one in use,
and a role refusal says it is one."""

from __future__ import annotations

from tests.factories import login, make_user


def test_console_warns_when_the_public_address_is_not_the_one_in_use(app, staff_client):
    page = staff_client.get("/admin/").get_data(as_text=True)
    assert "Địa chỉ công khai" not in page  # BASE_URL is http://localhost, as the test client
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    page = staff_client.get("/admin/").get_data(as_text=True)
    assert "Địa chỉ công khai dùng cho mã QR" in page and "http://127.0.0.1:5000" in page
    assert "http://localhost" in page
    app.config["BASE_URL"] = "http://localhost:80/"
    assert "Địa chỉ công khai" not in staff_client.get("/admin/").get_data(as_text=True)


def test_a_role_refusal_says_so(app, session, demo):
    officer = make_user(session, "unit_officer", unit_code="XA_AN_PHU")
    client = app.test_client()
    login(client, officer.email)
    response = client.get("/admin/users")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Tài khoản không có quyền" in page and "chưa mở" not in page
