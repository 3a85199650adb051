"""POST /api/v1/codes: result-slip codes for a desk, authenticated by the desk's own API key."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from survey_app.models import AuditEntry, Round, ServicePoint
from survey_app.services import apikeys, slipcodes


@pytest.fixture
def key(app, session, demo) -> str:
    result = app.test_cli_runner().invoke(args=["apikeys", "create", "--desk", "demo"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_key_is_shown_once_and_only_its_hash_is_stored(session, key):
    session.expire_all()
    desk = session.scalar(select(ServicePoint).where(ServicePoint.code == "demo"))
    assert key.startswith("spk_") and len(key) >= 40
    assert desk.api_key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in desk.api_key_hash
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.target == "demo")) == "desk.api_key.create"


def test_mint_a_batch(client, session, demo, key):
    response = client.post("/api/v1/codes", json={"field": 2, "count": 3}, headers=bearer(key))
    assert response.status_code == 201
    body = response.get_json()
    assert body["desk"] == "demo" and body["field"] == 2 and body["round"]["id"] == demo.id
    assert body["round"]["closes_on"] == demo.closes_on.isoformat()
    codes = [c["code"] for c in body["codes"]]
    assert len(set(codes)) == 3
    assert body["codes"][0]["url"] == f"http://localhost/r/{codes[0]}"
    payload = slipcodes.decode(codes[0])
    assert (payload.round_id, payload.desk_code, payload.field) == (demo.id, "demo", 2)
    assert client.get(f"/r/{codes[0]}").status_code == 200  # each one opens the survey


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer"}, {"Authorization": "Bearer spk_wrong"}, {"Authorization": "Basic abc"},
    {"Authorization": "Bearer " + "x" * 5000},
])
def test_refused_without_a_valid_key(client, demo, key, headers):
    response = client.post("/api/v1/codes", json={"field": 1}, headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_new_key_replaces_the_old_and_revoking_ends_it(app, client, demo, key):
    runner = app.test_cli_runner()
    newer = runner.invoke(args=["apikeys", "create", "--desk", "demo"]).output.strip().splitlines()[-1]
    assert client.post("/api/v1/codes", json={"field": 1}, headers=bearer(key)).status_code == 401
    assert client.post("/api/v1/codes", json={"field": 1}, headers=bearer(newer)).status_code == 201
    assert runner.invoke(args=["apikeys", "revoke", "--desk", "demo"]).exit_code == 0
    assert client.post("/api/v1/codes", json={"field": 1}, headers=bearer(newer)).status_code == 401
    assert runner.invoke(args=["apikeys", "create", "--desk", "nosuch"]).exit_code != 0


def test_inactive_desk_key_stops_working(client, session, demo, key):
    session.scalar(select(ServicePoint).where(ServicePoint.code == "demo")).active = False
    session.commit()
    assert client.post("/api/v1/codes", json={"field": 1}, headers=bearer(key)).status_code == 401


@pytest.mark.parametrize(("body", "status", "detail"), [
    ({}, 422, "field"),
    ({"field": "2"}, 422, "field"),
    ({"field": True}, 422, "field"),
    ({"field": 0}, 422, "field"),
    ({"field": 2, "count": 501}, 422, "count"),
    ({"field": 2, "count": 2.5}, 422, "count"),
    ({"field": 2, "extra": 1}, 422, "extra"),
    ({"field": 42}, 422, "field"),  # not a procedure field of the questionnaire
])
def test_invalid_requests_say_what_is_wrong(client, demo, key, body, status, detail):
    response = client.post("/api/v1/codes", json=body, headers=bearer(key))
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["status"] == status and detail in error.get("details", {})


def test_malformed_bodies(client, demo, key):
    not_json = client.post("/api/v1/codes", data="field=2", headers=bearer(key),
                           content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 415 and not_json.get_json()["error"]["code"] == "unsupported_media_type"
    broken = client.post("/api/v1/codes", data=b"{\"field\": ", headers=bearer(key), content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "bad_json"
    array = client.post("/api/v1/codes", json=[1, 2], headers=bearer(key))
    assert array.status_code == 400
    invalid_utf8 = client.post("/api/v1/codes", data=b"\xff\xfe{}", headers=bearer(key),
                               content_type="application/json")
    assert invalid_utf8.status_code == 400
    huge = client.post("/api/v1/codes", data=b"[" + b"1," * 200_000 + b"1]", headers=bearer(key),
                       content_type="application/json")
    assert huge.status_code == 413 and huge.is_json
    wrong_method = client.get("/api/v1/codes", headers=bearer(key))
    assert wrong_method.status_code == 405 and wrong_method.is_json


def test_desk_fields_restrict_codes(client, session, demo, key):
    session.scalar(select(ServicePoint).where(ServicePoint.code == "demo")).fields = [1, 2]
    session.commit()
    assert client.post("/api/v1/codes", json={"field": 2}, headers=bearer(key)).status_code == 201
    assert client.post("/api/v1/codes", json={"field": 3}, headers=bearer(key)).status_code == 422


def test_no_open_round_is_409(client, session, demo, key):
    session.get(Round, demo.id).status = "closed"
    session.commit()
    response = client.post("/api/v1/codes", json={"field": 2}, headers=bearer(key))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_open_round"


def test_desk_for_key_rejects_lookalikes(session, demo, key):
    assert apikeys.desk_for_key(session, key).code == "demo"
    for other in (None, "", key[:-1], key + "x", key.upper(), "spk_" + "A" * 300):
        assert apikeys.desk_for_key(session, other) is None


def test_every_refusal_has_a_code_and_a_message_in_the_callers_language(client, session, demo, key):
    """As openapi.json's Error says, for the API's own refusals and the framework's (issue 18)."""
    cases = [
        ("post", "/api/v1/codes", {"json": {"field": 2}}),  # 401
        ("post", "/api/v1/codes", {"data": "x", "headers": bearer(key)}),  # 415
        ("post", "/api/v1/codes", {"data": "[1]", "content_type": "application/json", "headers": bearer(key)}),  # 400
        ("post", "/api/v1/codes", {"json": {"field": 0}, "headers": bearer(key)}),  # 422
        ("get", "/api/v1/nothing-here", {}),  # 404
        ("get", "/api/v1/codes", {}),  # 405
        ("post", "/api/v1/codes", {"data": "{" * 300_000, "content_type": "application/json", "headers": bearer(key)}),
    ]
    seen = set()
    for method, path, kwargs in cases:
        english = getattr(client, method)(path, **{**kwargs, "headers": {**kwargs.get("headers", {}),
                                                                          "Accept-Language": "en"}})
        vietnamese = getattr(client, method)(path, **{**kwargs, "headers": {**kwargs.get("headers", {}),
                                                                             "Accept-Language": "vi"}})
        assert english.status_code == vietnamese.status_code >= 400, path
        for response in (english, vietnamese):
            error = response.get_json()["error"]
            assert error["status"] == response.status_code and error["code"] and error["message"]
        assert english.get_json()["error"]["message"] != vietnamese.get_json()["error"]["message"], path
        seen.add(english.status_code)
    assert seen == {401, 415, 400, 422, 404, 405, 413}


def test_deeply_nested_json_is_a_400(client, key):
    for body in ("[" * 100_000, '{"a":' * 20_000 + "1" + "}" * 20_000):
        response = client.post("/api/v1/codes", data=body, content_type="application/json", headers=bearer(key))
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"


def test_the_api_limit_keys_on_the_normalised_key(app, database_url, session, demo, key):
    from survey_app import create_app
    from tests.conftest import QUESTIONNAIRE_DIR

    limited = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, "QUESTIONNAIRE_DIR": str(QUESTIONNAIRE_DIR),
                          "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"})
    client = limited.test_client()
    spellings = [f"Bearer {key}", f"bearer {key}", f"BEARER  {key} ", f" Bearer {key}"]
    statuses = []
    for i in range(125):
        statuses.append(client.post("/api/v1/codes", json={"field": 2},
                                    headers={"Authorization": spellings[i % 4]}).status_code)
    assert statuses.count(201) == 120 and statuses[-1] == 429
