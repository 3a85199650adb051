"""The OpenAPI 3.1 description of the machine API, served at /api/v1/openapi.json.

Written by hand next to the views (it is short) and checked by the tests
against what the views really do. The offline minting algorithm is copied from
services.slipcodes' docstring, so the document vendors read cannot drift from
the code that checks their codes.
"""

from __future__ import annotations

from typing import Any

from survey_app.services import slipcodes

MAX_BATCH = 500


def _algorithm() -> str:
    doc = slipcodes.__doc__ or ""
    start = doc.find("Algorithm (version 1)")
    return doc[start:].strip() if start >= 0 else ""


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def spec(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Survey API for one-stop desks",
            "version": "1.0.0",
            "description": (
                "Result-slip survey codes for one-stop desk software. Each service point has its own API key "
                "(`flask --app wsgi apikeys create --desk CODE`), sent as `Authorization: Bearer <key>`.\n\n"
                "Desks may also mint codes offline, without calling this API:\n\n" + _algorithm()
            ),
        },
        "servers": [{"url": f"{base_url.rstrip('/')}/api/v1"}],
        "paths": {
            "/codes": {"post": _codes_operation()},
            "/health": {"get": {
                "operationId": "health",
                "summary": "Whether the service and its database answer (for load balancers)",
                "security": [],
                "responses": {
                    "200": {"description": "Up", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Health"}}}},
                    "503": {"description": "The database does not answer", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Health"}}}},
                },
            }},
        },
        "components": {
            "securitySchemes": {"deskKey": {"type": "http", "scheme": "bearer",
                                            "description": "The service point's API key (starts with spk_)."}},
            "schemas": _schemas(),
        },
        "security": [{"deskKey": []}],
    }


def _codes_operation() -> dict[str, Any]:
    return {
        "operationId": "mintCodes",
        "summary": "Mint one-time result-slip codes for the calling desk",
        "description": ("Codes for the round open today, for the desk that owns the API key and the given "
                        "procedure field. Each code answers the citizen survey once at its `url`."),
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/CodesRequest"}}}},
        "responses": {
            "201": {"description": "The codes", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/CodesBatch"}}}},
            "400": _error("The body is not a JSON object"),
            "401": _error("Missing, unknown or revoked API key"),
            "409": _error("No survey round is open today"),
            "413": _error("The body is too large"),
            "415": _error("The body is not application/json"),
            "422": _error("The request breaks a rule (field or count); `details` says which"),
            "429": _error("Too many requests from this desk"),
        },
    }


def _schemas() -> dict[str, Any]:
    return {
        "CodesRequest": {
            "type": "object",
            "additionalProperties": False,
            "required": ["field"],
            "properties": {
                "field": {"type": "integer", "minimum": 1, "maximum": 255,
                          "description": "Procedure field code (citizen questionnaire item `field`)."},
                "count": {"type": "integer", "minimum": 1, "maximum": MAX_BATCH, "default": 1},
            },
        },
        "CodesBatch": {
            "type": "object",
            "required": ["round", "desk", "field", "codes"],
            "properties": {
                "round": {"type": "object", "required": ["id", "name", "closes_on"], "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"},
                    "closes_on": {"type": "string", "format": "date"}}},
                "desk": {"type": "string"},
                "field": {"type": "integer"},
                "codes": {"type": "array", "items": {"type": "object", "required": ["code", "url"], "properties": {
                    "code": {"type": "string", "pattern": "^[A-Z2-7]+$"},
                    "url": {"type": "string", "format": "uri"}}}},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["status", "code", "message"], "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string", "description": "Stable, for programs: bad_json, unauthorized, "
                         "invalid_request, no_open_round, rate_limited, not_found, ..."},
                "message": {"type": "string", "description": "For people, in the language of Accept-Language "
                            "(vi, the default, or en)"},
                "details": {"type": "object", "additionalProperties": {"type": "string"}},
            }}},
        },
        "Health": {"type": "object", "required": ["status", "database"], "properties": {
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "database": {"type": "string", "enum": ["up", "down"]}}},
    }
