"""PAR Index points: where each unit lost survey points, and the full index out of 100.

The PAR Index of a unit is the points of its self-assessment (appraised by
the province) plus the points of the sociological survey. The office imports
the first part as a workbook (``unit,criterion,title,max_points,points,source``,
all or nothing); the second comes from the stored analysis run. Each line of
the full index keeps its source, so a reader sees which part each point came
from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey_app.models import ParPoint, Round, Unit
from survey_app.services.problems import Problem, ProblemsFound
from survey_app.services.uploads import MB, Limits, read_table

COLUMNS = ("unit", "criterion", "title", "max_points", "points", "source")
REQUIRED = ("unit", "criterion", "max_points", "points")
SOURCES = {"self": "self", "tự đánh giá": "self", "tu danh gia": "self", "appraised": "appraised",
           "thẩm định": "appraised", "tham dinh": "appraised", "": "self"}
MAX_BYTES = 2 * MB
LIMITS = Limits(max_bytes=MAX_BYTES, max_columns=20, max_cells=200_000)
INDEX_TOTAL = 100.0


@dataclass(frozen=True)
class PointRow:
    row: int
    values: dict[str, str]
    sheet: str | None = None


def read_par_file(filename: str, data: bytes) -> list[PointRow]:
    """Rows of a self-assessment workbook (first sheet) or CSV, with their sheet and row numbers."""
    table = read_table(filename or "", data, LIMITS)
    names = [h.strip().lower() for h in table.header]
    sheet = table.sheet if (filename or "").lower().endswith((".xlsx", ".xlsm")) else None
    problems = [Problem(name or "?", "unknown_column", name[:40], table.header_row, sheet)
                for name in names if name not in COLUMNS]
    problems += [Problem(c, "missing_column", c, table.header_row, sheet) for c in REQUIRED if c not in names]
    if problems:
        raise ProblemsFound(problems)
    if not table.rows:
        raise ProblemsFound([Problem("file", "empty")])
    return [PointRow(r.number, {c: table.column(r, c) for c in COLUMNS if c in names}, sheet) for r in table.rows]


def _number(text: str) -> float | None:
    text = text.strip().replace(" ", "")
    if re.fullmatch(r"\d+,\d+", text):  # decimal comma
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) < 1e6 else None


def import_par_points(session: Session, round_: Round, rows: Sequence[PointRow]) -> int:
    """Replace the round's self-assessment points; nothing is stored when any row is wrong."""
    units = {u.code: u.id for u in session.scalars(select(Unit))}
    problems: list[Problem] = []
    out: list[ParPoint] = []
    seen: set[tuple[str, str]] = set()
    for r in rows:
        v = {k: (r.values.get(k) or "").strip() for k in COLUMNS}
        unit = v["unit"].upper()
        if unit not in units:
            problems.append(Problem("unit", "unknown_unit", v["unit"][:40], r.row, r.sheet))
        criterion = v["criterion"]
        if not criterion:
            problems.append(Problem("criterion", "required", "", r.row, r.sheet))
        elif len(criterion) > 40:
            problems.append(Problem("criterion", "too_long", criterion[:40], r.row, r.sheet))
        maximum, points = _number(v["max_points"]), _number(v["points"])
        if maximum is None or maximum <= 0:
            problems.append(Problem("max_points", "bad_points", v["max_points"][:20], r.row, r.sheet))
        if points is None or points < 0 or (maximum is not None and points > maximum):
            problems.append(Problem("points", "bad_points", v["points"][:20], r.row, r.sheet))
        source = SOURCES.get(v["source"].lower())
        if source is None:
            problems.append(Problem("source", "bad_source", v["source"][:40], r.row, r.sheet))
        if (unit, criterion) in seen:
            problems.append(Problem("criterion", "duplicate_margin", f"{unit} {criterion}", r.row, r.sheet))
        seen.add((unit, criterion))
        if len(v["title"]) > 500:
            problems.append(Problem("title", "too_long", v["title"][:40], r.row, r.sheet))
        if not problems:
            out.append(ParPoint(round_id=round_.id, unit_id=units[unit], criterion_code=criterion, title=v["title"],
                                max_points=maximum, points=points, source=source))
    if problems:
        raise ProblemsFound(problems)
    session.execute(delete(ParPoint).where(ParPoint.round_id == round_.id))
    session.add_all(out)
    session.flush()
    return len(out)


def lost_points(scheme: dict, threshold: int, *, only: str | None = None) -> list[dict]:
    """Per unit and survey criterion: maximum, achieved, lost; most lost first.

    Criteria answered by fewer than ``threshold`` respondents in a unit are left
    out (their figures are not shown); a unit is listed by its criteria even when
    its total is undefined (a group that assesses some criterion did not answer).
    """
    criteria = [p for p in scheme["parts"] if p["kind"] == "criterion"]
    rows = []
    for domain, cells in scheme["cells"].items():
        if domain == "all":
            continue
        unit = domain.removeprefix("unit=")
        if only is not None and unit != only:
            continue
        for c in criteria:
            cell = cells["parts"].get(c["code"])
            if cell is None or cell["est"] is None or cell["n"] < threshold:
                continue
            rows.append({"unit": unit, "criterion": c["code"], "title": c["title"], "max": c["max"],
                         "achieved": cell["est"], "lost": c["max"] - cell["est"], "lo": cell["lo"], "hi": cell["hi"],
                         "n": cell["n"]})
    rows.sort(key=lambda r: (-r["lost"], r["unit"], r["criterion"]))
    return rows


def worst_criteria(losses: list[dict]) -> list[dict]:
    """Criteria by the points lost on average across the units shown, most lost first."""
    by: dict[str, dict] = {}
    for row in losses:
        entry = by.setdefault(row["criterion"], {"criterion": row["criterion"], "title": row["title"],
                                                 "max": row["max"], "lost_total": 0.0, "units": 0})
        entry["lost_total"] += row["lost"]
        entry["units"] += 1
    out = [{**e, "lost_mean": e["lost_total"] / e["units"]} for e in by.values()]
    out.sort(key=lambda e: (-e["lost_mean"], e["criterion"]))
    return out


def full_index(session: Session, round_: Round, payload: dict | None, threshold: int) -> list[dict]:
    """Per unit: self-assessment lines, survey lines, their sums, the total out of 100, and the rank.

    The survey part of a unit with fewer than ``threshold`` responses is not
    shown, so its total is not computed and it is not ranked.
    """
    units = {u.id: u.code for u in session.scalars(select(Unit))}
    table: dict[str, dict] = {}

    def entry(code: str) -> dict:
        return table.setdefault(code, {"unit": code, "lines": [], "self": 0.0, "self_max": 0.0, "survey": None,
                                       "survey_max": None, "total": None, "rank": None})

    for p in session.scalars(select(ParPoint).where(ParPoint.round_id == round_.id).order_by(ParPoint.id)):
        row = entry(units[p.unit_id])
        row["lines"].append({"criterion": p.criterion_code, "title": {"vi": p.title} if p.title else None,
                             "max": p.max_points, "points": p.points, "source": p.source})
        row["self"] += p.points
        row["self_max"] += p.max_points
    for scheme in (payload or {}).get("schemes", []):
        if scheme["kind"] != "par":
            continue
        for domain, cells in scheme["cells"].items():
            code = domain.removeprefix("unit=")
            if domain == "all" or cells["index"] is None or cells["index"]["est"] is None:
                continue
            row = entry(code)
            if row["survey"] is not None:
                continue  # one PAR survey per unit: the first scheme that has it
            row["survey_max"] = scheme["max"]
            if cells["index"]["n"] < threshold:
                row["survey"] = "suppressed"
                continue
            row["survey"] = cells["index"]["est"]
            for c in (p for p in scheme["parts"] if p["kind"] == "criterion"):
                cell = cells["parts"].get(c["code"])
                if cell is not None and cell["est"] is not None:
                    row["lines"].append({"criterion": c["code"], "title": c["title"], "max": c["max"],
                                         "points": cell["est"], "source": "survey"})
    for row in table.values():
        if isinstance(row["survey"], float) and row["self_max"] > 0:
            row["total"] = row["self"] + row["survey"]
    ranked = sorted((r for r in table.values() if r["total"] is not None), key=lambda r: -r["total"])
    for i, row in enumerate(ranked, start=1):
        row["rank"] = i
    return sorted(table.values(), key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit"]))
