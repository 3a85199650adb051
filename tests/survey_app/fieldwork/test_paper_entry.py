"""Double entry of paper forms through the console: two people, agreement stores, disagreement is settled."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.models import AuditEntry, PaperEntry, PaperForm, Response, Round, Unit
from survey_app.questionnaire import Questionnaire, load_directory
from survey_app.questionnaire.answers import number_range_error
from survey_app.services.paper import issue_forms
from tests.conftest import QUESTIONNAIRE_DIR
from tests.factories import form_field, login, make_user


def typed_answers(q: Questionnaire, **overrides: str) -> dict[str, str]:
    """Codes for every required item (first option, smallest number), as staff type them."""
    typed = {}
    for item in q.items:
        if item.options:
            typed[item.code] = str(item.options[0].code)
        elif item.min is not None:
            typed[item.code] = str(item.min)
    typed.update(overrides)
    return typed


def _client(app, session, role: str, email: str) -> FlaskClient:
    user = make_user(session, role, email)
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def _key(client: FlaskClient, number: str, typed: dict[str, str]):  # type: ignore[no-untyped-def]
    opened = client.get(f"/admin/entry?number={number.lower().replace('-', ' ')}")
    assert opened.status_code == 302, opened.get_data(as_text=True)
    page = client.get(opened.headers["Location"])
    token = form_field(page.get_data(as_text=True), "csrf_token")
    return client.post(opened.headers["Location"], data={"csrf_token": token, **typed})


def _forms(session, demo: Round, count: int) -> list[str]:
    unit = session.scalar(select(Unit).where(Unit.code == "HUYEN_AN_BINH"))
    numbers = list(issue_forms(session, demo, "citizen", unit, count).numbers)
    session.commit()
    return numbers


def test_a_form_keyed_twice_alike_is_stored_once_with_no_trace_of_who_keyed_it(app, session, demo: Round) -> None:
    q = load_directory(QUESTIONNAIRE_DIR)["citizen"]
    (number,) = _forms(session, demo, 1)
    first = _client(app, session, "data_entry", "a@example.org")
    second = _client(app, session, "data_entry", "b@example.org")
    # The feedback question answered "No" (0): the three questions hanging on it are skipped,
    # so a code typed there by mistake is dropped, exactly as the web form does.
    dependent = next(item.code for item in q.items if item.relevant and item.relevant.item == "j_feedback_given")
    typed = typed_answers(q, j_feedback_given="0", **{dependent: "5"})

    assert _key(first, number, typed).status_code == 302
    assert session.scalar(select(PaperForm.status).where(PaperForm.number == number)) == "keyed"
    again = first.get(f"/admin/entry?number={number}")
    assert again.status_code == 422 and "khác" in again.get_data(as_text=True)  # another person must key it

    assert _key(second, number, typed).status_code == 302
    session.expire_all()
    response = session.scalar(select(Response))
    assert response.channel == "paper" and response.answers["j_feedback_given"] == 0
    assert dependent not in response.answers
    assert session.scalar(select(func.count()).select_from(PaperEntry)) == 0  # keyed copies gone
    assert session.get(PaperForm, number).status == "stored"
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "paper.keyed")).all()
    assert len(audit) == 2 and {entry.user.email for entry in audit} == {"a@example.org", "b@example.org"}
    assert all(number not in str(entry.target) + str(entry.detail) for entry in audit)

    third = _client(app, session, "data_entry", "c@example.org")
    refused = third.get(f"/admin/entry?number={number}")
    assert refused.status_code == 422 and session.scalar(select(func.count()).select_from(Response)) == 1


def test_disagreement_is_shown_side_by_side_and_settled_by_a_supervisor(app, session, demo: Round,
                                                                       staff_client: FlaskClient) -> None:
    q = load_directory(QUESTIONNAIRE_DIR)["citizen"]
    (number,) = _forms(session, demo, 1)
    first = _client(app, session, "data_entry", "a@example.org")
    second = _client(app, session, "data_entry", "b@example.org")
    assert _key(first, number, typed_answers(q, j_trips="3")).status_code == 302
    assert _key(second, number, typed_answers(q, j_trips="8")).status_code == 302
    assert session.scalar(select(PaperForm.status).where(PaperForm.number == number)) == "disputed"
    assert session.scalar(select(func.count()).select_from(Response)) == 0

    start = staff_client.get("/admin/entry").get_data(as_text=True)
    assert "<td>a@example.org</td><td class=\"num\">1</td>" in start  # who keyed how many, for the supervisor
    listing = staff_client.get("/admin/entry/disputes").get_data(as_text=True)
    assert number in listing
    page = staff_client.get(f"/admin/entry/disputes/{number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count('class="differs"') == 1
    assert "<td>3</td><td>8</td>" in html
    token = form_field(html, "csrf_token")
    missing = staff_client.post(f"/admin/entry/disputes/{number}", data={"csrf_token": token,
                                                                        **typed_answers(q, j_trips="")})
    assert missing.status_code == 422  # the differing answer must be decided
    settled = staff_client.post(f"/admin/entry/disputes/{number}", data={"csrf_token": token,
                                                                        **typed_answers(q, j_trips="3")})
    assert settled.status_code == 302
    session.expire_all()
    assert session.scalar(select(Response.answers))["j_trips"] == 3
    assert session.scalar(select(func.count()).select_from(PaperEntry)) == 0
    assert staff_client.get(f"/admin/entry/disputes/{number}").status_code == 404


def test_invalid_codes_are_refused_like_the_web_form_and_kept(app, session, demo: Round) -> None:
    q = load_directory(QUESTIONNAIRE_DIR)["citizen"]
    (number,) = _forms(session, demo, 1)
    client = _client(app, session, "data_entry", "a@example.org")
    result = _key(client, number, typed_answers(q, j_trips="99", field="x"))
    html = result.get_data(as_text=True)
    assert result.status_code == 422
    trips = load_directory(QUESTIONNAIRE_DIR)["citizen"].item("j_trips")
    assert number_range_error(trips).vi in html and 'value="99"' in html
    assert session.scalar(select(PaperForm.status).where(PaperForm.number == number)) == "issued"


def test_unknown_number_and_roles(app, session, demo: Round) -> None:
    client = _client(app, session, "data_entry", "a@example.org")
    assert client.get("/admin/").status_code == 302  # lands on data entry
    page = client.get("/admin/entry?number=ZZZZ-ZZZZ")
    assert page.status_code == 422 and "Không có phiếu" in page.get_data(as_text=True)
    assert client.get("/admin/entry/disputes").status_code == 403  # supervisors only
    analyst = _client(app, session, "analyst", "x@example.org")
    assert analyst.get("/admin/entry").status_code == 403
