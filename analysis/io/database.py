"""Responses of a round read from the application's database.

Plain SQLAlchemy Core with ``text()`` queries against the tables the web app
creates (``responses``, ``rounds``, ``units``, ``service_points``,
``questionnaire_versions``); no ORM models are imported, so this package does
not depend on the web app.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from analysis.io.responses import META_COLUMNS, ResponsesError, ResponseTable

_RESPONSES = text(
    """
    SELECT r.id AS response_id, rd.name AS round_name, r.group_code AS group_code,
           u.code AS unit, sp.code AS desk, r.channel AS channel,
           r.submitted_on AS submitted_on, r.duration_seconds AS duration_seconds,
           qv.content_hash AS content_hash, r.answers AS answers
    FROM responses r
    JOIN rounds rd ON rd.id = r.round_id
    JOIN units u ON u.id = r.unit_id
    LEFT JOIN service_points sp ON sp.id = r.service_point_id
    LEFT JOIN questionnaire_versions qv ON qv.id = r.questionnaire_version_id
    WHERE rd.name = :round
    ORDER BY r.submitted_on, r.id
    """
)
_ROUND = text("SELECT id FROM rounds WHERE name = :round")
_UNITS = text("SELECT code, name_vi FROM units")


def load_round(url_or_engine: str | Engine, round_name: str) -> ResponseTable:
    """Load every response of ``round_name`` in the export's column layout.

    Parameters
    ----------
    url_or_engine:
        A SQLAlchemy database URL (``sqlite:///...``, ``postgresql+psycopg://...``)
        or an engine.
    round_name:
        ``rounds.name`` of the round to analyse.

    Raises
    ------
    ResponsesError
        If no round has that name.
    """
    owned = isinstance(url_or_engine, str)
    engine = create_engine(url_or_engine) if owned else url_or_engine
    try:
        with engine.connect() as connection:
            if connection.execute(_ROUND, {"round": round_name}).first() is None:
                raise ResponsesError(f"no round named {round_name!r} in the database")
            rows = connection.execute(_RESPONSES, {"round": round_name}).mappings().all()
            units = {code: name for code, name in connection.execute(_UNITS)}
    finally:
        if owned:
            engine.dispose()
    return ResponseTable(_frame(rows), f"{_safe_url(engine)} round {round_name}", units)


def _frame(rows: list[Mapping[str, object]]) -> pd.DataFrame:
    records, items = [], {}
    for row in rows:
        answers = row["answers"]
        if isinstance(answers, str | bytes):
            answers = json.loads(answers)
        record = {
            "response_id": str(row["response_id"]),
            "round": row["round_name"],
            "group": row["group_code"],
            "unit": row["unit"],
            "desk": row["desk"] or "",
            "channel": row["channel"] or "",
            "submitted_on": "" if row["submitted_on"] is None else str(row["submitted_on"])[:10],
            "duration_seconds": "" if row["duration_seconds"] is None else str(int(row["duration_seconds"])),
            "questionnaire_version": (row["content_hash"] or "")[:12],
        }
        for code, value in (answers or {}).items():
            items.setdefault(code, None)
            record[code] = _answer_text(value)
        records.append(record)
    columns = list(META_COLUMNS) + list(items)
    return pd.DataFrame.from_records(records, columns=columns).fillna("").astype(str)


def _answer_text(value: object) -> str:
    """An answer in the export's text form: codes as decimals, lists joined by ``;``."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
