"""The interviewer's endpoints: the round's questionnaires as data, each interview stored exactly once."""

from __future__ import annotations

import json
import secrets

from sqlalchemy import func, select

from survey_app.models import AuditEntry, Response, Round
from tests.factories import login, make_user


def _interviewer(app, session):  # type: ignore[no-untyped-def]
    user = make_user(session, "interviewer", "iv@example.org")
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def _interview(data: dict, **changes) -> dict:  # type: ignore[type-arg]
    q = next(q for q in data["questionnaires"] if q["group"] == "citizen")
    answers = {}
    for section in q["sections"]:
        for item in section["items"]:
            if item["relevant"]:
                continue
            if item["options"]:
                answers[item["code"]] = [str(item["options"][0]["code"])]
            elif item["min"] is not None:
                answers[item["code"]] = [str(item["min"])]
    answers["j_feedback_given"] = ["0"]  # so the questions on the feedback given do not apply
    body = {"nonce": secrets.token_urlsafe(18), "round": data["round"]["id"], "group": "citizen",
            "version": q["version"], "unit": data["units"][0]["code"], "answers": answers, "duration": 300}
    body.update(changes)
    return body


def _post(client, data, body):  # type: ignore[no-untyped-def]
    return client.post("/admin/interview/submit", data=json.dumps(body), content_type="application/json",
                       headers={"X-CSRFToken": data["csrf"]})


def test_an_interview_sent_twice_is_stored_once_with_one_receipt(app, session, demo: Round) -> None:
    client = _interviewer(app, session)
    assert client.get("/admin/").headers["Location"].endswith("/admin/interview/")
    data = client.get("/admin/interview/data.json").get_json()
    assert data["round"]["name"] == demo.name and data["csrf"]
    body = _interview(data)
    first, second = _post(client, data, body), _post(client, data, body)
    assert first.status_code == second.status_code == 200
    assert first.get_json()["status"] == "stored" and second.get_json()["status"] == "duplicate"
    assert first.get_json()["receipt"] == second.get_json()["receipt"]
    response = session.scalar(select(Response))
    assert session.scalar(select(func.count()).select_from(Response)) == 1 and response.channel == "interview"
    assert response.duration_seconds == 300
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "interview.received")).all()
    assert len(audit) == 1 and audit[0].detail == {"interviews": 1}


def test_invalid_or_stale_interviews_are_refused_and_not_stored(app, session, demo: Round) -> None:
    client = _interviewer(app, session)
    data = client.get("/admin/interview/data.json").get_json()
    bad = _post(client, data, _interview(data, answers={"j_trips": ["99"]}))
    assert bad.status_code == 422 and "j_trips" in bad.get_json()["errors"]
    stale = _post(client, data, _interview(data, version="0" * 64))
    assert stale.status_code == 409 and stale.get_json()["reason"] == "questionnaire_changed"
    assert _post(client, data, _interview(data, nonce="short")).status_code == 409
    assert _post(client, data, ["not", "an", "object"]).status_code == 409
    no_token = client.post("/admin/interview/submit", data=json.dumps(_interview(data)),
                           content_type="application/json")
    assert no_token.status_code == 400
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_the_worker_is_a_same_origin_script_for_signed_in_interviewers(app, client, session, demo: Round) -> None:
    assert client.get("/admin/interview/sw.js").status_code == 302  # sign in first
    assert client.get("/admin/interview/data.json").status_code == 302
    worker = _interviewer(app, session).get("/admin/interview/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert "importScripts" not in worker.get_data(as_text=True)  # nothing loaded from anywhere else


def test_only_groups_reached_by_interviewers_go_to_the_tablet(app, session, demo: Round) -> None:
    from survey_app.models import RespondentGroup

    client = _interviewer(app, session)
    data = client.get("/admin/interview/data.json").get_json()
    expected = {g.code for g in session.scalars(select(RespondentGroup)) if "interviewer" in g.reached_by}
    assert {q["group"] for q in data["questionnaires"]} == expected & {link.group_code for link in demo.questionnaires}
    assert "business" not in expected
