"""Personal links from the invitation email: /i/<token>.

The token is the only credential, so these pages are never cached, never
logged and never sent as a referrer (the security headers see to the last).
A respondent may save and come back to the same link; the response and the
invitation's completion are stored in one transaction, so the link gives
exactly one response (services.invitations.completion_guard).
"""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.extensions import db
from survey_app.models import today_utc
from survey_app.respondent import bp, flow, receipts
from survey_app.services import invitations
from survey_app.services.errors import AlreadyUsed, NotFound, RoundNotOpen


def no_store(result: WerkzeugResponse | tuple[str, int] | str) -> WerkzeugResponse:
    """Answers and drafts must not stay in a shared computer's cache or a proxy."""
    response = make_response(result)
    response.headers["Cache-Control"] = "no-store"
    return response


def message_page(status: int, title: str, text: str, hint: str | None = None) -> WerkzeugResponse:
    return no_store((render_template("respondent/message.html", title=title, text=text, hint=hint), status))


def answered_page() -> WerkzeugResponse:
    return message_page(
        410, _("Already answered"),
        _("This link has already been used to answer the survey. Each link gives one response only, so "
          "your answers were not sent again."),
        _("Thank you for taking part. You may close this page."))


def not_valid_page() -> WerkzeugResponse:
    return message_page(
        404, _("Link not valid"),
        _("This link is not valid. Please check that you opened the whole address from the email."),
        _("If you received a newer email about this survey (a reminder), please use the link in it: "
          "each new email replaces the link of the earlier ones."))


def _open(token: str) -> invitations.LinkSurvey:
    try:
        return invitations.open_link(db.session, token, today_utc())
    except NotFound:
        abort(not_valid_page())
    except AlreadyUsed:
        # Only the browser that answered learns that the link was used (respondent.receipts).
        abort(answered_page() if receipts.holds(f"i:{token}") else not_valid_page())
    except RoundNotOpen as exc:
        if exc.reason == "not_yet":
            abort(message_page(403, _("Not available yet"), _(
                "This survey is not open yet. Please come back with the same link when the survey round starts.")))
        abort(message_page(410, _("Survey closed"), _(
            "This survey round has ended and the link has expired. Thank you for your interest.")))


def _target(link: invitations.LinkSurvey, token: str, kept: dict[str, list[str]] | None = None) -> flow.SurveyTarget:
    return flow.SurveyTarget(
        round=link.round, version=link.version, questionnaire=link.questionnaire, unit=link.unit,
        channel="link", action_url=url_for("respondent.link_submit", token=token), kept=kept or {},
        can_save=True, guards=(invitations.completion_guard(link),),
    )


@bp.get("/i/<token>")
def link_survey(token: str):
    link = _open(token)
    invitations.mark_visit(db.session, link)
    db.session.commit()
    notice = _("Welcome back: the answers you saved are filled in below.") if link.draft else None
    return no_store(flow.show(_target(link, token, link.draft), notice=notice))


@bp.post("/i/<token>")
def link_submit(token: str):
    link = _open(token)
    target = _target(link, token)
    if request.form.get("action") == "save":
        return no_store(_save(target, link))
    return no_store(flow.submit(
        target,
        lambda created: receipts.give(redirect(url_for("respondent.link_thanks", token=token), 303), f"i:{token}")
        if created else answered_page() if receipts.holds(f"i:{token}") else not_valid_page(),
    ))


def _save(target: flow.SurveyTarget, link: invitations.LinkSurvey) -> WerkzeugResponse:
    """Keep the answers so far, without validating them: a draft may be incomplete."""
    target.kept = flow.form_values()
    if flow.posted_token() is None:
        return flow.show(target, status=400, notice=_(
            "Your session expired before you saved. Your answers are kept: please press Save again."))
    saved = invitations.save_draft(db.session, link, dict(target.kept))
    db.session.commit()
    if not saved:
        return answered_page()
    deadline = link.round.closes_on.strftime("%d/%m/%Y")
    return flow.show(target, token=request.form.get("form_token"), notice=_(
        "Your answers are saved. You can close this page and finish later with the same link, until %(deadline)s.",
        deadline=deadline))


@bp.get("/i/<token>/thanks")
def link_thanks(token: str):
    unit = invitations.completed_unit(db.session, token)
    if unit is None:
        return redirect(url_for("respondent.link_survey", token=token), 303)
    if not receipts.holds(f"i:{token}"):
        return not_valid_page()
    return no_store(render_template("respondent/link_thanks.html", unit=unit))
