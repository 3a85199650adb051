"""Security headers on every response.

The Content-Security-Policy allows only our own origin and no inline script, so
a hostile free-text answer shown in the console cannot run, and respondent pages
cannot be made to load anything from another host.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer
from werkzeug.datastructures import Headers
from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

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
# Only where cookies are Secure, i.e. served over HTTPS (production).
HSTS = (("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)


class SecurityHeaders:
    """WSGI middleware: the security headers on every response, whatever produced it.

    Added where the response starts (a list of pairs there) rather than in an
    after-request hook: error pages and static files get them too, and it costs
    one set of names instead of validating each header anew through werkzeug's
    Headers, which was a tenth of a survey page view. A header a view set itself
    (a page's own Cache-Control or CSP) is left as it is.
    """

    def __init__(self, app: WSGIApplication, headers: tuple[tuple[str, str], ...]) -> None:
        self.app = app
        self.headers = tuple((name.lower(), (name, value)) for name, value in headers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info=None):  # type: ignore[no-untyped-def]
            present = {name.lower() for name, _ in headers}
            headers.extend(pair for lowered, pair in self.headers if lowered not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with less work per request; the cookie is exactly Flask's.

    Flask makes a new serializer (and checks its JSON module) on every request;
    that was a tenth of the cost of a survey page. The cached one is rebuilt if
    the secret changes. And when a request leaves the session as it found it (a
    respondent's page view), saving only adds ``Vary: Cookie`` if the session
    was looked at, instead of reading seven cookie settings first.
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

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # A respondent's browser has no session cookie: a new session, without the failed
        # lookup (werkzeug raises and catches an exception for a missing key).
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if session.modified or (session and self.should_set_cookie(app, session)):
            super().save_session(app, session, response)
        elif session.accessed and "cookie" not in header_names(header_value(response.headers, "Vary")):
            response.vary.add("Cookie")


def header_value(headers: Headers, name: str) -> str:
    """A response header's values joined by commas, "" if absent (``headers.get`` raises and
    catches an exception for an absent header: a few microseconds on every response)."""
    return ", ".join(headers.getlist(name))


def header_names(header: str) -> list[str]:
    """The names in a comma-separated header such as Vary, lowercased."""
    return [name.strip().lower() for name in header.split(",")]


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        # Behind nginx: take the client address from X-Forwarded-For, so per-client
        # rate limits count phones, not the proxy. Used only for rate limiting.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.session_interface = SessionInterface()
    headers = HEADERS + (HSTS if app.config.get("SESSION_COOKIE_SECURE") else ())
    app.wsgi_app = SecurityHeaders(app.wsgi_app, headers)  # type: ignore[method-assign]
