"""Console: printing numbered paper questionnaires, keying them twice, settling disagreements;
importing KoboToolbox/ODK submissions.

Views are thin: the work is in services.paper (PDF, numbers), services.paper_entry
(double entry, storing) and services.submission_import.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey_app.admin import bp, current_user, roles
from survey_app.admin.forms import PaperFormsForm, SubmissionImportForm
from survey_app.admin.helpers import all_units, get_or_404, problem_text, unit_choice
from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import PaperForm, Role, Round, Unit
from survey_app.questionnaire.answers import format_decimal
from survey_app.services import audit
from survey_app.services.errors import Invalid
from survey_app.services.paper import forms_pdf, issue_forms, reached_by
from survey_app.services.paper_entry import (
    EntryRefused,
    check_entry,
    disputed_count,
    disputed_forms,
    find_form,
    key_form,
    keyed_counts,
    questionnaire_for,
    settle,
    side_by_side,
)
from survey_app.services.posters import FontMissing
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.submission_import import LIMITS, ImportRefused, import_submissions


def group_choices(round_: Round, channel: str | None = None) -> list[SelectChoice]:
    """The round's questionnaires by their titles (the group code in brackets); with ``channel``,
    only those of groups the groups table says are reached that way."""
    lang = current_lang()
    return [SelectChoice(link.group_code, f"{questionnaire_of(link.version).title.get(lang)} ({link.group_code})")
            for link in sorted(round_.questionnaires, key=lambda link: link.group_code)
            if channel is None or reached_by(db.session, link.group_code, channel)]


@bp.route("/rounds/<int:round_id>/paper", methods=["GET", "POST"])
@roles(Role.ADMIN)
def paper_forms(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = PaperFormsForm()
    form.group.choices = group_choices(round_, "paper")
    form.unit_code.choices = [unit_choice(u) for u in all_units()]
    if form.validate_on_submit():
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit_code.data))
        if unit is None:
            abort(400)
        try:
            batch = issue_forms(db.session, round_, form.group.data, unit, form.count.data, form.lang.data)
            pdf = forms_pdf(batch)
        except Invalid:
            db.session.rollback()
            form.group.errors.append(_("The round has no questionnaire for this group."))
        except FontMissing as exc:
            db.session.rollback()
            current_app.logger.error("paper form font missing: %s", exc)
            return render_template("admin/problem.html", title=_("Forms cannot be made"), text=str(exc)), 503
        else:
            audit.record(db.session, current_user(), "paper.forms", round_.name, group=form.group.data,
                         unit=unit.code, count=form.count.data)
            db.session.commit()
            name = f"phieu-{form.group.data}-{unit.code}-{batch.numbers[0]}.pdf"
            return Response(pdf, mimetype="application/pdf", headers={
                "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
    return render_template("admin/paper_forms.html", form=form, round=round_), 422 if form.errors else 200


# ---------------------------------------------------------------------------
# Keyboard data entry (double entry) and the supervisor's settling


def refusal_text(reason: str) -> str:
    return {
        "unknown_number": _("There is no printed form with this number. Check the number on the form."),
        "already_stored": _("This form has already been entered twice and stored."),
        "disputed": _("This form's two entries differ: a supervisor is settling it."),
        "keyed_by_you": _("You have already keyed this form: a different person must key it the second time."),
        "keyed_meanwhile": _("Someone else keyed this form at the same time. Please open it again."),
        "no_questionnaire": _("The round no longer has a questionnaire for this form's group."),
    }.get(reason, reason)


def shown_value(value: object) -> str:
    """An answer as staff type it: codes, several separated by spaces."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(code) for code in value)
    if isinstance(value, float):  # a decimal answer, with the comma in Vietnamese
        return format_decimal(value, current_lang())
    return str(value)


def code_hint(item) -> str:  # type: ignore[no-untyped-def]
    """The codes an item takes, as a short line beside its box."""
    lang = current_lang()
    if item.options:
        return " · ".join(f"{o.code} {o.label.get(lang)}" for o in item.options)
    if item.min is not None and item.max is not None:
        return f"{format_decimal(item.min, lang)}–{format_decimal(item.max, lang)}"
    return ""


def _entry_page(form, q, typed, errors, *, settle_rows=None, status=200):  # type: ignore[no-untyped-def]
    numbers = {item.code: number for number, item in enumerate(q.items, start=1)}
    return render_template("admin/entry_form.html", paper=form, q=q, typed=typed, errors=errors,
                           numbers=numbers, code_hint=code_hint, lang=current_lang(),
                           settle_rows=settle_rows, shown_value=shown_value), status


@bp.get("/entry")
@roles(Role.ADMIN, Role.DATA_ENTRY)
def entry_start():
    typed = request.args.get("number", "")
    problem = ""
    if typed:
        try:
            form = find_form(db.session, typed, current_user())
        except EntryRefused as refused:
            problem = refusal_text(refused.reason)
        else:
            return redirect(url_for("admin.entry_form", number=form.number))
    keyed = keyed_counts(db.session) if current_user().role == Role.ADMIN else []
    return render_template("admin/entry_start.html", typed=typed, problem=problem, disputed=disputed_count(db.session),
                           keyed=keyed), 422 if problem else 200


@bp.route("/entry/<number>", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.DATA_ENTRY)
def entry_form(number: str):
    try:
        form = find_form(db.session, number, current_user())
        q = questionnaire_for(form)
    except EntryRefused as refused:
        flash(refusal_text(refused.reason))
        return redirect(url_for("admin.entry_start"))
    if request.method == "GET":
        return _entry_page(form, q, {}, {})
    typed = {item.code: request.form.get(item.code, "")[:2000] for item in q.items}
    result = check_entry(q, typed)
    if result.errors:
        errors = {code: text.get(current_lang()) for code, text in result.errors.items()}
        return _entry_page(form, q, typed, errors, status=422)
    try:
        outcome = key_form(db.session, form, current_user(), result.answers)
    except EntryRefused as refused:
        db.session.rollback()
        flash(refusal_text(refused.reason))
        return redirect(url_for("admin.entry_start"))
    db.session.commit()
    flash({
        "first": _("Form %(number)s keyed (first entry). A second person must key it too.", number=outcome.number),
        "stored": _("Form %(number)s keyed the second time: both entries agree, the response is stored.",
                    number=outcome.number),
        "disputed": _("Form %(number)s: the two entries differ. A supervisor will settle it.", number=outcome.number),
    }[outcome.status])
    return redirect(url_for("admin.entry_start"))


@bp.get("/entry/disputes")
@roles(Role.ADMIN)
def entry_disputes():
    return render_template("admin/entry_disputes.html", forms=disputed_forms(db.session))


@bp.route("/entry/disputes/<number>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def entry_settle(number: str):
    form = db.session.get(PaperForm, number)
    if form is None or form.status != "disputed" or len(form.entries) < 2:
        abort(404)
    q = questionnaire_for(form)
    rows = side_by_side(q, form, current_lang())
    if request.method == "GET":
        typed = {row.code: shown_value(row.first) for row in rows if not row.differs}
        return _entry_page(form, q, typed, {}, settle_rows=rows)
    typed = {item.code: request.form.get(item.code, "")[:2000] for item in q.items}
    result = check_entry(q, typed)
    if result.errors:
        errors = {code: text.get(current_lang()) for code, text in result.errors.items()}
        return _entry_page(form, q, typed, errors, settle_rows=rows, status=422)
    if settle(db.session, form, current_user(), result.answers):
        flash(_("Form %(number)s settled: the response is stored.", number=number))
    else:
        flash(refusal_text("already_stored"))
    return redirect(url_for("admin.entry_disputes"))


# ---------------------------------------------------------------------------
# Submissions exported from KoboToolbox or ODK Central


@bp.url_value_preprocessor
def _allow_export_files(endpoint: str | None, values: dict[str, object] | None) -> None:
    """Exports are larger than any survey form: raise the body limit for the import view only,
    before the console's guard reads the body for its CSRF check."""
    if endpoint == "admin.import_submissions_view":
        request.max_content_length = LIMITS.max_bytes + 64 * 1024


@bp.route("/rounds/<int:round_id>/import-submissions", methods=["GET", "POST"])
@roles(Role.ADMIN)
def import_submissions_view(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = SubmissionImportForm()
    form.group.choices = group_choices(round_)
    form.unit_code.choices = [unit_choice(u) for u in all_units()]
    problems: list[str] = []
    if form.validate_on_submit():
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit_code.data))
        if unit is None:
            abort(400)
        upload = form.file.data
        name = upload.filename or "upload.csv"
        with upload.stream:  # a large upload is spooled to a temporary file: close it now
            data = upload.read()
        try:
            result = import_submissions(db.session, round_, form.group.data, unit, name, data)
        except ImportRefused as refused:
            db.session.rollback()
            problems = [problem_text(p) for p in refused.problems]
        else:
            audit.record(db.session, current_user(), "submissions.import", round_.name, group=form.group.data,
                         unit=unit.code, rows=result.rows, imported=result.imported, already=result.already)
            db.session.commit()
            flash(_("%(imported)s submissions imported; %(already)s of the %(rows)s rows had been imported before.",
                    imported=result.imported, already=result.already, rows=result.rows))
            return redirect(url_for("admin.round_detail", round_id=round_.id))
    return render_template("admin/import_submissions.html", form=form, round=round_, problems=problems), \
        422 if problems or form.errors else 200
