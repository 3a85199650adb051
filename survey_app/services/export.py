"""Responses as a table: one row a response, one column an item (contracts.md).

Rows are streamed from the database (``yield_per``) so a million responses
export in bounded memory. Cells a spreadsheet would execute are neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import QuestionnaireVersion, Response, Round, ServicePoint, Unit
from survey_app.questionnaire import Questionnaire, export_value
from survey_app.services.questionnaires import questionnaire_of

FIXED_COLUMNS = (
    "response_id", "round", "group", "unit", "desk", "channel",
    "submitted_on", "duration_seconds", "questionnaire_version",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFilter:
    round_id: int | None = None
    group_code: str | None = None
    unit_id: int | None = None


def neutralise(cell: str) -> str:
    """Prefix a quote so Excel/LibreOffice show the text instead of running it (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def versions_in(session: Session, flt: ExportFilter) -> list[QuestionnaireVersion]:
    ids = select(Response.questionnaire_version_id).distinct()
    ids = _filtered(ids, flt)
    return list(session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(ids))
                                .order_by(QuestionnaireVersion.id)))


def item_columns(questionnaires: list[Questionnaire]) -> list[str]:
    """Union of item codes, in order of first appearance."""
    seen: dict[str, None] = {}
    for q in questionnaires:
        for item in q.items:
            seen.setdefault(item.code, None)
    return list(seen)


def _filtered(stmt, flt: ExportFilter):  # type: ignore[no-untyped-def]
    if flt.round_id is not None:
        stmt = stmt.where(Response.round_id == flt.round_id)
    if flt.group_code is not None:
        stmt = stmt.where(Response.group_code == flt.group_code)
    if flt.unit_id is not None:
        stmt = stmt.where(Response.unit_id == flt.unit_id)
    return stmt


def export_rows(session: Session, flt: ExportFilter = ExportFilter()) -> tuple[list[str], Iterator[list[str]]]:
    """The header and a lazy iterator over the rows (strings, already neutralised)."""
    versions = {v.id: v for v in versions_in(session, flt)}
    questionnaires = {vid: questionnaire_of(v) for vid, v in versions.items()}
    items = item_columns(list(questionnaires.values()))
    header = [*FIXED_COLUMNS, *items]
    return header, _rows(session, flt, versions, questionnaires, items)


def _rows(session: Session, flt: ExportFilter, versions: dict[int, QuestionnaireVersion],
          questionnaires: dict[int, Questionnaire], items: list[str]) -> Iterator[list[str]]:
    stmt = _filtered(
        select(Response.id, Round.name, Response.group_code, Unit.code, ServicePoint.code, Response.channel,
               Response.submitted_on, Response.duration_seconds, Response.questionnaire_version_id,
               Response.answers)
        .join(Round, Round.id == Response.round_id)
        .join(Unit, Unit.id == Response.unit_id)
        .outerjoin(ServicePoint, ServicePoint.id == Response.service_point_id)
        .order_by(Response.round_id, Response.submitted_on, Response.id),
        flt,
    )
    for rid, round_name, group, unit, desk, channel, day, duration, vid, answers in (
        session.execute(stmt.execution_options(yield_per=2000))
    ):
        q = questionnaires[vid]
        cells = [rid, round_name, group, unit, desk or "", channel, day.isoformat(),
                 "" if duration is None else str(duration), versions[vid].short_version]
        for code in items:
            value = answers.get(code)
            cells.append("" if value is None else _cell(q, code, value))
        yield [neutralise(c) for c in cells]


def _cell(q: Questionnaire, code: str, value: object) -> str:
    try:
        item = q.item(code)
    except KeyError:
        return ""
    return export_value(item, value)


def write_csv(out: TextIO, header: list[str], rows: Iterator[list[str]]) -> int:
    """Write UTF-8 CSV with a byte-order mark (Excel needs it for Vietnamese); return the row count."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
