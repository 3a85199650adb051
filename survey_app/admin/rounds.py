"""Console: a round's page, creating and editing rounds, opening and closing them, targets."""

from __future__ import annotations

import re
from collections import defaultdict

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from survey_app.admin import bp, current_user, roles, version_label
from survey_app.admin.forms import ActionForm, RoundForm, round_form
from survey_app.admin.helpers import STATUS_LABELS, get_or_404, group_labels, problem_text, show_problems
from survey_app.extensions import db
from survey_app.models import Programme, QuestionnaireVersion, Round, ServicePoint, Unit
from survey_app.services.programmes import all_groups, round_groups, round_programmes
from survey_app.services import audit
from survey_app.services.problems import Problem, ProblemsFound
from survey_app.services.rounds_admin import (
    DEFAULT_MARGIN,
    RoundData,
    round_units,
    TargetRow,
    create_round,
    overlapping_open_rounds,
    responses_by_group,
    save_targets,
    set_status,
    update_round,
)

THOUSANDS = re.compile(r"\d{1,3}([.,\s]\d{3})+\Z")


@bp.get("/rounds/<int:round_id>")
@roles("admin", "analyst")
def round_detail(round_id: int):
    round_ = get_or_404(Round, round_id)
    totals: dict[str, int] = defaultdict(int)
    for target in round_.targets:
        totals[target.group_code] += target.target
    return render_template(
        "admin/round.html", round=round_, groups=[g.code for g in round_groups(db.session, round_)],
        group_labels=group_labels(), status_labels=STATUS_LABELS, programmes=round_programmes(round_),
        counts=responses_by_group(db.session, round_id), targets=totals, action=ActionForm(),
        contacts_page="admin.round_contacts" in current_app.view_functions,
    )


def _version_choices() -> dict[str, list[SelectChoice]]:
    choices: dict[str, list[SelectChoice]] = {g.code: [] for g in all_groups(db.session)}
    for v in db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())):
        if v.group_code in choices:
            choices[v.group_code].append(SelectChoice(str(v.id), version_label(v)))
    return choices


def _programme_choices() -> list[SelectChoice]:
    return [SelectChoice(str(p.id), f"{p.title_vi} ({p.code})")
            for p in db.session.scalars(select(Programme).order_by(Programme.code))]


def _round_data(form: RoundForm) -> RoundData:
    versions = {}
    for f in form:
        if f.name.startswith("version_"):
            value = f.data
            versions[f.name.removeprefix("version_")] = (
                int(value) if value and re.fullmatch(r"[0-9]{1,9}", value) else None)
    programmes = [int(v) for v in form.programmes.data or [] if re.fullmatch(r"[0-9]{1,9}", v)]
    return RoundData(name=form.name.data, period=form.period.data or "", opens_on=form.opens_on.data,
                     closes_on=form.closes_on.data, reminder_limit=form.reminder_limit.data, versions=versions,
                     programmes=programmes)


@bp.route("/rounds/new", methods=["GET", "POST"])
@roles("admin")
def round_new():
    choices = _version_choices()
    form = round_form(choices, _programme_choices())
    if form.validate_on_submit():
        try:
            round_ = create_round(db.session, _round_data(form))
        except ProblemsFound as exc:
            show_problems(form, exc)
            return render_template("admin/round_form.html", form=form, round=None), 422
        audit.record(db.session, current_user(), "round.create", round_.name)
        db.session.commit()
        flash(_("Round created as a draft. Set its targets, then open it."))
        return redirect(url_for("admin.round_detail", round_id=round_.id))
    return render_template("admin/round_form.html", form=form, round=None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles("admin")
def round_edit(round_id: int):
    round_ = get_or_404(Round, round_id)
    current: dict[str, object] = {f"version_{link.group_code}": str(link.version_id) for link in round_.questionnaires}
    current["programmes"] = [str(link.programme_id) for link in round_.programmes]
    form = round_form(_version_choices(), _programme_choices(), obj=round_,
                      data=current if request.method == "GET" else None)
    if request.method == "GET":  # Round.programmes (link rows) would otherwise win over the ids
        form.programmes.data = current["programmes"]
    if form.validate_on_submit():
        try:
            update_round(db.session, round_, _round_data(form))
        except ProblemsFound as exc:
            db.session.rollback()
            show_problems(form, exc)
            return render_template("admin/round_form.html", form=form, round=round_), 422
        audit.record(db.session, current_user(), "round.update", round_.name)
        db.session.commit()
        flash(_("Round saved."))
        return redirect(url_for("admin.round_detail", round_id=round_.id))
    return render_template("admin/round_form.html", form=form, round=round_)


@bp.post("/rounds/<int:round_id>/status")
@roles("admin")
def round_status(round_id: int):
    round_ = get_or_404(Round, round_id)
    status = request.form.get("status", "")
    close = [int(v) for v in request.form.getlist("close") if re.fullmatch(r"[0-9]{1,9}", v)]
    if ActionForm().validate_on_submit():
        try:
            closed = set_status(db.session, round_, status, close=close)
        except ProblemsFound as exc:
            db.session.rollback()
            for problem in exc.problems:
                flash(problem_text(problem))
            return redirect(url_for("admin.round_detail", round_id=round_id))
        for other in closed:
            audit.record(db.session, current_user(), "round.closed", other.name, to_open=round_.name)
        audit.record(db.session, current_user(), f"round.{status}", round_.name)
        db.session.commit()
        for other in closed:
            flash(_("The round %(name)s is now closed; its responses are kept.", name=other.name))
        flash(_("The round is now %(status)s.", status=STATUS_LABELS[status]))
    return redirect(url_for("admin.round_detail", round_id=round_id))


@bp.get("/rounds/<int:round_id>/open")
@roles("admin")
def round_open_confirm(round_id: int):
    """What opening the round will do, before it is done (the button on the round's page leads here)."""
    round_ = get_or_404(Round, round_id)
    totals: dict[str, int] = {}
    for target in round_.targets:
        if target.target is not None:
            totals[target.group_code] = totals.get(target.group_code, 0) + target.target
    return render_template(
        "admin/round_open.html", round=round_, groups=[g.code for g in round_groups(db.session, round_)],
        group_labels=group_labels(), targets=totals,
        overlapping=overlapping_open_rounds(db.session, round_), action=ActionForm(),
        desks=db.session.scalar(select(func.count()).select_from(ServicePoint)) or 0,
    )


@bp.route("/rounds/<int:round_id>/targets/<group>", methods=["GET", "POST"])
@roles("admin")
def round_targets(round_id: int, group: str):
    round_ = get_or_404(Round, round_id)
    groups = [g.code for g in round_groups(db.session, round_)]
    if group not in groups:
        if not groups:
            return redirect(url_for("admin.round_detail", round_id=round_id))
        return redirect(url_for("admin.round_targets", round_id=round_id, group=groups[0]))
    units = round_units(db.session, round_, group)
    form, errors = ActionForm(), []
    if form.validate_on_submit():
        rows, margin, errors = _target_rows(units)
        if not errors:
            try:
                kept = save_targets(db.session, round_, group, rows, compute=request.form.get("action") == "compute",
                                    margin=margin)
            except ProblemsFound as exc:
                db.session.rollback()
                errors = [problem_text(p) for p in exc.problems]
            else:
                audit.record(db.session, current_user(), "targets.save", round_.name, group=group, units=kept)
                db.session.commit()
                flash(_("Targets saved for %(n)s units.", n=kept))
                return redirect(url_for("admin.round_targets", round_id=round_id, group=group))
    existing = {t.unit_id: t for t in round_.targets if t.group_code == group}
    return render_template(
        "admin/targets.html", round=round_, group=group, groups=groups, group_labels=group_labels(), units=units,
        existing=existing, form=form, errors=errors, margin=request.form.get("margin", str(DEFAULT_MARGIN)),
    ), 422 if errors else 200


def _target_rows(units: list[Unit]) -> tuple[list[TargetRow], float, list[str]]:
    """Read the grid of the targets form: blank cells are None, anything not a whole number is an error."""
    errors: list[str] = []

    def number(name: str) -> int | None:
        raw = request.form.get(name, "").strip()
        if THOUSANDS.match(raw):  # "12.500" or "12,500" as people write thousands
            raw = re.sub(r"[.,\s]", "", raw)
        if not raw:
            return None
        if not re.fullmatch(r"[0-9]{1,9}", raw):
            errors.append(problem_text(Problem(name, "bad_number", request.form.get(name, "")[:20])))
            return None
        return int(raw)

    rows = [TargetRow(u.id, number(f"target-{u.id}"), number(f"transactions-{u.id}")) for u in units]
    try:
        margin = float(request.form.get("margin", str(DEFAULT_MARGIN)).replace(",", "."))
    except ValueError:
        errors.append(problem_text(Problem("margin", "out_of_range", request.form.get("margin", "")[:20])))
        margin = DEFAULT_MARGIN
    return rows, margin, errors
