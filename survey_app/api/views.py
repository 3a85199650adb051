"""API endpoints: health, result-slip codes for desks, and the OpenAPI description.

Every answer is JSON; every refusal (4xx and 5xx, ours or the framework's: see
errors.render_error) is ``{"error": {"status", "code", "message"[, "details"]}}``
with the message in the caller's language (``Accept-Language``, Vietnamese by
default). Desks authenticate with their own API key
(``Authorization: Bearer <key>``), never with a cookie (CSRF does not apply).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.api import bp
from survey_app.api.openapi import MAX_BATCH, spec
from survey_app.extensions import db, limiter
from survey_app.models import ServicePoint, today_utc
from survey_app.services import apikeys, slipcodes
from survey_app.services.errors import Invalid, RoundNotOpen

API_RATE_LIMIT = "120 per minute"


class ApiError(Exception):
    """A refusal to report as JSON; raised anywhere below a view."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> WerkzeugResponse:
    body: dict[str, Any] = {"status": exc.status, "code": exc.code, "message": exc.message}
    if exc.details:
        body["details"] = exc.details
    response = jsonify({"error": body})
    response.status_code = exc.status
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="survey", error="invalid_token"'
    return response


@bp.get("/health")
def health():
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        return {"status": "unavailable", "database": "down"}, 503
    return {"status": "ok", "database": "up"}


@bp.get("/openapi.json")
def openapi():
    return spec(current_app.config["BASE_URL"])


def _bearer_key() -> str | None:
    """The API key of the Authorization header, however it is spelt (scheme case, spaces)."""
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    return key.strip() or None if scheme.lower() == "bearer" else None


def _desk_key() -> str:
    """Rate-limit bucket: the (hashed) normalised key, so one desk's batch jobs cannot slow another's,
    and respelling the header ("bearer", extra spaces) does not give a new allowance."""
    key = _bearer_key()
    return "api|" + (hashlib.sha256(key.encode()).hexdigest()[:32] if key else "anonymous")


def _authenticated_desk() -> ServicePoint:
    key = _bearer_key()
    desk = apikeys.desk_for_key(db.session, key) if key else None
    if desk is None:
        raise ApiError(401, "unauthorized", _("A valid desk API key is required: Authorization: Bearer <key>."))
    return desk


def _codes_request() -> tuple[int, int]:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("Send the request body as application/json."))
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # "[[[[...": nested deeper than the parser's recursion allows
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", _("The body must be a JSON object."))
    details: dict[str, str] = {}
    unknown = sorted(set(body) - {"field", "count"})
    if unknown:
        details.update({name: "unknown property" for name in unknown})
    field, count = body.get("field"), body.get("count", 1)
    if not _int_in(field, 1, 255):
        details["field"] = "required, an integer from 1 to 255"
    if not _int_in(count, 1, MAX_BATCH):
        details["count"] = f"an integer from 1 to {MAX_BATCH}"
    if details:
        raise ApiError(422, "invalid_request", _("The request breaks a rule; see details."), details)
    return int(field), int(count)  # type: ignore[arg-type]


def _int_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@bp.post("/codes")
@limiter.limit(API_RATE_LIMIT, key_func=_desk_key)
def mint_codes():
    """One-time result-slip codes for the calling desk (see openapi.py)."""
    desk = _authenticated_desk()
    field, count = _codes_request()
    try:
        batch = slipcodes.mint_batch(db.session, desk, field, count, today_utc())
    except RoundNotOpen as exc:
        raise ApiError(409, "no_open_round", _("No survey round is open today.")) from exc
    except Invalid as exc:
        raise ApiError(422, "invalid_request", _("The request breaks a rule; see details."),
                       {"field": "not a procedure field of this desk"}) from exc
    base = current_app.config["BASE_URL"].rstrip("/")
    current_app.logger.info("slip codes minted desk=%s count=%d", desk.code, count)
    return {
        "round": {"id": batch.round.id, "name": batch.round.name, "closes_on": batch.round.closes_on.isoformat()},
        "desk": desk.code,
        "field": field,
        "codes": [{"code": code, "url": f"{base}/r/{code}"} for code in batch.codes],
    }, 201
