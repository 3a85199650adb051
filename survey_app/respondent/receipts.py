"""Thank-you pages that only the answering browser can see.

A personal link or a slip code that has been used must not tell a stranger so:
someone holding a copy of the email (or a photo of the slip) could otherwise
learn that, and roughly when, its owner answered, and match that to the new
row of an export. After a successful submission the browser gets a receipt: a
MAC over its own ``survey_browser`` id and the link or code, kept in a cookie
limited to that path family. A used link or code opened without the receipt is
answered exactly like an unknown one.

The receipt names nothing by itself (it is a MAC), and the server keeps nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.extensions import db
from survey_app.models import SubmissionNonce
from survey_app.respondent import formtoken
from survey_app.services.submission import nonce_hash

COOKIE = "survey_answered"
MAX_RECEIPTS = 8  # a browser that answered more links than this keeps the newest ones
_CHARS = 22


def _receipt(browser: str, credential: str) -> str:
    key = hashlib.sha256(b"survey-receipt" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    return hmac.new(key, f"{browser}|{credential}".encode(), hashlib.sha256).hexdigest()[:_CHARS]


def give(response: WerkzeugResponse, credential: str) -> WerkzeugResponse:
    """Add this browser's receipt for ``credential`` (e.g. ``"i:" + token``) to the response's cookies."""
    browser = formtoken.browser_of(request.cookies)
    if browser is None:
        return response
    kept = [r for r in request.cookies.get(COOKIE, "").split(".") if len(r) == _CHARS]
    receipts = ([*kept, _receipt(browser, credential)])[-MAX_RECEIPTS:]
    response.set_cookie(COOKIE, ".".join(receipts), path="/", httponly=True, samesite="Lax",
                        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
    return response


def holds(credential: str) -> bool:
    """True when this browser answered with ``credential``.

    It holds the receipt; or it is posting again the very form that was stored (a
    double tap racing the first answer's receipt): the form's nonce, bound to this
    browser by its MAC, is already among the used ones.
    """
    browser = formtoken.browser_of(request.cookies)
    if browser is None:
        return False
    wanted = _receipt(browser, credential)
    if any(hmac.compare_digest(wanted, r) for r in request.cookies.get(COOKIE, "").split(".")):
        return True
    if request.method != "POST":
        return False
    token = formtoken.read(request.form.get("form_token"), browser)
    return token is not None and db.session.get(SubmissionNonce, nonce_hash(token.nonce)) is not None
