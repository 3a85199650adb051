"""Kiosk mode: a tablet on a stand at the counter, /k/<desk code>.

The same citizen questionnaire as the desk QR, answered by one person after
another on one device. What changes is that nobody may ever see the previous
person's answers:

- every kiosk page is sent with ``Cache-Control: no-store``, so going back
  re-asks the server for a fresh form instead of showing a stored page;
- the form has ``autocomplete="off"``, which also stops the browser from
  restoring typed values into a page reached with the back button;
- a submission is POST-redirect-GET, so the back button never resends it;
- after each submission a short thank-you page leads to a fresh form by itself,
  and after ``KIOSK_IDLE_SECONDS`` without a touch the form starts again
  (static/kiosk.js; without JavaScript a meta refresh does both, the form's
  after a longer fixed time since it cannot see whether someone is answering).

Only desks whose ``kiosk_enabled`` flag staff have set answer here; any other
code is a 404, so a desk's QR code cannot be turned into an unattended kiosk.
Kiosk responses carry the channel ``kiosk``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.respondent import bp, flow
from survey_app.respondent.ratelimit import limit_submissions
from survey_app.respondent.views import desk_target

# One tablet is one address that many people use in turn: it needs a higher
# limit than a phone on the desk QR (override with SURVEY_RATELIMIT_KIOSK).
DEFAULT_RATE_LIMIT = "120 per hour"
DEFAULT_THANKS_SECONDS = 8
# Without JavaScript nobody can tell whether someone is still answering, so the
# fallback reset of the form waits long enough for a slow respondent to finish.
DEFAULT_NOSCRIPT_RESET_SECONDS = 600


@dataclass(frozen=True)
class KioskSettings:
    """What a kiosk page needs to start again on its own."""

    fresh_url: str
    idle_seconds: int
    thanks_seconds: int
    noscript_reset_seconds: int


@bp.app_template_global()
def kiosk_settings(code: str) -> KioskSettings:
    """Timings and the fresh-form address, for the kiosk templates.

    The fresh form is asked for in the default language, so that the next
    person does not inherit the previous one's choice of English.
    """
    config = current_app.config
    return KioskSettings(
        fresh_url=url_for("respondent.kiosk", code=code, lang=config["BABEL_DEFAULT_LOCALE"]),
        idle_seconds=int(config["KIOSK_IDLE_SECONDS"]),
        thanks_seconds=int(config.get("KIOSK_THANKS_SECONDS", DEFAULT_THANKS_SECONDS)),
        noscript_reset_seconds=int(config.get("KIOSK_NOSCRIPT_RESET_SECONDS", DEFAULT_NOSCRIPT_RESET_SECONDS)),
    )


def kiosk_target(code: str) -> flow.SurveyTarget:
    """The desk's survey as a kiosk serves it; 404 unless staff enabled kiosk mode for the desk."""
    target = desk_target(code, channel="kiosk", endpoint="respondent.kiosk_submit")
    if target.desk is None or not target.desk.kiosk_enabled:
        abort(404)
    target.template = "respondent/kiosk.html"
    return target


def _no_store(result: WerkzeugResponse) -> WerkzeugResponse:
    """Never keep a kiosk page in any cache: the next person would see it on Back."""
    response = make_response(result)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/k/<code>")
def kiosk(code: str) -> WerkzeugResponse:
    return _no_store(flow.show(kiosk_target(code)))


@bp.post("/k/<code>")
@limit_submissions("RATELIMIT_KIOSK", DEFAULT_RATE_LIMIT)
def kiosk_submit(code: str) -> WerkzeugResponse:
    target = kiosk_target(code)
    code = target.desk.code if target.desk else code
    return _no_store(flow.submit(target, lambda _created: redirect(url_for(".kiosk_thanks", code=code), 303)))


@bp.get("/k/<code>/thanks")
def kiosk_thanks(code: str) -> WerkzeugResponse:
    target = kiosk_target(code)
    code = target.desk.code if target.desk else code
    return _no_store(render_template("respondent/kiosk_thanks.html", unit=target.unit, code=code))
