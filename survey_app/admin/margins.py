"""Console: a round's margins (transactions per unit, field, sex, age group; members of official groups).

Staff type the transactions per unit of one group on a grid, or import a file
of every group and dimension; both are checked row by row and stored all or
nothing (services/margins.py). The stored margins download in the format
``python -m analysis --margins`` reads, and the round's analysis job uses them.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from survey_app.admin import bp, current_user, roles
from survey_app.admin.exports import file_stem
from survey_app.admin.formbase import ConsoleForm
from survey_app.admin.forms import ActionForm
from survey_app.admin.helpers import all_units, get_or_404, group_labels, problem_text
from survey_app.extensions import db
from survey_app.models import Role, Round
from survey_app.services import audit
from survey_app.services.margins import (
    COLUMNS,
    MAX_BYTES,
    MarginRow,
    census_groups,
    dimension_of,
    import_margins,
    margins_csv,
    read_margin_file,
    round_groups,
    save_group_margins,
    stored_margins,
    template_csv,
)
from survey_app.services.problems import Problem, ProblemsFound


class MarginFileForm(ConsoleForm):
    file = FileField(_l("Margins file (CSV or XLSX)"), validators=[FileRequired()])


DIMENSION_LABELS = {
    "unit": _l("Completed transactions per unit"),
    "field": _l("Transactions per procedure field"),
    "sex": _l("Transactions per sex"),
    "age_group": _l("Transactions per age group"),
    "members": _l("Members of the group (census)"),
}


def margin_problem(problem: Problem) -> str:
    """Sentences for the margins' own reasons; the console's shared ones otherwise."""
    own = {
        "bad_group_in_round": _("The group %(value)s does not answer in this round."),
        "bad_dimension": _("Unknown dimension %(value)s: use unit, field, sex, age_group or members."),
        "bad_category": _("The category %(value)s is not an answer of this question."),
        "dimension_not_asked": _("The questionnaire of this group does not ask %(value)s."),
        "members_not_census": _("Members can only be given for an official group, not for %(value)s."),
        "duplicate_margin": _("The total for %(value)s is given twice."),
        "totals_disagree": _("The totals of each dimension must be equal (the number of people served): %(value)s."),
        "bad_points": _("Points must be a number between 0 and the maximum (not %(value)s)."),
        "bad_source": _("Unknown source %(value)s: use self or appraised."),
    }
    return problem_text(problem, own)


@bp.url_value_preprocessor
def _allow_margin_files(endpoint: str | None, values: dict[str, object] | None) -> None:
    """A margins workbook may exceed the survey forms' body limit; bounded all the same."""
    if endpoint == "admin.round_margins" and request.method == "POST":
        request.max_content_length = MAX_BYTES + 64 * 1024


def _page(round_: Round, form: MarginFileForm, problems: list[str] | None = None, status: int = 200):
    margins = stored_margins(db.session, round_.id)
    by_group: dict[str, list] = {}
    for m in margins:
        by_group.setdefault(m.group_code, []).append(m)
    units = {u.code: u for u in all_units()}
    return render_template(
        "admin/margins.html", round=round_, form=form, problems=problems or [], by_group=by_group,
        groups=round_groups(round_), group_labels=group_labels(), dimension_of=dimension_of,
        dimension_labels=DIMENSION_LABELS, units=units, columns=COLUMNS,
        example="group,dimension,category,count\ncitizen,unit,XA_AN_PHU,5200\ncitizen,unit,XA_BINH_MINH,2600\n"
                "citizen,sex,Nam,3900\ncitizen,sex,Nữ,3900\nhdnd_deputy,members,hdnd_deputy,35\n",
    ), status


@bp.route("/rounds/<int:round_id>/margins", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.ANALYST)
def round_margins(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = MarginFileForm()
    if request.method == "POST":
        if current_user().role != Role.ADMIN:
            return _page(round_, form, [_("Only an administrator can change the margins.")], 403)
        if not form.validate_on_submit():
            return _page(round_, form, [str(e) for errors in form.errors.values() for e in errors], 422)
        upload = form.file.data
        try:
            stored = import_margins(db.session, round_, read_margin_file(upload.filename or "", upload.read()))
        except ProblemsFound as exc:
            db.session.rollback()
            return _page(round_, form, [margin_problem(p) for p in exc.problems], 422)
        audit.record(db.session, current_user(), "margins.import", round_.name, file=upload.filename or "",
                     groups=stored)
        db.session.commit()
        flash(_("Margins imported: %(n)s totals.", n=sum(stored.values())))
        return redirect(url_for("admin.round_margins", round_id=round_id))
    return _page(round_, form)


@bp.route("/rounds/<int:round_id>/margins/<group>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def round_margins_grid(round_id: int, group: str):
    """Type one group's transactions per unit (or an official group's members)."""
    round_ = get_or_404(Round, round_id)
    if group not in round_groups(round_):
        return redirect(url_for("admin.round_margins", round_id=round_id))
    units = all_units()
    form, errors = ActionForm(), []
    census = group in census_groups(db.session)
    if form.validate_on_submit():
        if census:
            rows = [MarginRow(group, "members", group, request.form.get("members", ""), None)]
        else:
            rows = [MarginRow(group, "unit", u.code, request.form.get(f"unit-{u.id}", ""), None)
                    for u in units if request.form.get(f"unit-{u.id}", "").strip()]
        try:
            kept = save_group_margins(db.session, round_, group, rows)
        except ProblemsFound as exc:
            db.session.rollback()
            errors = [margin_problem(p) for p in exc.problems]
        else:
            audit.record(db.session, current_user(), "margins.save", round_.name, group=group, rows=kept)
            db.session.commit()
            flash(_("Margins saved: %(n)s totals.", n=kept))
            return redirect(url_for("admin.round_margins", round_id=round_id))
    existing = {(m.variable, m.category): m.total for m in stored_margins(db.session, round_id)
                if m.group_code == group}
    return render_template(
        "admin/margins_grid.html", round=round_, group=group, group_labels=group_labels(), units=units,
        existing=existing, form=form, errors=errors, census=census,
    ), 422 if errors else 200


@bp.get("/rounds/<int:round_id>/margins.csv")
@roles(Role.ADMIN, Role.ANALYST)
def round_margins_csv(round_id: int):
    round_ = get_or_404(Round, round_id)
    return Response(margins_csv(db.session, round_id).encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_stem(round_, None, "margins")}.csv"'})


@bp.get("/rounds/<int:round_id>/margins-template.csv")
@roles(Role.ADMIN, Role.ANALYST)
def round_margins_template(round_id: int):
    round_ = get_or_404(Round, round_id)
    text = "\ufeff" + template_csv(db.session, round_)
    return Response(text.encode("utf-8"), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{file_stem(round_, None, "margins-template")}.csv"'})
