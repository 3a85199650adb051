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
