"""Desk QR survey: /q/<desk code>."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from survey_app.extensions import db
from survey_app.models import today_utc
from survey_app.respondent import bp, flow, ratelimit, resolve
from survey_app.services.errors import NotFound, RoundNotOpen


def desk_target(code: str, channel: str = "qr", endpoint: str = "respondent.desk_submit") -> flow.SurveyTarget:
    """Resolve a desk code to what its respondents answer today (404/403/410 otherwise)."""
    ttl = current_app.config["RESOLVE_CACHE_SECONDS"]
    try:
        found = resolve.resolve_desk(lambda: db.session, code, today_utc(), ttl)
    except NotFound:
        abort(404)
    except RoundNotOpen as exc:
        abort(403 if exc.reason == "not_yet" else 410)
    desk_code = found.desk.code
    action_url = resolve.desk_url(endpoint, request.script_root, desk_code,
                                  lambda: url_for(endpoint, code=desk_code))
    return flow.SurveyTarget(
        round=found.round, version=found.version, questionnaire=found.questionnaire,
        unit=found.desk.unit, desk=found.desk, channel=channel, action_url=action_url,
        page_key=found.shown if ttl > 0 else None,  # no cache asked for: render every page
    )


@bp.get("/q/<code>")
def desk_survey(code: str):
    return flow.show(desk_target(code))


@bp.post("/q/<code>")
def desk_submit(code: str):
    target = desk_target(code)
    desk = target.desk
    assert desk is not None  # a desk target always has its desk
    thanks_url = resolve.desk_url("respondent.thanks", request.script_root, desk.code,
                                  lambda: url_for(".thanks", code=desk.code))
    return flow.submit(target, lambda _created: redirect(thanks_url, 303), admit=lambda: ratelimit.admit(desk.id))


@bp.get("/q/<code>/thanks")
def thanks(code: str):
    target = desk_target(code)
    return render_template("respondent/thanks.html", unit=target.unit, again_url=target.action_url)


@bp.get("/")
def home():
    return render_template("respondent/home.html")
