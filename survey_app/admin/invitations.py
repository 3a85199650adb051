"""Console pages for personal invitations: import contacts, follow their status, slip secret.

/admin/rounds/<id>/contacts shows invitation counts per group and unit (a unit
officer sees only their unit; an administrator also the contacts themselves,
filtered by status, with the reason of failures) and the import form.
Sending is a long run with a mail server: the page queues it as a background
job (admin/jobs.py) that the job worker runs, showing the counts as they go;
``flask --app wsgi invitations send`` does the same from the command line.
"""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from survey_app.admin import bp, current_user, roles
from survey_app.admin.formbase import ConsoleForm as FlaskForm  # WTForms messages translated
from survey_app.admin.helpers import group_labels, page_arg, problem_sentence
from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import Role, Round
from survey_app.services import audit, invitations, slipcodes, units
from survey_app.services.contacts import MAX_BYTES, ImportReport, Problem, import_contact_file
from survey_app.services.errors import Invalid
from survey_app.services.programmes import link_groups
from survey_app.services.scope import scope_of

STATUS_NAMES = {
    "pending": _l("pending"), "unconfirmed": _l("unconfirmed"), "sent": _l("sent"), "failed": _l("failed"),
    "opened": _l("opened"), "completed": _l("completed"),
}
PAGE_SIZE = 200


class ContactsForm(FlaskForm):
    group = SelectField(_l("Respondent group"))
    file = FileField(_l("Contact list (CSV or XLSX)"), validators=[FileRequired()])


UPLOAD_OVERHEAD = 64 * 1024  # the form's other fields and multipart headers


class SecretForm(FlaskForm):
    """Only the CSRF token: revealing the secret is a POST, so it cannot be triggered by a link."""


@bp.url_value_preprocessor
def _allow_contact_files(endpoint: str | None, values: dict[str, object] | None) -> None:
    """Contact lists are larger than any survey form; raise the body limit for that one view.

    This runs before the CSRF check reads the body (a before_request would be too late).
    """
    if endpoint == "admin.import_contacts":
        request.max_content_length = MAX_BYTES + UPLOAD_OVERHEAD
    elif endpoint == "admin.import_file":  # units and desks
        request.max_content_length = units.LIMITS.max_bytes + UPLOAD_OVERHEAD


def _round_or_404(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


def _contacts_form(round_: Round) -> ContactsForm:
    """The import form, offering the round's groups that are invited by personal link."""
    form = ContactsForm()
    lang = current_lang()
    form.group.choices = [SelectChoice(g.code, g.name(lang)) for g in link_groups(db.session, round_)]
    return form


def _page(round_: Round, form: ContactsForm, report: ImportReport | None = None, status: int = 200):
    user = current_user()
    unit_id = scope_of(user).unit_id
    rows, summed = invitations.suppress(invitations.status_table(db.session, round_.id, unit_id=unit_id),
                                        int(current_app.config["COMPLETION_MIN_COUNT"]))
    shown_status = request.args.get("status")
    page = page_arg()
    contacts = None
    if user.role == Role.ADMIN and shown_status in invitations.CONTACT_STATUSES:
        contacts = invitations.contact_statuses(db.session, round_.id, status=shown_status, limit=PAGE_SIZE + 1,
                                                offset=(page - 1) * PAGE_SIZE)
    html = render_template(
        "admin/contacts.html", round=round_, rows=rows, totals=summed, form=form, report=report,
        statuses=invitations.DISPLAY_STATUSES, listable=invitations.CONTACT_STATUSES, status_names=STATUS_NAMES,
        group_names=group_labels(), min_count=current_app.config["COMPLETION_MIN_COUNT"],
        contacts=contacts[:PAGE_SIZE] if contacts else contacts, shown_status=shown_status, page=page,
        more=bool(contacts and len(contacts) > PAGE_SIZE), describe=describe_problem, secret_form=SecretForm(),
    )
    return html, status


@bp.get("/rounds/<int:round_id>/contacts")
@roles(Role.ADMIN, Role.ANALYST, Role.UNIT_OFFICER)
def round_contacts(round_id: int):
    round_ = _round_or_404(round_id)
    return _page(round_, _contacts_form(round_))


@bp.post("/rounds/<int:round_id>/contacts/import")
@roles(Role.ADMIN)
def import_contacts(round_id: int):
    round_ = _round_or_404(round_id)
    form = _contacts_form(round_)
    if not form.validate_on_submit():
        return _page(round_, form, status=422)
    upload = form.file.data
    try:
        report = import_contact_file(db.session, round_, form.group.data, upload.filename or "", upload.read())
    except Invalid:
        form.file.errors.append(_("Contacts cannot be imported into this round: it is closed, or it has no "
                                  "questionnaire for this group."))
        return _page(round_, form, status=422)
    if not report.ok:
        return _page(round_, form, report, status=422)
    audit.record(db.session, current_user(), "contacts.import", round_.name, group=form.group.data,
                 count=report.imported, via="console")
    db.session.commit()
    flash(_("%(count)s contacts imported. Send the invitations with: flask --app wsgi invitations send --round %(id)s",
            count=report.imported, id=round_.id))
    return redirect(url_for("admin.round_contacts", round_id=round_.id), 303)


@bp.post("/rounds/<int:round_id>/slip-secret")
@roles(Role.ADMIN)
def reveal_slip_secret(round_id: int):
    round_ = _round_or_404(round_id)
    if not SecretForm().validate_on_submit():
        abort(400)
    secret = slipcodes.reveal_secret(db.session, round_, current_user(), via="console")
    db.session.commit()  # the audit entry is stored before the secret is shown
    response = make_response(render_template("admin/contacts_secret.html", round=round_, secret=secret))
    response.headers["Cache-Control"] = "no-store"
    return response


def describe_problem(problem: Problem) -> str:
    """The console's sentence for a contact-file problem (the page shows its row and column in cells)."""
    own = {
        "missing_column": _("This required column is missing."),
        "unknown_column": _("Unknown column: it was ignored."),
        "missing_value": _("This value is missing."),
        "bad_email": _("Not a valid email address: %(value)s"),
        "unknown_unit": _("No unit has the code %(value)s."),
        "duplicate_in_file": _("Same email address as row %(row)s."),
        "already_invited": _("This email address is already invited in this round."),
        "bad_choice": _("Not one of the questionnaire's answers: %(value)s"),
        "too_long": _("This value is too long."),
        "not_utf8": _("The CSV file is not in UTF-8. In Excel, save it as \"CSV UTF-8\", or upload the .xlsx file."),
        "empty_file": _("The file has no header row."),
        "too_many_rows": _("The file has too many rows."),
    }
    return problem_sentence(problem, own)
