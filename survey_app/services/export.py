"""Responses as a table: one row a response, one column an item (docs/contracts.md).

Rows are streamed from the database (``yield_per``) so a million responses
export in bounded memory. Cells a spreadsheet would execute are neutralised.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.models import QuestionnaireVersion, Response, Round, ServicePoint, Unit
from survey_app.questionnaire import ItemType, Questionnaire, export_value
from survey_app.services.questionnaires import questionnaire_of

FIXED_COLUMNS = (
    "response_id", "round", "group", "unit", "desk", "channel",
    "submitted_on", "duration_seconds", "questionnaire_version",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NON_NUMERIC_TYPES = frozenset({ItemType.TEXT, ItemType.MULTIPLE})
_LINE_BREAK = re.compile(r"\r\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ExportFilter:
    round_id: int | None = None
    group_code: str | None = None
    unit_id: int | None = None


def neutralise(cell: str) -> str:
    """Prefix a quote so Excel/LibreOffice show the text instead of running it (OWASP CSV injection).

    A cell is also unsafe when a list separator inside it starts a new cell: Excel
    set to Vietnamese splits ``abc;=1+1`` at the semicolon. :func:`csv_row` quotes
    every cell with a separator, which keeps it one cell whatever the locale.
    """
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


_NEEDS_QUOTES = re.compile(r'[,;\t"\r\n]|^\s|\s$')


def csv_row(cells: Iterable[str]) -> str:
    """One CSV line (comma-separated, CRLF) in which any cell holding a comma, semicolon, tab,
    quote or line break is quoted: ``;`` too, which Python's csv module would leave bare."""
    out = []
    for cell in cells:
        text = str(cell)
        out.append('"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text)
    return ",".join(out) + "\r\n"


def unneutralise(cell: str) -> str:
    """Undo :func:`neutralise` on a cell read back from one of our downloads (units, desks)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_PREFIXES) else cell


def versions_in(session: Session, flt: ExportFilter) -> list[QuestionnaireVersion]:
    ids = apply_filter(select(Response.questionnaire_version_id).distinct(), flt)
    return list(session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(ids))
                                .order_by(QuestionnaireVersion.id)))


def item_columns(questionnaires: list[Questionnaire]) -> list[str]:
    """Union of item codes, in order of first appearance."""
    seen: dict[str, None] = {}
    for q in questionnaires:
        for item in q.items:
            seen.setdefault(item.code, None)
    return list(seen)


def apply_filter(stmt, flt: ExportFilter):  # type: ignore[no-untyped-def]
    """Restrict a statement over ``responses`` to a round, group and unit (the console's filters too)."""
    if flt.round_id is not None:
        stmt = stmt.where(Response.round_id == flt.round_id)
    if flt.group_code is not None:
        stmt = stmt.where(Response.group_code == flt.group_code)
    if flt.unit_id is not None:
        stmt = stmt.where(Response.unit_id == flt.unit_id)
    return stmt


@dataclass(frozen=True)
class ExportPlan:
    """What an export holds, known before its first row is read: the versions, hence the columns."""

    flt: ExportFilter
    versions: dict[int, QuestionnaireVersion]
    questionnaires: dict[int, Questionnaire]
    items: list[str]

    @property
    def header(self) -> list[str]:
        return [*FIXED_COLUMNS, *self.items]

    @property
    def numeric_columns(self) -> frozenset[int]:
        """Positions of the columns that only ever hold whole numbers (codes, counts, durations).

        A spreadsheet gets these as numbers; every other column stays text, so a
        free-text answer such as "007" keeps its zeros and the XLSX matches the CSV.
        """
        items = [item for q in self.questionnaires.values() for item in q.items]
        numeric = {item.code for item in items if item.type not in NON_NUMERIC_TYPES}
        numeric -= {item.code for item in items if item.type in NON_NUMERIC_TYPES}  # text in some version
        return frozenset(i for i, name in enumerate(self.header) if name in numeric or name == "duration_seconds")

    @property
    def text_columns(self) -> tuple[int, ...]:
        """Positions of the free-text answer columns (text items in any version)."""
        texts = {item.code for q in self.questionnaires.values() for item in q.items if item.type is ItemType.TEXT}
        return tuple(i for i, name in enumerate(self.header) if name in texts)


def count_responses(session: Session, round_id: int, group: str | None = None) -> int:
    """How many responses an export of the round (one group, or all) will hold."""
    return session.scalar(select(func.count()).select_from(Response).where(
        Response.round_id == round_id, *([Response.group_code == group] if group else []))) or 0


def plan_export(session: Session, flt: ExportFilter = ExportFilter()) -> ExportPlan:
    versions = {v.id: v for v in versions_in(session, flt)}
    questionnaires = {vid: questionnaire_of(v) for vid, v in versions.items()}
    return ExportPlan(flt, versions, questionnaires, item_columns(list(questionnaires.values())))


def iter_rows(session: Session, plan: ExportPlan) -> Iterator[list[str]]:
    """The rows of ``plan``, read from the database in batches (server-side cursor on PostgreSQL)."""
    stmt = apply_filter(
        select(Response.id, Round.name, Response.group_code, Unit.code, ServicePoint.code, Response.channel,
               Response.submitted_on, Response.duration_seconds, Response.questionnaire_version_id,
               Response.answers)
        .join(Round, Round.id == Response.round_id)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .order_by(Response.round_id, Response.submitted_on, Response.id),
        plan.flt,
    )
    items = plan.items
    texts = plan.text_columns
    for rid, round_name, group, unit, desk, channel, day, duration, vid, answers in (
        session.execute(stmt.execution_options(yield_per=2000))
    ):
        q = plan.questionnaires[vid]
        cells = [rid, round_name, group, unit, desk or "", channel, day.isoformat(),
                 "" if duration is None else str(duration), plan.versions[vid].short_version]
        for code in items:
            value = answers.get(code)
            cells.append("" if value is None else _cell(q, code, value))
        row = [neutralise(c) for c in cells]
        for i in texts:
            row[i] = plain_text(row[i])
        yield row


def plain_text(text: str) -> str:
    """Line breaks as LF and no control characters, so that CSV and XLSX carry the same text.

    XML (hence XLSX) cannot hold most control characters and reads a carriage
    return back as a line feed; the web form already strips them, but answers
    from other channels may have them. Applied after :func:`neutralise`, so a
    text that started with a carriage return keeps its protective quote.
    """
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def _cell(q: Questionnaire, code: str, value: object) -> str:
    try:
        item = q.item(code)
    except KeyError:
        return ""
    return export_value(item, value)


def iter_csv(header: list[str], rows: Iterable[list[str]], batch: int = 500) -> Iterator[str]:
    """UTF-8 CSV text in chunks of ``batch`` rows, byte-order mark first (Excel needs it for Vietnamese).

    What a streamed HTTP response sends and what :func:`write_csv` writes: one
    code path, so the download and the command-line file are the same bytes.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    buffer.write(csv_row(header))
    pending = 0
    for row in rows:
        buffer.write(csv_row(row))
        pending += 1
        if pending == batch:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def write_csv(out: TextIO, header: list[str], rows: Iterable[list[str]]) -> int:
    """Write the CSV of :func:`iter_csv` to ``out``; return the row count."""
    count = 0

    def counted() -> Iterator[list[str]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for chunk in iter_csv(header, counted()):
        out.write(chunk)
    return count
