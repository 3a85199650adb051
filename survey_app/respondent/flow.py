"""One survey page, whatever brought the respondent to it.

Each entry point (desk QR, personal link, slip code, kiosk) resolves a
:class:`SurveyTarget` and hands it to :func:`show` or :func:`submit`. Those
render the questionnaire, validate on the server, keep every answer on error
and store a valid response exactly once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Executable
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import QuestionnaireVersion, Round, ServicePoint, Unit, today_utc
from survey_app.questionnaire import Condition, Item, Questionnaire, parse_answers
from survey_app.respondent import compression, formtoken, pagecache, ratelimit
from survey_app.respondent.pagecache import PageShell
from survey_app.services.submission import Submission, store_response

FORM_FIELDS = ("form_token", "action")


@dataclass
class SurveyTarget:
    round: Round
    version: QuestionnaireVersion
    questionnaire: Questionnaire
    unit: Unit
    channel: str
    action_url: str
    desk: ServicePoint | None = None
    template: str = "respondent/survey.html"  # the kiosk wraps the same form in its own page
    prefilled: Mapping[str, object] = field(default_factory=dict)
    kept: Mapping[str, list[str]] = field(default_factory=dict)
    can_save: bool = False  # personal links may save a draft and come back
    extra_rows: tuple[object, ...] = ()
    # Conditional UPDATEs that must each change one row in the response's transaction
    # (a personal link becoming completed): see services.submission.
    guards: tuple[Executable, ...] = ()
    # Everything the empty form's page shows (resolve.DeskSurvey.shown), when that
    # page may be kept between requests in respondent.pagecache; None: never kept.
    page_key: tuple[object, ...] | None = None


# Stand-in for the token while a shell is rendered: random per process, so no
# questionnaire text can contain it; HTML escaping leaves hex alone.
_TOKEN_HOLE = f"form-{secrets.token_hex(12)}"


def show(target: SurveyTarget, *, status: int = 200, errors: Mapping[str, object] | None = None,
         notice: str | None = None, token: str | None = None) -> WerkzeugResponse:
    """The survey page, with a fresh form token (or the one being kept) for this browser.

    The page around the token depends only on the target and the language, so
    the empty form's page is rendered once and kept in ``pagecache.pages`` when
    the target has a ``page_key`` (desk QR and kiosk); each request only signs
    its token and fills it in. A page with kept answers, errors or a notice is rendered anew.
    A browser without our cookie gets one (see formtoken), and a kept token is
    only ever one already checked against that cookie.
    """
    lang = current_lang()
    hidden = frozenset(target.prefilled)
    if target.page_key is not None and not (target.kept or errors or notice):
        key = (target.page_key, target.template, target.action_url, lang, target.can_save, hidden)
        shell = pagecache.pages.get_or_render(key, lambda: _render_shell(target, lang, hidden, {}, None))
    else:
        shell = _render_shell(target, lang, hidden, errors or {}, notice)
    browser = formtoken.browser_of(request.cookies)
    new_browser = browser is None
    if browser is None:
        browser, token = formtoken.new_browser(), None
    form_token = token or formtoken.issue(browser)
    if request.method != "HEAD" and compression.accepts_gzip():
        response = current_app.response_class(shell.fill_gzip(form_token), status, _GZIPPED)
    else:
        response = current_app.response_class(shell.fill(form_token), status, _PLAIN)
    if new_browser:
        _set_browser_cookie(response, browser)
    return response


# The page is gzipped here, not by compression.compress (which leaves a response
# alone once its Vary names Accept-Encoding): a kept page's fixed parts are deflated once.
_PLAIN = {"Vary": "Accept-Encoding, Cookie"}
_GZIPPED = {"Vary": "Accept-Encoding, Cookie", "Content-Encoding": "gzip"}


def _set_browser_cookie(response: WerkzeugResponse, browser: str) -> None:
    """The browser id, with the session cookie's protections and lifetime (until the browser closes)."""
    config = current_app.config
    response.set_cookie(formtoken.BROWSER_COOKIE, browser, path="/", httponly=True, samesite="Lax",
                        secure=bool(config["SESSION_COOKIE_SECURE"]))


def _render_shell(target: SurveyTarget, lang: str, hidden: frozenset[str], errors: Mapping[str, object],
                  notice: str | None) -> PageShell:
    skipped: frozenset[str] = frozenset()
    if target.kept or errors:
        skipped = _skipped(target.questionnaire, target.kept, target.prefilled)
        questions = _render_questions(target.questionnaire, lang, hidden, target.kept, errors, skipped)
    else:
        questions = _fresh_questions(target.questionnaire, lang, hidden)
    html = render_template(
        target.template,
        target=target,
        q=target.questionnaire,
        lang=lang,
        numbers=_numbers(target.questionnaire, hidden | skipped),
        questions=questions,
        errors=errors,
        notice=notice,
        form_token=_TOKEN_HOLE,
    )
    return PageShell.build(html, _TOKEN_HOLE)


def posted_token() -> formtoken.FormToken | None:
    """The posted form's token, if the form is still good: signed by us, for this
    browser's cookie (the CSRF check), and not too old."""
    return formtoken.read(request.form.get("form_token"), formtoken.browser_of(request.cookies))


def _numbers(q: Questionnaire, hidden: frozenset[str]) -> dict[str, int]:
    """Question numbers as the respondent sees them: prefilled and skipped items are not
    shown, so they take no number (static/survey.js renumbers the same way as answers change)."""
    shown = [item for item in q.items if item.code not in hidden]
    return {item.code: number for number, item in enumerate(shown, start=1)}


def _skipped(q: Questionnaire, kept: Mapping[str, list[str]], prefilled: Mapping[str, object]) -> frozenset[str]:
    """Items whose condition the answers given so far do not meet (parse_answers' own rule).

    A page shown again with answers (errors, a saved draft, a language switch) renders them
    ``hidden``, and their section too when nothing in it is left: without JavaScript the
    respondent then sees only what applies, numbered without gaps. They stay in the page, so
    a script can show them again when an answer changes.
    """
    answers = parse_answers(q, kept, prefilled=prefilled).answers
    return frozenset(item.code for item in q.items
                     if item.relevant is not None and not item.relevant.is_met(answers))


def _render_questions(q: Questionnaire, lang: str, hidden: frozenset[str],
                      kept: Mapping[str, list[str]], errors: Mapping[str, object],
                      skipped: frozenset[str] = frozenset()) -> Markup:
    numbers = _numbers(q, hidden | skipped)

    def labels(condition: Condition) -> str:
        earlier = q.item(condition.item)
        if not earlier.options:
            return " / ".join(str(value) for value in condition.values)
        return " / ".join(o.label.get(lang) for o in earlier.options if o.code in condition.values)

    def condition_labels(item: Item) -> str:
        return labels(item.relevant) if item.relevant is not None else ""

    def rule_text(condition: Condition, inner: bool) -> str:
        if condition.is_leaf:
            return _("question %(n)s: %(values)s", n=numbers.get(condition.item, "?"), values=labels(condition))
        joiner = _(" and ") if condition.join == "all" else _(" or ")
        text = joiner.join(rule_text(part, True) for part in condition.parts)
        return f"({text})" if inner else text

    def condition_text(item: Item) -> str:
        """A rule on several questions in words: "question 3: Yes and (question 5: No or question 6: Yes)"."""
        return rule_text(item.relevant, False) if item.relevant is not None else ""

    sections = [s for s in q.sections if any(i.code not in hidden for i in s.items)]
    shown_sections = [s for s in sections if any(i.code not in hidden | skipped for i in s.items)]
    return Markup(render_template(
        "respondent/_questions.html", q=q, lang=lang, hidden_codes=hidden, kept=kept, errors=errors,
        numbers=numbers, condition_labels=condition_labels, condition_text=condition_text, skipped=skipped,
        sections=sections, part_numbers={s.code: n for n, s in enumerate(shown_sections, start=1)},
        parts=len(shown_sections),
    ))


def _fresh_questions(q: Questionnaire, lang: str, hidden: frozenset[str]) -> Markup:
    """The empty form's questions, rendered once per version, language and hidden set.

    Rendering 35 questions is most of the cost of a survey page; a fresh form
    is the same for every respondent, so it is cached per process (versions never
    change, so the cache never needs invalidating).
    """
    key = (q.content_hash, lang, hidden)
    cached = _FRESH_CACHE.get(key)
    if cached is None:
        cached = _render_questions(q, lang, hidden, {}, {})
        if len(_FRESH_CACHE) < 256:
            _FRESH_CACHE[key] = cached
    return cached


_FRESH_CACHE: dict[tuple[str, str, frozenset[str]], Markup] = {}


def form_values() -> dict[str, list[str]]:
    """The submitted answers as lists of strings, without our own fields."""
    return {key: values for key, values in request.form.lists() if key not in FORM_FIELDS}


def submit(target: SurveyTarget, on_stored: Callable[[bool], WerkzeugResponse],
           admit: Callable[[], ratelimit.Admission] | None = None) -> WerkzeugResponse:
    """Validate and store; ``on_stored(created)`` builds the response after success.

    A failed CSRF check or an expired form token must not cost the respondent their
    answers: the page comes back with everything kept and a fresh token. Neither
    does a rate limit (``admit``, counted only for a valid form about to be
    stored): the page comes back with every answer and says when to send again.
    """
    from flask_babel import gettext as _

    target.kept = form_values()
    token = posted_token()
    if request.form.get("action") == "language":
        # The language switch on a survey page sends the form (?lang= in its address): the
        # page comes back in the other language with every answer given so far, unchecked,
        # and the same form token, so the time taken still counts from the first page.
        return show(target, token=request.form.get("form_token") if token is not None else None)
    if token is None:
        notice = _("Your session expired before you sent the form. Your answers are kept: please press Send again.")
        return show(target, status=400, notice=notice)
    result = parse_answers(target.questionnaire, target.kept, prefilled=target.prefilled)
    if result.errors:
        notice = _("Some answers need your attention. They are marked below.")
        return show(target, status=422, errors=result.errors, notice=notice,
                    token=request.form.get("form_token"))
    admission = admit() if admit is not None else ratelimit.Admission()
    if admission.retry_after is not None:
        minutes = max(1, -(-admission.retry_after // 60))
        notice = _("Please wait: many answers have been sent from here in a short time. Your answers are kept "
                   "on this page: please press Send again in about %(minutes)s minutes.", minutes=minutes)
        response = show(target, status=429, notice=notice, token=request.form.get("form_token"))
        response.headers["Retry-After"] = str(admission.retry_after)
        return response
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
        guards=target.guards,
    ))
    current_app.logger.debug("response stored channel=%s created=%s", target.channel, created)
    if created and admission.suspect and target.desk is not None:
        ratelimit.record_suspect(db.session, target.desk.id)
        db.session.commit()  # the response is stored already (store_response): the signal is counted after it
    return on_stored(created)
