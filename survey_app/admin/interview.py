"""Console: the interviewer's offline page for face-to-face interviews on a tablet.

The page, its script and the service worker contain no data; the questionnaires
come from ``data.json`` (signed-in interviewers and admins) and are kept on the
device with the interviews waiting to be sent (static/interview.js). Sending uses
a CSRF token fetched just before, in a header (Flask-WTF reads ``X-CSRFToken``):
a tablet may stay offline longer than any token lives.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from survey_app.admin import bp, current_user, roles
from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import Role
from survey_app.services.interviews import open_round, round_data, store_interview

DEFAULT_RETRY_SECONDS = 20


def _texts() -> dict[str, str]:
    """Sentences the script shows, in the console's language (kept on the device with the data)."""
    return {
        "waiting": _("Interviews waiting to be sent: %(n)s"),
        "sent": _("All interviews have been sent."),
        "offline": _("No connection: the interviews stay on this tablet and are sent when the network is back."),
        "sending": _("Sending…"),
        "saved": _("Interview saved on this tablet."),
        "receipt": _("Receipt"),
        "required": _("Please answer this question."),
        "range": _("Please enter a whole number from %(min)s to %(max)s."),
        "decimal": _("Please enter a number such as 2,5, with at most %(places)s digits after the comma."),
        "decimal_range": _("Please enter a number from %(min)s to %(max)s, with at most %(places)s digits after the comma."),
        "too_long": _("Please enter at most %(n)s characters."),
        "needs_data": _("Connect to the network once to download the questionnaires."),
        "refused": _("The server did not accept this interview: %(reason)s. It stays on the tablet; ask an administrator."),
        "sign_in": _("Your session has ended: sign in again to send the interviews (they stay on the tablet)."),
        "round_not_open": _("the round is not open"),
        "questionnaire_changed": _("the questionnaire has changed"),
        "unknown_unit": _("unknown unit"),
        "invalid": _("some answers are not valid"),
        "malformed": _("the data is damaged"),
        "check": _("Some answers need your attention. They are marked below."),
    }


@bp.get("/interview/")
@roles(Role.ADMIN, Role.INTERVIEWER)
def interview():
    # How often the page tries to send waiting interviews (SURVEY_INTERVIEW_RETRY_SECONDS; a shipped
    # default, not a decision: often enough to notice the network is back, rare enough for a battery).
    retry = int(current_app.config.get("INTERVIEW_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
    response = current_app.make_response(render_template("admin/interview.html", retry_seconds=retry))
    response.headers["Cache-Control"] = "no-cache"  # the service worker keeps its own copy for offline use
    return response


@bp.get("/interview/sw.js")
@roles(Role.ADMIN, Role.INTERVIEWER)
def interview_worker():
    """The service worker, served from the page's folder so that its scope covers the page.

    Guarded like the page (the browser sends the session cookie with it): an update
    check after the session ended gets the sign-in redirect, which the browser treats
    as a failed update and keeps the worker it has.
    """
    path = Path(current_app.static_folder or "static") / "interview-sw.js"
    return current_app.response_class(path.read_bytes(), mimetype="text/javascript",
                                      headers={"Cache-Control": "no-cache"})


@bp.get("/interview/data.json")
@roles(Role.ADMIN, Role.INTERVIEWER)
def interview_data():
    round_ = open_round(db.session)
    body: dict[str, object] = {"csrf": generate_csrf(), "texts": _texts(), "lang": current_lang(),
                               "user": current_user().email}
    if round_ is not None:
        body.update(round_data(db.session, round_, current_lang()))
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/interview/submit")
@roles(Role.ADMIN, Role.INTERVIEWER)
def interview_submit():
    outcome = store_interview(db.session, request.get_json(silent=True), current_user())
    if outcome.status in ("stored", "duplicate"):
        return jsonify({"status": outcome.status, "receipt": outcome.receipt})
    if outcome.status == "invalid":
        lang = current_lang()
        return jsonify({"status": "invalid", "errors": {code: text.get(lang) for code, text in
                                                        (outcome.errors or {}).items()}}), 422
    return jsonify({"status": "refused", "reason": outcome.reason}), 409
