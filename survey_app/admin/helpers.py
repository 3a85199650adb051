"""Small pieces every console view uses: labels, problem sentences, lookups, the unit officer's scope."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from flask import abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from analysis.problems import SENTENCES
from survey_app.admin import current_user
from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import RespondentGroup, Role, Unit, UnitKind
from survey_app.services.problems import Problem, ProblemsFound
from survey_app.services.scope import NoUnit, scope_of

T = TypeVar("T")

# The SVG of a QR code or a chart styles itself with attributes; it has no script and no links.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"

CHANNEL_LABELS = {
    "qr": _l("QR code at the desk"),
    "link": _l("Personal link"),
    "kiosk": _l("Kiosk at the counter"),
    "slip": _l("Code on the result slip"),
    "import": _l("Imported from Kobo/ODK"),
    "paper": _l("Entered from paper forms"),
    "interview": _l("Face-to-face interview"),
}
STATUS_LABELS = {"draft": _l("draft"), "open": _l("open"), "closed": _l("closed")}
INVITATION_LABELS = {
    "pending": _l("pending"), "sent": _l("sent"), "failed": _l("failed"),
    "opened": _l("opened"), "completed": _l("completed"),
}
ROLE_LABELS: dict[str, object] = {
    Role.ADMIN: _l("Administrator"), Role.ANALYST: _l("Analyst"), Role.UNIT_OFFICER: _l("Unit officer"),
    Role.DATA_ENTRY: _l("Data entry (paper forms)"), Role.INTERVIEWER: _l("Interviewer"),
}


def group_labels() -> dict[str, str]:
    """Name of every respondent group (rows of respondent_groups) in the console's language."""
    lang = current_lang()
    rows = db.session.scalars(select(RespondentGroup).order_by(RespondentGroup.position, RespondentGroup.code))
    return {g.code: g.name(lang) for g in rows}


def kind_labels() -> dict[str, str]:
    """Name of every unit kind (rows of unit_kinds) in the console's language."""
    lang = current_lang()
    return {k.code: k.name(lang) for k in db.session.scalars(select(UnitKind).order_by(UnitKind.position))}


def _reasons() -> dict[str, str]:
    """Sentences for the reason codes of :class:`Problem`; ``%(value)s`` is the offending text."""
    return {
        "required": _("This is required."),
        "too_long": _("This is too long."),
        "bad_unit_code": _("Use capital letters, digits and underscores (for example XA_AN_PHU)."),
        "bad_desk_code": _("Use 3 to 40 lower-case letters, digits, '-' or '_'."),
        "bad_kind": _("Unknown kind of unit: %(value)s."),
        "unknown_programme": _("There is no programme %(value)s."),
        "programmes_disagree": _("The round's programmes give group %(value)s different questionnaires: choose one."),
        "unknown_group": _("There is no respondent group %(value)s."),
        "bad_date": _("Enter a date as dd/mm/yyyy (not %(value)s)."),
        "ends_before_starts": _("The unit cannot end before it starts."),
        "own_replacement": _("A unit cannot replace itself."),
        "bad_kind_code": _("Use lower-case letters and '_' (at most 20), for example special_zone."),
        "bad_group_code": _("Use lower-case letters, digits and '_' (at most 20), starting with a letter."),
        "bad_programme_code": _("Use lower-case letters, digits and '_' (at most 40), for example par_commune_2027."),
        "own_parent": _("A unit cannot be its own parent."),
        "code_taken": _("The code %(value)s is already used."),
        "unknown_unit": _("There is no unit with code %(value)s."),
        "cycle": _("This parent would make the unit its own ancestor."),
        "duplicate_in_file": _("The code %(value)s appears twice in the file."),
        "bad_fields": _("Procedure fields must be whole numbers separated by ';' (not %(value)s)."),
        "bad_flag": _("Write 1 or 0 (not %(value)s)."),
        "not_utf8": _("The file is not UTF-8 text. Save it as \"CSV UTF-8\" and try again."),
        "unknown_column": _("Unknown column %(value)s."),
        "missing_column": _("The column %(value)s is missing."),
        "too_many_cells": _("This line has more cells than the header."),
        "control_characters": _("This line contains control characters (invisible characters that are not text)."),
        "too_many_rows": _("The file has more than %(value)s rows."),
        "empty": _("The file has no rows."),
        "name_taken": _("Another round already has this name."),
        "closes_before_opens": _("The closing date is before the opening date."),
        "out_of_range": _("The value %(value)s is out of range."),
        "wrong_version": _("This questionnaire version does not belong to this group."),
        "group_has_responses": _("This group has already answered in this round: its questionnaire cannot change."),
        "bad_status": _("Unknown status."),
        "no_questionnaire": _("The round has no questionnaire yet."),
        "overlaps": _("The open round %(value)s has overlapping dates. Press “Open the round” on this round's page: "
                      "the confirmation page closes %(value)s first (its responses are kept), then opens this one."),
        "bad_group": _("Unknown respondent group."),
        "version_has_responses": _("Version %(value)s has responses: its text can no longer change."),
        "group_changed": _("The text is for another group (%(value)s)."),
        "bad_number": _("Enter a whole number (not %(value)s)."),
    }


def problem_text(problem: Problem, own: Mapping[str, str] | None = None) -> str:
    """The one way the console shows a problem, in the staff member's language: the place (sheet, row,
    column) first, then the sentence: the reader's own words, else the reason code's (``own`` first, then
    the upload bounds' of :data:`analysis.problems.SENTENCES`, the same for every upload, then the console's)."""
    return problem.text(current_lang(), _catalogue(own))


def problem_sentence(problem: Problem, own: Mapping[str, str] | None = None) -> str:
    """The sentence alone, for tables that show the row and column in cells of their own."""
    return problem.sentence(current_lang(), _catalogue(own))


def _catalogue(own: Mapping[str, str] | None) -> dict[str, str]:
    shared = {code: text for code, text in _reasons().items() if code not in SENTENCES}
    return {**shared, **own} if own else shared


def show_problems(form: FlaskForm, exc: ProblemsFound) -> None:
    """Put each problem under the form field it names, or above the form when no field has its name."""
    for problem in exc.problems:
        field = getattr(form, problem.field, None)
        (field.errors if field is not None else form.form_errors).append(problem_text(problem))


def get_or_404(model: type[T], ident: int | str) -> T:
    found = db.session.get(model, ident)
    if found is None:
        abort(404)
    return found


def group_arg() -> str | None:
    """The ``group`` query parameter if it names a group; anything else means all groups."""
    group = request.args.get("group", "")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,19}", group):
        return None
    return group if db.session.get(RespondentGroup, group) is not None else None


MAX_PAGE = 100_000


def page_arg() -> int:
    """The ``page`` query parameter, 1 to MAX_PAGE (a huge number must not reach the database as an offset)."""
    value = request.args.get("page", "")
    return min(int(value), MAX_PAGE) if re.fullmatch(r"[0-9]{1,9}", value) and int(value) > 0 else 1


def unit_arg() -> int | None:
    """The unit filter: a unit officer's own unit whatever the URL says, else the ``unit`` parameter."""
    value = request.args.get("unit", "")
    asked = int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None
    try:
        return scope_of(current_user()).unit_filter(asked)
    except NoUnit:
        abort(403)


def all_units() -> list[Unit]:
    """Every unit, the top ones (province, or a district before 2025: no parent) first, then by name."""
    return list(db.session.scalars(select(Unit).order_by(Unit.parent_id.is_not(None), Unit.name_vi)))


def unit_choice(unit: Unit) -> SelectChoice:
    return SelectChoice(unit.code, f"{unit.name_vi} ({unit.code})")
