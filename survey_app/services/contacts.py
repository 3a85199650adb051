"""Importing contact lists (CSV or XLSX) into the invitations of a round and group.

All or nothing: every row is checked first, and if any row or column has a
problem, nothing is written and the report lists each problem with its row
number (as a spreadsheet shows it: the header is row 1) and column. Staff fix
the file and import it again; a half-imported list would make the second
attempt report duplicates of rows that were fine.

Columns (header names in English or Vietnamese, any case, any order):
``name``, ``email``, ``unit`` (a unit code such as ``XA_AN_PHU``), and for
businesses ``sector`` and ``size`` (the answer code of the business
questionnaire's item, or its label). Unknown columns are reported and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.problems import FILE
from survey_app.models import Invitation, Round, Unit
from survey_app.questionnaire import Item, Questionnaire
from survey_app.services import uploads
from survey_app.services.errors import Invalid, NotFound
from survey_app.services.problems import Problem, ProblemsFound
from survey_app.services.programmes import link_groups
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.rounds import version_for

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
# A contact list has five columns (a few more are reported and ignored): 20,000 rows of ten, which
# bounds what the worst accepted list costs (tests/survey_app/services/test_upload_budget.py).
LIMITS = uploads.Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_columns=20, max_cells=200_000)
REQUIRED = ("name", "email", "unit")
BUSINESS_ONLY = ("sector", "size")
ALIASES = {
    "name": {"name", "full name", "ho ten", "họ tên", "họ và tên", "tên", "ten", "tên doanh nghiệp", "organisation"},
    "email": {"email", "e-mail", "e mail", "thư điện tử", "địa chỉ email"},
    "unit": {"unit", "unit code", "đơn vị", "mã đơn vị", "don vi"},
    "sector": {"sector", "lĩnh vực", "ngành"},
    "size": {"size", "quy mô"},
}
# Deliberately plain: an address the office's mail server could plausibly deliver to.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\Z"
)


class UnreadableFile(Invalid):
    """The file is not a CSV or XLSX we can read; ``code`` is a Problem code."""

    def __init__(self, code: str, where: Problem | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.where = where


# What each problem means, in English for the command line (the console has its own, translated:
# admin.invitations); the upload reader's refusals have theirs in analysis.problems.SENTENCES.
ENGLISH = {
    "missing_column": "required column is missing",
    "unknown_column": "unknown column, ignored",
    "missing_value": "value is missing",
    "bad_email": "not a valid email address: %(value)s",
    "unknown_unit": "no unit with code %(value)s",
    "duplicate_in_file": "same email as row %(row)s",
    "already_invited": "this email is already invited in this round",
    "bad_choice": "not one of the questionnaire's answers: %(value)s",
    "too_long": "value is too long",
    "empty_file": "the file has no header row",
    "too_many_rows": f"more than {MAX_ROWS} rows",
}


def _problem(row: int | None, column: str | None, code: str, value: str = "",
             other_row: int | None = None) -> Problem:
    """A contact-file problem: ``row`` as the spreadsheet shows it (1 is the header; None the whole file)."""
    return Problem(column or FILE, code, value, row or None, other_row=other_row)


def describe(problem: Problem) -> str:
    """English text for the command line: place, then sentence."""
    return problem.text("en", ENGLISH)


def blocking(problem: Problem) -> bool:
    """An unknown column is only reported (and ignored); everything else stops the import."""
    return problem.reason != "unknown_column"


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(blocking(p) for p in self.problems)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    unit_id: int
    sector: int | None = None
    size: int | None = None


def import_contact_file(session: Session, round_: Round, group: str, filename: str, data: bytes) -> ImportReport:
    """Check every row of the file and import all of them, or none (see the module docstring)."""
    invited = [g.code for g in link_groups(session, round_)]  # groups reached by personal link (groups table)
    if group not in invited:
        raise Invalid(f"group must be one of {', '.join(invited) or '(none in this round)'}: "
                      "the round's groups reached by personal link")
    if round_.status == "closed":
        raise Invalid(f"round {round_.name!r} is closed")
    try:
        questionnaire = questionnaire_of(version_for(round_, group))
    except NotFound as exc:
        raise Invalid(str(exc)) from exc
    report = ImportReport()
    try:
        header, rows = read_table(filename, data)
    except UnreadableFile as exc:
        report.problems.append(exc.where or _problem(None, None, exc.code))
        return report
    contacts = _check_rows(session, round_, group, questionnaire, header, rows, report)
    if not report.ok:
        return report
    try:
        if contacts:
            # One multi-row INSERT without RETURNING: no ORM objects needed, thousands of rows at once.
            # The caller commits it with its audit entry.
            session.execute(insert(Invitation), [
                {"round_id": round_.id, "group_code": group, "unit_id": c.unit_id, "name": c.name,
                 "email": c.email, "sector": c.sector, "size": c.size, "status": "pending",
                 "send_attempts": 0, "reminders_sent": 0}
                for c in contacts
            ])
    except IntegrityError:  # a concurrent import of the same addresses won the race
        session.rollback()  # exception: the failed transaction must end (the caller has nothing pending)
        report.problems.append(_problem(None, "email", "already_invited"))
        return report
    report.imported = len(contacts)
    return report


def read_table(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and non-blank rows (with their spreadsheet row numbers) of a CSV or XLSX file.

    Read by :mod:`survey_app.services.uploads` with its limits; a file it refuses
    becomes :class:`UnreadableFile` with the reader's problem (code, row, column).
    """
    try:
        table = uploads.read_table(filename, data, LIMITS)
    except ProblemsFound as exc:
        raise UnreadableFile(exc.problems[0].reason, exc.problems[0]) from None
    return list(table.header), [(row.number, list(row.cells)) for row in table.rows]


def _header_key(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.lower()).strip()


def _column_map(header: list[str], questionnaire: Questionnaire, report: ImportReport) -> dict[str, int]:
    # sector and size are read for a group whose questionnaire asks them (businesses), to weight by them.
    codes = {item.code for item in questionnaire.items}
    wanted = REQUIRED + tuple(c for c in BUSINESS_ONLY if c in codes)
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        canonical = next((c for c, aliases in ALIASES.items() if key in aliases), None)
        if canonical in wanted and canonical not in columns:
            columns[canonical] = index
        elif name:
            report.problems.append(_problem(1, name, "unknown_column"))
    for name in REQUIRED:
        if name not in columns:
            report.problems.append(_problem(1, name, "missing_column"))
    return columns


def _check_rows(session: Session, round_: Round, group: str, questionnaire: Questionnaire, header: list[str],
                rows: list[tuple[int, list[str]]], report: ImportReport) -> list[Contact]:
    if not header:
        report.problems.append(_problem(None, None, "empty_file"))
        return []
    columns = _column_map(header, questionnaire, report)
    if not report.ok:
        return []
    if len(rows) > MAX_ROWS:
        report.problems.append(_problem(None, None, "too_many_rows"))
        return []
    report.rows = len(rows)
    units = {code.upper(): uid for uid, code in session.execute(select(Unit.id, Unit.code))}
    invited = set(session.scalars(select(func.lower(Invitation.email)).where(Invitation.round_id == round_.id)))
    seen: dict[str, int] = {}
    contacts: list[Contact] = []
    for number, cells in rows:
        contact = _check_row(number, cells, columns, units, questionnaire, report)
        if contact is None:
            continue
        if contact.email in seen:
            report.problems.append(_problem(number, "email", "duplicate_in_file", contact.email, seen[contact.email]))
        elif contact.email in invited:
            report.problems.append(_problem(number, "email", "already_invited", contact.email))
        else:
            seen[contact.email] = number
            contacts.append(contact)
    return contacts


def _check_row(number: int, cells: list[str], columns: dict[str, int], units: dict[str, int],
               questionnaire: Questionnaire, report: ImportReport) -> Contact | None:
    def value(column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    before = len(report.problems)
    # A name goes into the To: header: no line breaks or runs of spaces from a multi-line cell.
    name, email, unit_code = " ".join(value("name").split()), value("email").lower(), value("unit").upper()
    for column, given in (("name", name), ("email", email), ("unit", unit_code)):
        if not given:
            report.problems.append(_problem(number, column, "missing_value"))
    if len(name) > 200:
        report.problems.append(_problem(number, "name", "too_long"))
    if email and (len(email) > 254 or len(email.partition("@")[0]) > 64 or not _EMAIL.match(email)):
        report.problems.append(_problem(number, "email", "bad_email", email))
    if unit_code and unit_code not in units:
        report.problems.append(_problem(number, "unit", "unknown_unit", unit_code))
    choices = {c: _choice(number, c, value(c), questionnaire, report) for c in BUSINESS_ONLY if c in columns}
    if len(report.problems) > before:
        return None
    return Contact(name=name, email=email, unit_id=units[unit_code], sector=choices.get("sector"),
                   size=choices.get("size"))


def _choice(number: int, column: str, given: str, questionnaire: Questionnaire, report: ImportReport) -> int | None:
    """An answer code of the questionnaire item named like the column, from its code or label."""
    if not given:
        return None
    try:
        item: Item = questionnaire.item(column)
    except KeyError:
        return None  # this questionnaire version does not ask it: nothing to check against
    wanted = given.casefold()
    for option in item.options:
        if wanted in {str(option.code), option.label.vi.casefold(), option.label.en.casefold()}:
            return option.code
    report.problems.append(_problem(number, column, "bad_choice", given))
    return None
