"""Error pages: every failure a user can cause gets a clear page and the right status.

Respondent-facing text is in the respondent's language; API paths get JSON.
A database that is down gives 503 "please try again", never a stack trace.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable


def _messages(code: int) -> tuple[str, str]:
    messages = {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Not available yet"), _("This survey is not open yet. Please come back when the survey round starts.")),
        404: (_("Page not found"), _("This address does not exist. Please check the QR code or the link you received.")),
        405: (_("Not allowed"), _("This address cannot be used this way.")),
        410: (_("Survey closed"), _("This survey round has ended. Thank you for your interest.")),
        413: (_("Too much data"), _("What you sent is too large. Please shorten your answers and try again.")),
        429: (_("Too many attempts"), _("Too many submissions came from this device. Please wait a while and try again.")),
        503: (_("Please try again"), _("The service is briefly unavailable. Your answers were not lost: please go back and send them again in a minute.")),
    }
    return messages.get(code, (_("Something went wrong"), _("An unexpected error occurred. Please try again later.")))


# The ``code`` of an API error body for each status the app can answer with (openapi.py's Error).
API_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 410: "gone", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_request",
    429: "rate_limited", 500: "internal_error", 503: "unavailable",
}


def render_error(code: int, title: str | None = None, text: str | None = None):  # type: ignore[no-untyped-def]
    default_title, default_text = _messages(code)
    title, text = title or default_title, text or default_text
    if request.path.startswith("/api/"):
        # The same body as the API's own refusals, in the caller's language (Accept-Language).
        return {"error": {"status": code, "code": API_CODES.get(code, "error"), "message": text}}, code
    return render_template("respondent/message.html", title=title, text=text), code


def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
    code = exc.code or 500
    custom = exc.description if getattr(exc, "custom_message", False) else None
    if code == 403 and request.blueprint == "admin":
        # In the console a 403 is always a role check, never a round that is not open yet.
        return render_error(403, _("Not allowed for your account"), _(
            "Your account's role does not give access to this page. If you need it, "
            "ask an administrator of the console."))
    response = render_error(code, text=custom)
    if code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        return response[0], code, {"Allow": ", ".join(exc.valid_methods)}
    if code == 429:
        return response[0], code, {"Retry-After": str(_retry_after(exc))}
    return response


def _retry_after(exc: HTTPException) -> int:
    """Seconds until the breached limit's window is over (its whole length: no extra lookup)."""
    if isinstance(getattr(exc, "retry_after", None), int):  # respondent.ratelimit sets it
        return int(exc.retry_after)  # type: ignore[attr-defined]
    limit = getattr(getattr(exc, "limit", None), "limit", None)  # Flask-Limiter's decorators
    return int(limit.get_expiry()) if limit is not None else 60


def _csrf_error(exc: CSRFError):  # type: ignore[no-untyped-def]
    return render_error(400, _("Form expired"), _("This form has expired. Please go back, reload the page and try again."))


def _database_down(exc: Exception):  # type: ignore[no-untyped-def]
    from flask import current_app

    current_app.logger.error("database unavailable: %s", type(exc).__name__)
    response = render_error(503)
    return response[0], 503, {"Retry-After": "30"}


def _bad_data(exc: DataError):  # type: ignore[no-untyped-def]
    """The database refused a value that came from the request (a NUL byte, say): the client's fault."""
    from flask import current_app

    current_app.logger.warning("database refused a value from a request: %s", type(exc.orig).__name__)
    return render_error(400)


def _internal(exc: InternalServerError):  # type: ignore[no-untyped-def]
    original = getattr(exc, "original_exception", None)
    if isinstance(original, OperationalError | DBAPIError) and getattr(original, "connection_invalidated", True):
        return _database_down(original)
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(DataError, _bad_data)
    app.register_error_handler(ServiceUnavailable, _http_error)
    app.register_error_handler(InternalServerError, _internal)
