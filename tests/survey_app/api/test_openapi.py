"""/api/v1/openapi.json describes what the views really do."""

from __future__ import annotations

import re

from survey_app.api.openapi import MAX_BATCH


def spec(client) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def resolve(document: dict, ref: str) -> dict:  # type: ignore[type-arg]
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_document_shape(client, demo):
    document = spec(client)
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    assert set(document["paths"]) == {"/codes", "/health"}
    assert document["components"]["securitySchemes"]["deskKey"] == {
        "type": "http", "scheme": "bearer", "description": "The service point's API key (starts with spk_)."}
    assert document["paths"]["/health"]["get"]["security"] == []


def test_every_reference_resolves(client, demo):
    document = spec(client)
    text = str(document)
    for ref in set(re.findall(r"'\$ref': '([^']+)'", text)):
        assert resolve(document, ref), ref


def test_request_schema_matches_the_view(client, demo):
    document = spec(client)
    schema = document["components"]["schemas"]["CodesRequest"]
    assert schema["required"] == ["field"] and schema["additionalProperties"] is False
    assert schema["properties"]["count"]["maximum"] == MAX_BATCH
    operation = document["paths"]["/codes"]["post"]
    assert {"201", "400", "401", "409", "415", "422"} <= set(operation["responses"])


def test_the_offline_algorithm_is_documented(client, demo):
    description = spec(client)["info"]["description"]
    assert "HMAC-SHA256" in description and "Base32" in description and "0x01" in description
    assert "AEAAAAAHAICGIZLNN4AQEAYEAUDJONSIVZYPBSUJ3PYA" in description  # the test vector


def test_health_is_unchanged(client, demo):
    assert client.get("/api/v1/health").get_json() == {"status": "ok", "database": "up"}
