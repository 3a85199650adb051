"""Security headers on every response.

The Content-Security-Policy allows only our own origin and no inline script, so
a hostile free-text answer shown in the console cannot run, and respondent pages
cannot be made to load anything from another host.
"""

from __future__ import annotations

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def _set_headers(response: Response) -> Response:
    """Add the security headers a view has not set itself."""
    headers = response.headers
    present = {key.lower() for key in headers.keys()}
    headers.extend([(key, value) for key, value in HEADERS if key.lower() not in present])
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once instead of per request.

    Flask makes a new serializer (and checks its JSON module) on every request;
    that was a tenth of the cost of a survey page. The cached one is rebuilt if
    the secret changes. The cookie itself is exactly Flask's.
    """

    def __init__(self) -> None:
        self._serializer: tuple[object, URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is None or cached[0] != key:
            serializer = super().get_signing_serializer(app)
            assert serializer is not None
            cached = self._serializer = (key, serializer)
        return cached[1]


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        # Behind nginx: take the client address from X-Forwarded-For, so per-client
        # rate limits count phones, not the proxy. Used only for rate limiting.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.session_interface = SessionInterface()
    app.after_request(_set_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):
        app.after_request(_hsts)


def _hsts(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
