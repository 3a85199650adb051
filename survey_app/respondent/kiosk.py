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

Only desks whose ``kiosk_enabled`` flag staff have set answer here (any other
code is a 404), and only on a tablet staff enrolled by opening kiosk mode on it
from the console (services.kiosks: a per-tablet secret in a cookie); any other
device gets a 403 page saying so. A desk's QR code therefore cannot be turned
into an unattended kiosk, nor the kiosk's higher limit borrowed by a phone.
Kiosk responses carry the channel ``kiosk``; they are counted per tablet.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.extensions import db
from survey_app.respondent import bp, flow, ratelimit
from survey_app.respondent.views import desk_target
from survey_app.services import kiosks

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


def kiosk_target(code: str) -> tuple[flow.SurveyTarget, int]:
    """The desk's survey as a kiosk serves it, and the enrolled tablet's id.

    404 unless staff enabled kiosk mode for the desk; 403 on a device that is
    not one of the desk's enrolled tablets.
    """
    target = desk_target(code, channel="kiosk", endpoint="respondent.kiosk_submit")
    if target.desk is None or not target.desk.kiosk_enabled:
        abort(404)
    tablet = kiosks.tablet_for(db.session, target.desk.id, request.cookies.get(kiosks.COOKIE))
    if tablet is None:
        abort(_no_store(make_response(render_template(
            "respondent/message.html", title=_("Not a kiosk"),
            text=_("This device is not set up as a kiosk for this desk. Please answer with the QR code "
                   "at the desk instead."),
            hint=_("Staff: sign in to the console on this tablet and open kiosk mode from the desk's page.")),
            403)))
    target.template = "respondent/kiosk.html"
    return target, tablet


def _no_store(result: WerkzeugResponse) -> WerkzeugResponse:
    """Never keep a kiosk page in any cache: the next person would see it on Back."""
    response = make_response(result)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/k/<code>")
def kiosk(code: str) -> WerkzeugResponse:
    return _no_store(flow.show(kiosk_target(code)[0]))


@bp.post("/k/<code>")
def kiosk_submit(code: str) -> WerkzeugResponse:
    target, tablet = kiosk_target(code)
    desk_id = target.desk.id if target.desk else 0
    code = target.desk.code if target.desk else code
    return _no_store(flow.submit(target, lambda _created: redirect(url_for(".kiosk_thanks", code=code), 303),
                                 admit=lambda: ratelimit.admit(desk_id, tablet_id=tablet)))


@bp.get("/k/<code>/thanks")
def kiosk_thanks(code: str) -> WerkzeugResponse:
    target, _tablet = kiosk_target(code)
    code = target.desk.code if target.desk else code
    return _no_store(render_template("respondent/kiosk_thanks.html", unit=target.unit, code=code))
