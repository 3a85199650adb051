"""Console: questionnaire versions, each shown exactly as respondents see it, and edited while unanswered."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.admin import bp, current_user, roles
from survey_app.admin.forms import ActionForm, VersionForm
from survey_app.admin.helpers import get_or_404, group_labels, problem_text
from survey_app.extensions import db
from survey_app.models import QuestionnaireVersion, Role, Round, RoundQuestionnaire, Unit
from survey_app.questionnaire import QuestionnaireError
from survey_app.respondent import flow
from survey_app.services import audit
from survey_app.services.problems import ProblemsFound
from survey_app.services.programmes import sync_directory
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.rounds_admin import edit_version, version_usage


@bp.get("/questionnaires")
@roles(Role.ADMIN, Role.ANALYST)
def questionnaires():
    versions = db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.group_code,
                                                                        QuestionnaireVersion.id.desc())).all()
    rounds: dict[int, list[str]] = {}
    for link, name in db.session.execute(select(RoundQuestionnaire, Round.name).join(Round)):
        rounds.setdefault(link.version_id, []).append(name)
    labels = group_labels()
    order = {g: i for i, g in enumerate(labels)}
    return render_template(
        "admin/questionnaires.html", versions=sorted(versions, key=lambda v: order.get(v.group_code, 9)),
        usage=version_usage(db.session), rounds=rounds, group_labels=labels, action=ActionForm(),
    )


@bp.get("/questionnaires/<int:version_id>")
@roles(Role.ADMIN, Role.ANALYST)
def questionnaire_preview(version_id: int):
    """The respondent's page for this version, with a notice that nothing can be sent from it.

    Rendered by the respondent flow itself, so what staff check is exactly
    what respondents get; the unit and round are placeholders never stored.
    """
    version = get_or_404(QuestionnaireVersion, version_id)
    target = flow.SurveyTarget(
        round=Round(name=_("Preview")), version=version, questionnaire=questionnaire_of(version),
        unit=Unit(code="PREVIEW", name_vi="Xem trước phiếu khảo sát", name_en="Questionnaire preview"),
        channel="qr", action_url=url_for("admin.questionnaire_preview", version_id=version_id),
    )
    return flow.show(target, notice=_("Preview of version %(version)s: answers sent from this page are not stored.",
                                      version=version.short_version))


@bp.route("/questionnaires/<int:version_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def questionnaire_edit(version_id: int):
    version = get_or_404(QuestionnaireVersion, version_id)
    answered = version_usage(db.session).get(version.id, 0)
    form = VersionForm(source=version.source)
    problems: list[str] = []
    if not answered and form.validate_on_submit():
        try:
            new = edit_version(db.session, version, form.source.data)
        except QuestionnaireError as exc:
            problems = [str(p) for p in exc.problems]
        except ProblemsFound as exc:
            problems = [problem_text(p) for p in exc.problems]
        else:
            audit.record(db.session, current_user(), "questionnaire.edit", new.group_code,
                         old=version.short_version, new=new.short_version)
            db.session.commit()
            flash(_("Saved as version %(version)s.", version=new.short_version))
            return redirect(url_for("admin.questionnaire_preview", version_id=new.id))
        db.session.rollback()
    status = 409 if answered and form.is_submitted() else 422 if problems else 200
    return render_template("admin/questionnaire_edit.html", version=version, form=form, answered=answered,
                           problems=problems, group_labels=group_labels()), status


@bp.post("/questionnaires/sync")
@roles(Role.ADMIN)
def questionnaires_sync():
    """Store a version for each questionnaire file that changed, so rounds can choose it."""
    if ActionForm().validate_on_submit():
        try:
            found = sync_directory(db.session, current_app.config["QUESTIONNAIRE_DIR"])
        except QuestionnaireError as exc:
            db.session.rollback()
            for problem in exc.problems[:20]:
                flash(str(problem))
            return redirect(url_for("admin.questionnaires"))
        audit.record(db.session, current_user(), "questionnaires.sync", "",
                     versions={g: v.short_version for g, v in found.items()})
        db.session.commit()
        flash(_("Questionnaire files loaded."))
    return redirect(url_for("admin.questionnaires"))
