"""Hostile free text written by respondents (or staff) is shown escaped everywhere in the console."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.models import Round, Unit
from tests.factories import make_response
from tests.survey_app.admin.conftest import post_form
from tests.survey_app.respondent.test_desk_survey import VALID, open_form

PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "</td></tr></table><iframe src=//evil.example>",
    "{{ 7*7 }} {% raw %}",
]


def test_hostile_comments_submitted_through_the_survey_are_escaped(client, staff_client, session, demo):
    for payload in PAYLOADS:
        _, hidden = open_form(client)
        assert client.post("/q/demo", data={**VALID, **hidden, "comment": payload}).status_code == 303
    html = staff_client.get(f"/admin/rounds/{demo.id}/comments").get_data(as_text=True)
    for payload in PAYLOADS[:3]:  # the ones with markup
        assert payload not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;iframe" in html
    assert "{{ 7*7 }}" in html and "49" not in html  # text, not a template
    assert "<iframe" not in html and "<img" not in html and "<script>" not in html


def test_comments_page_lists_the_newest_answers(staff_client, session, demo):
    make_response(session, demo, "XA_AN_PHU", answers={"comment": "Cán bộ nhiệt tình"})
    make_response(session, demo, "XA_AN_PHU", answers={"s_acc_1": 4})  # no text: not listed
    html = staff_client.get(f"/admin/rounds/{demo.id}/comments").get_data(as_text=True)
    assert "Cán bộ nhiệt tình" in html and "XA_AN_PHU" in html and html.count('<td class="free">') == 1


def test_hostile_staff_input_is_escaped_on_every_page(staff_client, session, demo):
    hostile = "<svg onload=alert(1)>"
    round_ = session.get(Round, demo.id)
    round_.name, round_.period = f"Đợt {hostile}", hostile
    unit = session.scalar(select(Unit).where(Unit.code == "XA_AN_PHU"))
    unit.name_vi = f"Xã {hostile}"
    session.commit()
    make_response(session, demo, "XA_AN_PHU", answers={"comment": "x"})
    post_form(staff_client, "/admin/units/new", {"code": "XA_Z", "name_vi": "Z", "kind": "commune"})
    pages = ["/admin/", f"/admin/rounds/{demo.id}", f"/admin/rounds/{demo.id}/dashboard",
             f"/admin/rounds/{demo.id}/targets/citizen", f"/admin/rounds/{demo.id}/edit",
             "/admin/units", "/admin/desks", "/admin/questionnaires", "/admin/audit",
             f"/admin/rounds/{demo.id}/comments"]
    for page in pages:
        response = staff_client.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert hostile not in html, page
    dashboard = staff_client.get(f"/admin/rounds/{demo.id}/dashboard").get_data(as_text=True)
    assert "&lt;svg onload=alert(1)&gt;" in dashboard
