"""Import submissions exported from KoboToolbox or ODK Central (CSV or XLSX).

A questionnaire exported as an XLSForm can be filled in the field with
KoboCollect, ODK Collect or Enketo; their servers export the submissions as a
table. This module reads such a table for one round, group and unit and stores
its rows as responses with the channel ``import``.

What the exports look like (see tests/fixtures/kobo_odk/README.md):

- KoboToolbox ("XML values and headers"): ``;``-separated CSV or XLSX; question
  columns named by their path with ``/`` between groups (``grp_b/j_trips``); a
  select_multiple question as one column of space-separated codes and, with
  "both", one 0/1 column per option (``grp/item/2``); then ``_id``, ``_uuid``,
  ``_submission_time``, ``_validation_status``, ``_notes``, ``_status``,
  ``_submitted_by``, ``__version__``, ``_tags``, ``_index``; often ``start``,
  ``end`` and ``meta/instanceID``.
- ODK Central: ``,``-separated CSV; ``SubmissionDate`` first, question columns
  with ``-`` between groups (``grp_b-j_trips``), ``meta-instanceID``, then
  ``KEY``, ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``,
  ``AttachmentsExpected``, ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``,
  ``FormVersion``.

Columns are matched to items by their last path segment. Every row is checked
as a web submission is (questionnaire.parse_answers, skip logic included); any
problem refuses the whole file, with the line and column of each. Each
submission's uuid (``_uuid``, else the instanceID, else ``KEY``; the ``uuid:``
prefix dropped) is stored hashed in ``imported_submissions``, a table with no
link to the response, in the same transaction as the responses: importing the
same export again adds nothing. The submitter's name and the device id are never
read. Only the day of submission is kept, as for every response.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.problems import FILE
from survey_app.models import ImportedSubmission, Round, Unit, new_response_id, today_utc
from survey_app.questionnaire import Questionnaire, parse_answers
from survey_app.questionnaire.model import ItemType, Text
from survey_app.services import uploads
from survey_app.services.dashboard import store_responses
from survey_app.services.problems import Problem, ProblemsFound
from survey_app.services.questionnaires import questionnaire_of

# The shared upload reader's limits, with room for wide exports: one column per question, per
# option of a select_multiple ("both") and a dozen of the tool's own; 500,000 cells (5,000
# submissions of 100 columns: a unit's round many times over; blank rows a spreadsheet program
# leaves count too) bound the worst accepted export (tests/survey_app/services/test_upload_budget.py).
LIMITS = uploads.Limits(max_columns=1_000, max_cells=500_000)

# Columns the tools add around the questions: never answers.
META_COLUMNS = frozenset({
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid", "audit",
    "SubmissionDate", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
    "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "instanceID", "instanceName",
})
META_PREFIXES = ("_", "meta/", "meta-", "formhub/", "formhub-", "__system")
UUID_COLUMNS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY")
DATE_COLUMNS = ("_submission_time", "SubmissionDate")
TICKED = frozenset({"1", "true", "True", "TRUE"})
MAX_PROBLEMS = 200
_PATH = re.compile(r"[/-]")


def _problem(row: int | None, column: str, message: Text) -> Problem:
    """A problem of the export at a line (1 is the header; None for the file) and column, in both languages."""
    return Problem(column or FILE, "import", "", row, None, message.vi, message.en)


class ImportRefused(Exception):
    """Nothing was imported; ``problems`` says why, line by line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    already: int = 0  # submissions imported before (the same uuid)


@dataclass
class _Columns:
    items: dict[str, int] = field(default_factory=dict)  # item code -> column index
    names: dict[str, str] = field(default_factory=dict)  # item code -> column name (for messages)
    split: dict[str, dict[int, int]] = field(default_factory=dict)  # multiple item -> option -> column
    uuid: list[int] = field(default_factory=list)
    submitted: int | None = None
    start: int | None = None
    end: int | None = None


def import_submissions(session: Session, round_: Round, group: str, unit: Unit, filename: str, data: bytes,
                       limits: uploads.Limits = LIMITS) -> ImportResult:
    """Check every row, then add the new ones to the session (the caller commits them, with its audit
    entry, in one transaction); ImportRefused otherwise."""
    version = round_.version_for(group)
    if version is None:
        raise ImportRefused([_problem(None, "", Text("Đợt khảo sát chưa có phiếu cho nhóm đối tượng này.",
                                                          "The round has no questionnaire for this group."))])
    q = questionnaire_of(version)
    try:
        table = uploads.read_table(filename, data, limits)
    except ProblemsFound as exc:
        raise ImportRefused(exc.problems) from None  # the shared reader's problems, worded in both languages
    if not table.header:
        raise ImportRefused([Problem(FILE, "empty_file")])
    problems: list[Problem] = []
    columns = _map_columns(q, list(table.header), problems)
    if problems:
        raise ImportRefused(problems)
    result = ImportResult(rows=len(table.rows))
    seen: dict[str, int] = {}
    rows: list[tuple[str, dict[str, object], date, int | None]] = []
    for row_in_file in table.rows:
        row = _check_row(q, columns, row_in_file.number, list(row_in_file.cells), seen, problems)
        if row is not None:
            rows.append(row)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ImportRefused(problems)
    hashes = [_hash(uuid) for uuid, *_ in rows]
    known: set[str] = set()
    for start in range(0, len(hashes), 500):
        known.update(session.scalars(select(ImportedSubmission.uuid_hash)
                                     .where(ImportedSubmission.uuid_hash.in_(hashes[start:start + 500]))))
    new = [(digest, row) for digest, row in zip(hashes, rows, strict=True) if digest not in known]
    result.already = len(rows) - len(new)
    if not new:
        return result
    try:
        session.execute(insert(ImportedSubmission),
                        [{"uuid_hash": digest, "imported_on": today_utc()} for digest, _ in new])
        store_responses(session, [{  # the dashboard's tallies grow with them (its first view stays quick)
            "id": new_response_id(), "round_id": round_.id, "group_code": q.group, "unit_id": unit.id,
            "service_point_id": None, "channel": "import", "questionnaire_version_id": version.id,
            "submitted_on": day, "duration_seconds": duration, "answers": answers,
        } for _, (_, answers, day, duration) in new])
    except IntegrityError:  # the same file imported at the same moment by someone else
        session.rollback()  # exception: the failed transaction must end (the caller has nothing pending)
        raise ImportRefused([_problem(None, "", Text(
            "Tệp này đang được nhập cùng lúc ở nơi khác. Vui lòng thử lại.",
            "This file is being imported at the same moment elsewhere. Please try again."))]) from None
    result.imported = len(new)
    return result


def _hash(uuid: str) -> str:
    return hashlib.sha256(f"import:{uuid}".encode()).hexdigest()


def _map_columns(q: Questionnaire, header: list[str], problems: list[Problem]) -> _Columns:
    codes = {item.code for item in q.items}
    columns = _Columns()
    for index, name in enumerate(header):
        if name in UUID_COLUMNS:
            columns.uuid.append(index)
        if name in DATE_COLUMNS:
            columns.submitted = index
        elif name == "start":
            columns.start = index
        elif name == "end":
            columns.end = index
        parts = _PATH.split(name)
        if name in META_COLUMNS or name.startswith(META_PREFIXES):
            continue
        if parts[-1] in codes:
            code = parts[-1]
            if code in columns.items:
                problems.append(_problem(1, name, Text(f"Câu {code} có hai cột.", f"Question {code} has two columns.")))
            columns.items[code] = index
            columns.names[code] = name
        elif len(parts) >= 2 and parts[-2] in codes and q.item(parts[-2]).type is ItemType.MULTIPLE \
                and parts[-1].isdigit():
            columns.split.setdefault(parts[-2], {})[int(parts[-1])] = index
            columns.names.setdefault(parts[-2], name[:-len(parts[-1]) - 1])
        else:
            problems.append(_problem(1, name, Text(
                f"Cột {name} không khớp với câu hỏi nào của phiếu.",
                f"The column {name} matches no question of the questionnaire.")))
    if not columns.uuid:
        problems.append(_problem(1, "_uuid", Text(
            "Thiếu cột mã định danh của phiếu (_uuid, meta/instanceID hoặc KEY).",
            "The submission id column is missing (_uuid, meta/instanceID or KEY).")))
    columns.uuid.sort(key=lambda index: UUID_COLUMNS.index(header[index]))
    for item in q.items:
        if item.required and item.relevant is None and item.code not in columns.items \
                and item.code not in columns.split:
            problems.append(_problem(1, item.code, Text(f"Thiếu cột của câu {item.code}.",
                                                             f"The column of question {item.code} is missing.")))
    return columns


def _check_row(q: Questionnaire, columns: _Columns, number: int, cells: list[str], seen: dict[str, int],
               problems: list[Problem]) -> tuple[str, dict[str, object], date, int | None] | None:
    def cell(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    uuid = next((cell(index) for index in columns.uuid if cell(index)), "").removeprefix("uuid:")
    if not uuid:
        problems.append(_problem(number, "_uuid", Text("Thiếu mã định danh của phiếu.", "The submission id is missing.")))
        return None
    if uuid in seen:
        problems.append(_problem(number, "_uuid", Text(
            f"Phiếu này đã có ở dòng {seen[uuid]}.", f"This submission is already on line {seen[uuid]}.")))
        return None
    seen[uuid] = number
    form: dict[str, list[str]] = {}
    for item in q.items:
        if item.code in columns.items:
            value = cell(columns.items[item.code])
            if value:
                form[item.code] = value.split() if item.type is ItemType.MULTIPLE else [value]
        elif item.code in columns.split:
            form[item.code] = [str(code) for code, index in columns.split[item.code].items() if cell(index) in TICKED]
    result = parse_answers(q, form)
    for code, message in result.errors.items():
        problems.append(_problem(number, columns.names.get(code, code), message))
    if result.errors:
        return None
    started, ended = _moment(cell(columns.start)), _moment(cell(columns.end))
    duration = None
    if started and ended and (started.tzinfo is None) == (ended.tzinfo is None):
        seconds = (ended - started).total_seconds()
        duration = int(seconds) if 0 <= seconds <= 24 * 3600 else None
    submitted = _moment(cell(columns.submitted)) or ended
    return uuid, dict(result.answers), submitted.date() if submitted else today_utc(), duration


def _moment(text: str) -> datetime | None:
    """An ISO 8601 time as the tools write it (``2026-11-25T09:14:05.123+07:00``, ``...Z``); None if not one."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
