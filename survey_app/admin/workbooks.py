"""Console: questionnaires from and to Excel (XLSForm), their comparison with the version in use, publishing.

Staff upload a workbook, see what changed against the version respondents
answer now (and the existing preview, exactly as respondents will see it),
then publish the version to a round.  Nothing is stored when the workbook has
a problem: every problem is listed with its sheet, row and column.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from analysis.indices.scheme import SchemeError
from analysis.indices.scheme_workbook import SchemeWorkbookError, write_scheme_workbook
from survey_app.admin import bp, current_user, roles
from survey_app.admin.formbase import ConsoleForm as FlaskForm
from survey_app.admin.helpers import get_or_404, group_labels, problem_text
from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import Programme, QuestionnaireVersion, Role, Round
from survey_app.questionnaire.compare import compare
from survey_app.questionnaire.xlsform import MAX_UPLOAD_BYTES, WorkbookError
from survey_app.services import audit
from survey_app.services.problems import ProblemsFound
from survey_app.services.programmes import StructureError
from survey_app.services.questionnaire_workbooks import export_workbook, import_workbook, publish, version_in_use
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.scheme_view import (
    group_schemes,
    programme_scheme,
    scheme_tree,
    scoring_trees,
    store_scheme_workbook,
)


class WorkbookUploadForm(FlaskForm):
    group = SelectField(_l("Respondent group"))
    file = FileField(_l("XLSForm workbook (.xlsx, .xls or .csv)"), validators=[FileRequired()])


class SchemeUploadForm(FlaskForm):
    programme_id = SelectField(_l("Programme"), coerce=int)
    file = FileField(_l("Scheme workbook (.xlsx)"), validators=[FileRequired()])


class PublishForm(FlaskForm):
    round_id = SelectField(_l("Round"), coerce=int)


@bp.url_value_preprocessor
def _allow_workbooks(endpoint: str | None, values: dict[str, object] | None) -> None:
    """Workbooks are larger than any survey answer: raise the body limit for the upload view only."""
    if endpoint in ("admin.questionnaire_import", "admin.schemes"):
        request.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024


def _today():  # type: ignore[no-untyped-def]
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


@bp.route("/questionnaires/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
def questionnaire_import():
    form = WorkbookUploadForm()
    form.group.choices = [SelectChoice(code, label) for code, label in group_labels().items()]
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = import_workbook(db.session, upload.read(MAX_UPLOAD_BYTES + 1), upload.filename or "form.xlsx",
                                     form.group.data)
        except WorkbookError as exc:
            db.session.rollback()
            problems = [problem_text(p) for p in exc.problems]
        else:
            audit.record(db.session, current_user(), "questionnaire.import", result.version.group_code,
                         version=result.version.short_version, file=upload.filename or "", created=result.created)
            db.session.commit()
            for warning in result.warnings:
                flash(problem_text(warning))
            flash(_("Stored as version %(version)s.", version=result.version.short_version) if result.created else
                  _("These questions are already stored as version %(version)s.",
                    version=result.version.short_version))
            return redirect(url_for("admin.questionnaire_review", version_id=result.version.id))
    return render_template("admin/questionnaire_import.html", form=form, problems=problems), 422 if problems else 200


@bp.get("/questionnaires/<int:version_id>/review")
@roles(Role.ADMIN, Role.ANALYST)
def questionnaire_review(version_id: int):
    """The uploaded version against the one in use: what changed, and where to publish it."""
    version = get_or_404(QuestionnaireVersion, version_id)
    questionnaire = questionnaire_of(version)
    in_use = version_in_use(db.session, version.group_code, _today())
    comparison = None
    if in_use is not None and in_use.id != version.id:
        comparison = compare(questionnaire_of(in_use), questionnaire)
    form = PublishForm()
    form.round_id.choices = [SelectChoice(r.id, r.name) for r in db.session.scalars(
        select(Round).where(Round.status != "closed").order_by(Round.opens_on.desc()))]
    schemes = group_schemes(db.session, version.group_code, current_app.config["QUESTIONNAIRE_DIR"])
    trees = scoring_trees(schemes, questionnaire)
    return render_template("admin/questionnaire_review.html", version=version, questionnaire=questionnaire,
                           in_use=in_use, comparison=comparison, form=form, group_labels=group_labels(),
                           trees=trees)


@bp.post("/questionnaires/<int:version_id>/publish")
@roles(Role.ADMIN)
def questionnaire_publish(version_id: int):
    version = get_or_404(QuestionnaireVersion, version_id)
    form = PublishForm()
    form.round_id.choices = [SelectChoice(r.id, r.name) for r in db.session.scalars(
        select(Round).where(Round.status != "closed"))]
    if form.validate_on_submit():
        round_ = get_or_404(Round, form.round_id.data)
        try:
            publish(db.session, version, round_)
        except ProblemsFound as exc:
            db.session.rollback()
            for problem in exc.problems:
                flash(problem_text(problem))
        else:
            audit.record(db.session, current_user(), "questionnaire.publish", version.group_code,
                         version=version.short_version, round=round_.name)
            db.session.commit()
            flash(_("Version %(version)s is now the questionnaire of round %(round)s.",
                    version=version.short_version, round=round_.name))
    return redirect(url_for("admin.questionnaire_review", version_id=version_id))


@bp.get("/questionnaires/<int:version_id>/xlsform.xlsx")
@roles(Role.ADMIN, Role.ANALYST)
def questionnaire_xlsform(version_id: int):
    version = get_or_404(QuestionnaireVersion, version_id)
    name = f"{version.group_code}-{version.short_version}.xlsx"
    return Response(export_workbook(version),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})



@bp.route("/schemes", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.ANALYST)
def schemes():
    """Every programme's index schemes as scoring trees, each downloadable as a workbook.

    An administrator uploads a changed workbook for a programme: it is checked
    against the programme's questionnaires (problems with sheet, row and
    column) and stored with the programme, replacing the scheme of that code.
    """
    programmes = db.session.scalars(select(Programme).order_by(Programme.code)).all()
    trees = []
    for programme in programmes:
        for row in programme.schemes:
            try:
                scheme = programme_scheme(programme, row.code)
                if scheme is None:
                    raise SchemeError(f"programme {programme.code}: no scheme {row.code}")
                trees.append((programme, row.code, scheme_tree(scheme)))
            except SchemeError as exc:
                flash(str(exc))
    form = SchemeUploadForm()
    form.programme_id.choices = [SelectChoice(p.id, f"{p.code}: {p.title(current_lang())}") for p in programmes]
    problems: list[str] = []
    if form.validate_on_submit():
        if current_user() is None or current_user().role != Role.ADMIN:
            abort(403)
        programme = get_or_404(Programme, form.programme_id.data)
        upload = form.file.data
        try:
            row = store_scheme_workbook(db.session, programme, upload.read(MAX_UPLOAD_BYTES + 1),
                                        upload.filename or "scheme.xlsx")
        except SchemeWorkbookError as exc:
            db.session.rollback()
            problems = [problem_text(p) for p in exc.problems]
        except (SchemeError, StructureError) as exc:
            db.session.rollback()
            problems = list(getattr(exc, "problems", [str(exc)]))
        else:
            audit.record(db.session, current_user(), "programme.scheme", programme.code, scheme=row.code,
                         file=upload.filename or "")
            db.session.commit()
            flash(_("Index scheme %(code)s stored.", code=row.code))
            return redirect(url_for("admin.schemes"))
    return render_template("admin/schemes.html", trees=trees, form=form, problems=problems), (
        422 if problems else 200)


@bp.get("/schemes/<int:programme_id>/<code>.xlsx")
@roles(Role.ADMIN, Role.ANALYST)
def scheme_xlsx(programme_id: int, code: str):
    programme = get_or_404(Programme, programme_id)
    scheme = programme_scheme(programme, code)
    if scheme is None:
        abort(404)
    return Response(write_scheme_workbook(scheme),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{programme.code}-{scheme.code}.xlsx"'})
