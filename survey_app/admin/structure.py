"""Console: unit kinds, respondent groups and programmes (bộ chỉ số), the structure the office manages.

Administrators only. A shipped programme file (questionnaires/programmes/) is
loaded with one click; a new programme is made here: its unit kinds, its
groups with one questionnaire version each (chosen from stored versions, or
pasted as YAML), and its index schemes (pasted or uploaded as YAML).
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from survey_app.admin import bp, current_user, roles
from survey_app.admin.formbase import ConsoleForm as FlaskForm  # WTForms messages translated
from survey_app.admin.forms import ActionForm
from survey_app.admin.helpers import get_or_404, group_labels, kind_labels, problem_text, show_problems
from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import (
    PROGRAMME_KINDS,
    REACH_CHANNELS,
    TIERS,
    Programme,
    QuestionnaireVersion,
    RespondentGroup,
    Round,
    RoundProgramme,
    UnitKind,
)
from survey_app.questionnaire import QuestionnaireError
from survey_app.services import audit
from survey_app.services.problems import ProblemsFound
from survey_app.services.programmes import (
    GroupData,
    KindData,
    ProgrammeData,
    StructureError,
    add_questionnaire,
    add_scheme,
    all_groups,
    all_kinds,
    load_programme,
    remove_scheme,
    save_group,
    save_kind,
    save_programme,
    shipped_programme_files,
    sync_reference_data,
)

MAX_UPLOAD = 2 * 1024 * 1024

REACH_LABELS = {
    "desk_qr": _l("QR code at the desk"), "slip": _l("Code on the result slip"), "kiosk": _l("Tablet kiosk"),
    "link": _l("Personal link"), "interviewer": _l("Interviewer"), "paper": _l("Paper form"),
}
TIER_LABELS = {"province": _l("province level"), "commune": _l("commune level"),
               "district": _l("district level (before 1 July 2025)")}
KIND_OF_PROGRAMME = {"sipas": _l("satisfaction index (SIPAS)"), "par": _l("PAR Index survey component")}


class KindForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=20)])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    aliases = StringField(_l("Other spellings accepted in imports (separated by ';')"),
                          validators=[Optional(), Length(max=2000)])
    tier = SelectField(_l("Level"), choices=[SelectChoice("", "—"), *(SelectChoice(t, TIER_LABELS[t]) for t in TIERS)],
                       validators=[Optional()])


class GroupForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=20)])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    reached_by = SelectMultipleField(_l("Reached by"), choices=[SelectChoice(c, REACH_LABELS[c]) for c in REACH_CHANNELS],
                                     validators=[Optional()])
    census = BooleanField(_l("Census: everyone in the group is surveyed (officials)"))
    about_kinds = SelectMultipleField(_l("Answers are about units of these kinds"), validators=[Optional()])
    note = TextAreaField(_l("Note (e.g. where the group comes from, if not from a decision)"),
                         validators=[Optional(), Length(max=2000)])


class ProgrammeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    title_vi = StringField(_l("Title in Vietnamese"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    kind = SelectField(_l("What the index computes"), choices=[SelectChoice(k, KIND_OF_PROGRAMME[k]) for k in PROGRAMME_KINDS])
    basis = StringField(_l("Decision it follows"), validators=[Optional(), Length(max=2000)])
    unofficial_note_vi = TextAreaField(_l("Note when figures are not from a decision (Vietnamese)"),
                                       validators=[Optional(), Length(max=2000)])
    unofficial_note_en = TextAreaField(_l("Note when figures are not from a decision (English)"),
                                       validators=[Optional(), Length(max=2000)])
    period = StringField(_l("Period"), validators=[Optional(), Length(max=40)])
    unit_kinds = SelectMultipleField(_l("Units it assesses (kinds)"), validators=[Optional()])
    groups = SelectMultipleField(_l("Respondent groups"), validators=[Optional()])


class TextUploadForm(FlaskForm):
    source = TextAreaField(_l("YAML text"), validators=[Optional(), Length(max=2_000_000)])
    file = FileField(_l("or a YAML file"))


# --- unit kinds -----------------------------------------------------------------------------------

@bp.get("/unit-kinds")
@roles("admin")
def unit_kinds():
    return render_template("admin/unit_kinds.html", kinds=all_kinds(db.session), tier_labels=TIER_LABELS,
                           action=ActionForm())


@bp.route("/unit-kinds/new", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/unit-kinds/<code>/edit", methods=["GET", "POST"])
@roles("admin")
def unit_kind_edit(code: str | None):
    kind = get_or_404(UnitKind, code) if code is not None else None
    form = KindForm(obj=kind, data={"aliases": "; ".join(kind.aliases)} if kind else None)
    if form.validate_on_submit():
        data = KindData(form.code.data or "", form.name_vi.data, form.name_en.data or "", form.aliases.data or "",
                        form.tier.data or "")
        try:
            saved = save_kind(db.session, data, kind)
        except ProblemsFound as exc:
            db.session.rollback()
            show_problems(form, exc)
            return render_template("admin/structure_form.html", form=form, title=_("Unit kind"), item=kind), 422
        audit.record(db.session, current_user(), "unit_kind.update" if kind else "unit_kind.create", saved.code)
        db.session.commit()
        flash(_("Unit kind %(code)s saved.", code=saved.code))
        return redirect(url_for("admin.unit_kinds"))
    return render_template("admin/structure_form.html", form=form, title=_("Unit kind"), item=kind)


@bp.post("/structure/sync")
@roles("admin")
def structure_sync():
    """Load the shipped unit kinds and groups (questionnaires/unit_kinds.yaml, groups.yaml)."""
    if ActionForm().validate_on_submit():
        try:
            kinds, groups = sync_reference_data(db.session, current_app.config["QUESTIONNAIRE_DIR"])
        except StructureError as exc:
            db.session.rollback()
            for problem in exc.problems[:20]:
                flash(problem)
        else:
            audit.record(db.session, current_user(), "structure.sync", "", kinds=kinds, groups=groups)
            db.session.commit()
            flash(_("Loaded %(kinds)s unit kinds and %(groups)s respondent groups from the shipped files.",
                    kinds=kinds, groups=groups))
    return redirect(request.referrer or url_for("admin.unit_kinds"))


# --- respondent groups ----------------------------------------------------------------------------

@bp.get("/groups")
@roles("admin")
def respondent_groups():
    return render_template("admin/groups.html", groups=all_groups(db.session), reach_labels=REACH_LABELS,
                           kind_labels=kind_labels(), lang=current_lang(), action=ActionForm())


@bp.route("/groups/new", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/groups/<code>/edit", methods=["GET", "POST"])
@roles("admin")
def group_edit(code: str | None):
    group = get_or_404(RespondentGroup, code) if code is not None else None
    form = GroupForm(obj=group)
    form.about_kinds.choices = [SelectChoice(code, label) for code, label in kind_labels().items()]
    if form.validate_on_submit():
        data = GroupData(form.code.data or "", form.name_vi.data, form.name_en.data or "",
                         form.reached_by.data or [], form.census.data, form.about_kinds.data or [],
                         form.note.data or "")
        try:
            saved = save_group(db.session, data, group)
        except ProblemsFound as exc:
            db.session.rollback()
            show_problems(form, exc)
            return render_template("admin/structure_form.html", form=form, title=_("Respondent group"),
                                   item=group), 422
        audit.record(db.session, current_user(), "group.update" if group else "group.create", saved.code)
        db.session.commit()
        flash(_("Respondent group %(code)s saved.", code=saved.code))
        return redirect(url_for("admin.respondent_groups"))
    return render_template("admin/structure_form.html", form=form, title=_("Respondent group"), item=group)


# --- programmes -----------------------------------------------------------------------------------

@bp.get("/programmes")
@roles("admin")
def programmes():
    found = db.session.scalars(select(Programme).order_by(Programme.code)).all()
    loaded = {p.code for p in found}
    shipped = [(path.stem, path.stem in loaded) for path in shipped_programme_files(
        current_app.config["QUESTIONNAIRE_DIR"])]
    return render_template("admin/programmes.html", programmes=found, shipped=shipped, action=ActionForm(),
                           lang=current_lang())


@bp.post("/programmes/load/<stem>")
@roles("admin")
def programme_load(stem: str):
    """Load (or reload) one shipped programme file, with the unit kinds and groups it needs."""
    if not ActionForm().validate_on_submit():
        abort(400)
    directory = Path(current_app.config["QUESTIONNAIRE_DIR"])
    files = {path.stem: path for path in shipped_programme_files(directory)}
    if stem not in files:
        abort(404)
    try:
        sync_reference_data(db.session, directory)
        programme = load_programme(db.session, files[stem], questionnaire_dir=directory)
    except (StructureError, QuestionnaireError) as exc:
        db.session.rollback()
        for problem in getattr(exc, "problems", [])[:20]:
            flash(str(problem))
        return redirect(url_for("admin.programmes"))
    audit.record(db.session, current_user(), "programme.load", programme.code)
    db.session.commit()
    flash(_("Programme %(code)s loaded from its file.", code=programme.code))
    return redirect(url_for("admin.programme_detail", programme_id=programme.id))


@bp.get("/programmes/<int:programme_id>")
@roles("admin")
def programme_detail(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    rounds = db.session.scalars(select(Round).join(RoundProgramme).where(
        RoundProgramme.programme_id == programme.id).order_by(Round.opens_on.desc())).all()
    return render_template("admin/programme.html", programme=programme, rounds=rounds, lang=current_lang(),
                           group_labels=group_labels(), kind_labels=kind_labels(), upload=TextUploadForm(),
                           action=ActionForm())


def _version_choices() -> dict[str, list[SelectChoice]]:
    choices: dict[str, list[SelectChoice]] = {g.code: [] for g in all_groups(db.session)}
    for v in db.session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())):
        if v.group_code in choices:
            choices[v.group_code].append(SelectChoice(str(v.id), f"{v.short_version} ({v.loaded_at:%d/%m/%Y})"))
    return choices


def _programme_form(programme: Programme | None) -> ProgrammeForm:
    labels = group_labels()
    choices = _version_choices()

    class Form(ProgrammeForm):
        pass

    for group, versions in choices.items():
        setattr(Form, f"version_{group}", SelectField(
            labels.get(group, group), choices=[SelectChoice("", _l("(none yet)")), *versions],
            validators=[Optional()]))
    data = None
    if programme is not None and request.method == "GET":
        data = {"unit_kinds": programme.kind_codes, "groups": [link.group_code for link in programme.groups],
                **{f"version_{link.group_code}": str(link.version_id or "") for link in programme.groups}}
    form = Form(obj=programme, data=data)
    if data is not None:  # the programme's link rows would otherwise win over the codes
        form.unit_kinds.data, form.groups.data = data["unit_kinds"], data["groups"]
    form.unit_kinds.choices = [SelectChoice(code, label) for code, label in kind_labels().items()]
    form.groups.choices = [SelectChoice(code, label) for code, label in labels.items()]
    return form


@bp.route("/programmes/new", methods=["GET", "POST"], defaults={"programme_id": None})
@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@roles("admin")
def programme_edit(programme_id: int | None):
    programme = get_or_404(Programme, programme_id) if programme_id is not None else None
    form = _programme_form(programme)
    if form.validate_on_submit():
        groups: dict[str, int | None] = {}
        for group in form.groups.data or []:
            raw = getattr(form, f"version_{group}", None)
            value = raw.data if raw is not None else ""
            groups[group] = int(value) if value and value.isdigit() and len(value) < 10 else None
        data = ProgrammeData(form.code.data, form.title_vi.data, form.title_en.data or "", form.kind.data,
                             form.basis.data or "", form.unofficial_note_vi.data or "",
                             form.unofficial_note_en.data or "", form.period.data or "",
                             form.unit_kinds.data or [], groups)
        try:
            saved = save_programme(db.session, data, programme)
        except ProblemsFound as exc:
            db.session.rollback()
            show_problems(form, exc)
            return render_template("admin/programme_form.html", form=form, programme=programme), 422
        audit.record(db.session, current_user(), "programme.update" if programme else "programme.create",
                     saved.code)
        db.session.commit()
        flash(_("Programme %(code)s saved.", code=saved.code))
        return redirect(url_for("admin.programme_detail", programme_id=saved.id))
    return render_template("admin/programme_form.html", form=form, programme=programme)


def _uploaded_text(form: TextUploadForm) -> tuple[str, str] | None:
    """The pasted text, or the uploaded file's (UTF-8, bounded); None with a message when neither is usable."""
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        raw = upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            flash(_("The file is too large."))
            return None
        try:
            return raw.decode("utf-8-sig"), upload.filename
        except UnicodeDecodeError:
            flash(_("The file is not UTF-8 text."))
            return None
    if form.source.data and form.source.data.strip():
        return form.source.data, "pasted.yaml"
    flash(_("Paste the YAML text or choose a file."))
    return None


@bp.post("/programmes/<int:programme_id>/questionnaire")
@roles("admin")
def programme_questionnaire(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    form = TextUploadForm()
    if form.validate_on_submit() and (given := _uploaded_text(form)) is not None:
        try:
            version = add_questionnaire(db.session, programme, *given)
        except QuestionnaireError as exc:
            db.session.rollback()
            for problem in exc.problems[:30]:
                flash(str(problem))
        except ProblemsFound as exc:
            db.session.rollback()
            for problem in exc.problems:
                flash(problem_text(problem))
        else:
            audit.record(db.session, current_user(), "programme.questionnaire", programme.code,
                         group=version.group_code, version=version.short_version)
            db.session.commit()
            flash(_("Questionnaire %(version)s stored for group %(group)s.", version=version.short_version,
                    group=version.group_code))
    return redirect(url_for("admin.programme_detail", programme_id=programme_id))


@bp.post("/programmes/<int:programme_id>/scheme")
@roles("admin")
def programme_scheme(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    form = TextUploadForm()
    if form.validate_on_submit() and (given := _uploaded_text(form)) is not None:
        try:
            row = add_scheme(db.session, programme, *given)
        except StructureError as exc:
            db.session.rollback()
            for problem in exc.problems[:30]:
                flash(problem)
        else:
            audit.record(db.session, current_user(), "programme.scheme", programme.code, scheme=row.code)
            db.session.commit()
            flash(_("Index scheme %(code)s stored.", code=row.code))
    return redirect(url_for("admin.programme_detail", programme_id=programme_id))


@bp.post("/programmes/<int:programme_id>/scheme/<code>/remove")
@roles("admin")
def programme_scheme_remove(programme_id: int, code: str):
    programme = get_or_404(Programme, programme_id)
    if ActionForm().validate_on_submit():
        remove_scheme(db.session, programme, code)
        audit.record(db.session, current_user(), "programme.scheme_remove", programme.code, scheme=code[:40])
        db.session.commit()
    return redirect(url_for("admin.programme_detail", programme_id=programme_id))
