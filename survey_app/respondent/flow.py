"""One survey page, whatever brought the respondent to it.

Each entry point (desk QR, personal link, slip code, kiosk) resolves a
:class:`SurveyTarget` and hands it to :func:`show` or :func:`submit`. Those
render the questionnaire, validate on the server, keep every answer on error
and store a valid response exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import current_app, render_template, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import QuestionnaireVersion, Round, ServicePoint, Unit, today_utc
from survey_app.questionnaire import Item, Questionnaire, parse_answers
from survey_app.respondent import formtoken
from survey_app.services.submission import Submission, store_response

FORM_FIELDS = ("csrf_token", "form_token", "action")


class SurveyMetaForm(FlaskForm):
    """Only the CSRF token: the questions themselves are validated by parse_answers."""


@dataclass
class SurveyTarget:
    round: Round
    version: QuestionnaireVersion
    questionnaire: Questionnaire
    unit: Unit
    channel: str
    action_url: str
    desk: ServicePoint | None = None
    prefilled: Mapping[str, object] = field(default_factory=dict)
    kept: Mapping[str, list[str]] = field(default_factory=dict)
    can_save: bool = False  # personal links may save a draft and come back
    extra_rows: tuple[object, ...] = ()


def show(target: SurveyTarget, *, status: int = 200, errors: Mapping[str, object] | None = None,
         notice: str | None = None, token: str | None = None) -> tuple[str, int]:
    q, lang = target.questionnaire, current_lang()
    shown = [item for item in q.items if item.code not in target.prefilled]

    def condition_labels(item: Item) -> str:
        earlier = q.item(item.relevant.item)
        return " / ".join(o.label.get(lang) for o in earlier.options if o.code in item.relevant.values)

    html = render_template(
        "respondent/survey.html",
        target=target,
        q=q,
        lang=lang,
        numbers={item.code: number for number, item in enumerate(shown, start=1)},
        condition_labels=condition_labels,
        kept=target.kept,
        errors=errors or {},
        notice=notice,
        form=SurveyMetaForm(),
        form_token=token or formtoken.issue(),
    )
    return html, status


def form_values() -> dict[str, list[str]]:
    """The submitted answers as lists of strings, without our own fields."""
    return {key: request.form.getlist(key) for key in request.form if key not in FORM_FIELDS}


def submit(target: SurveyTarget, on_stored: Callable[[bool], WerkzeugResponse]) -> WerkzeugResponse | tuple[str, int]:
    """Validate and store; ``on_stored(created)`` builds the response after success.

    A failed CSRF check or an expired form token must not cost the respondent their
    answers: the page comes back with everything kept and a fresh token.
    """
    from flask_babel import gettext as _

    target.kept = form_values()
    meta = SurveyMetaForm()
    token = formtoken.read(request.form.get("form_token"))
    if not meta.validate_on_submit() or token is None:
        notice = _("Your session expired before you sent the form. Your answers are kept: please press Send again.")
        return show(target, status=400, notice=notice)
    result = parse_answers(target.questionnaire, target.kept, prefilled=target.prefilled)
    if result.errors:
        notice = _("Some answers need your attention. They are marked below.")
        return show(target, status=422, errors=result.errors, notice=notice,
                    token=request.form.get("form_token"))
    created = store_response(db.session, Submission(
        round_id=target.round.id,
        group_code=target.questionnaire.group,
        unit_id=target.unit.id,
        service_point_id=target.desk.id if target.desk else None,
        channel=target.channel,
        version_id=target.version.id,
        answers=result.answers,
        nonce=token.nonce,
        submitted_on=today_utc(),
        duration_seconds=token.duration_seconds(),
        also_insert=target.extra_rows,
    ))
    current_app.logger.info("response stored channel=%s created=%s", target.channel, created)
    return on_stored(created)
