"""One-time codes from the result slip: /r/<code>.

The code names the round, the desk and the procedure field (signed with the
round's secret, see services.slipcodes), so the respondent is not asked the
field; the code's hash is inserted with the response, so it answers once.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.extensions import db
from survey_app.models import today_utc
from survey_app.respondent import bp, flow, receipts
from survey_app.respondent.link_views import message_page, no_store
from survey_app.services import slipcodes
from survey_app.services.errors import AlreadyUsed, NotFound, RoundNotOpen


def used_page() -> WerkzeugResponse:
    return message_page(
        410, _("Code already used"),
        _("The survey code on this result slip has already been used. Each slip gives one response only, so "
          "these answers were not recorded again."),
        _("Thank you for taking part. You may close this page."))


def not_valid_page() -> WerkzeugResponse:
    return message_page(
        404, _("Code not valid"),
        _("This survey code is not valid. Please scan the QR code on your result slip again, or check the "
          "address you typed."))


def _open(code: str) -> slipcodes.SlipSurvey:
    try:
        return slipcodes.open_code(db.session, code, today_utc())
    except NotFound:
        abort(not_valid_page())
    except AlreadyUsed:
        # Only the browser that answered learns that the code was used (respondent.receipts).
        abort(used_page() if receipts.holds(f"r:{code.upper()}") else not_valid_page())
    except RoundNotOpen as exc:
        if exc.reason == "not_yet":
            abort(message_page(403, _("Not available yet"), _(
                "This survey is not open yet. Please come back when the survey round starts.")))
        abort(message_page(410, _("Survey closed"), _(
            "This survey round has ended and the code on your slip has expired. Thank you for your interest.")))


def _target(slip: slipcodes.SlipSurvey, code: str) -> flow.SurveyTarget:
    return flow.SurveyTarget(
        round=slip.round, version=slip.version, questionnaire=slip.questionnaire, unit=slip.desk.unit,
        desk=slip.desk, channel="slip", action_url=url_for("respondent.slip_submit", code=code),
        prefilled={slipcodes.FIELD_ITEM: slip.payload.field}, extra_rows=(slip.used_row(),),
    )


@bp.get("/r/<code>")
def slip_survey(code: str):
    return no_store(flow.show(_target(_open(code), code)))


@bp.post("/r/<code>")
def slip_submit(code: str):
    slip = _open(code)
    return no_store(flow.submit(
        _target(slip, code),
        lambda created: receipts.give(redirect(url_for("respondent.slip_thanks", code=code), 303), f"r:{code.upper()}")
        if created else used_page() if receipts.holds(f"r:{code.upper()}") else not_valid_page(),
    ))


@bp.get("/r/<code>/thanks")
def slip_thanks(code: str):
    desk = slipcodes.used_code_desk(db.session, code)
    if desk is None:
        return redirect(url_for("respondent.slip_survey", code=code), 303)
    if not receipts.holds(f"r:{code.upper()}"):
        return not_valid_page()
    return no_store(render_template("respondent/slip_thanks.html", unit=desk.unit))
