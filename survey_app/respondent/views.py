"""Desk QR survey: /q/<desk code>."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from survey_app.extensions import db
from survey_app.models import today_utc
from survey_app.respondent import bp, flow
from survey_app.respondent.ratelimit import limit_submissions
from survey_app.respondent.resolve import resolve_desk
from survey_app.services.errors import NotFound, RoundNotOpen


def desk_target(code: str, channel: str = "qr", endpoint: str = "respondent.desk_submit") -> flow.SurveyTarget:
    """Resolve a desk code to what its respondents answer today (404/403/410 otherwise)."""
    try:
        found = resolve_desk(lambda: db.session, code, today_utc(), current_app.config["RESOLVE_CACHE_SECONDS"])
    except NotFound:
        abort(404)
    except RoundNotOpen as exc:
        abort(403 if exc.reason == "not_yet" else 410)
    url_key = (endpoint, request.script_root)
    action_url = found.urls.get(url_key)
    if action_url is None:
        action_url = found.urls[url_key] = url_for(endpoint, code=found.desk.code)
    return flow.SurveyTarget(
        round=found.round, version=found.version, questionnaire=found.questionnaire,
        unit=found.desk.unit, desk=found.desk, channel=channel, action_url=action_url, pages=found.pages,
    )


@bp.get("/q/<code>")
def desk_survey(code: str):
    return flow.show(desk_target(code))


@bp.post("/q/<code>")
@limit_submissions("RATELIMIT_SUBMIT")
def desk_submit(code: str):
    target = desk_target(code)
    return flow.submit(target, lambda _created: redirect(url_for(".thanks", code=target.desk.code), 303))


@bp.get("/q/<code>/thanks")
def thanks(code: str):
    target = desk_target(code)
    return render_template("respondent/thanks.html", unit=target.unit, again_url=target.action_url)


@bp.get("/")
def home():
    return render_template("respondent/home.html")
