"""Population margins of a round: what the office knows about everyone served.

The one-stop software reports the completed transactions per unit (and per
procedure field, sex or age group); for an official group the office knows
how many members it has. Weighting the responses to these totals corrects a
sample that over-represents some units or kinds of people (METHODOLOGY.md).

Staff enter them per group on a grid or import a CSV/XLSX file with the
columns ``group,dimension,category,count``; an import is all or nothing and
replaces, for each group in the file, that group's margins. Everything is
checked against the round before it is stored: the group answers in the
round, the unit exists, the category is an answer of the group's question
(code or label), and each group's dimensions add up to the same total (the
analysis refuses margins that disagree, so the office hears it at import, not
at analysis time). Stored rows are the analysis margins file as it is
(``variable,category,total,group``), written by :func:`margins_csv`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey_app.models import MARGIN_DIMENSIONS, RespondentGroup, Round, RoundMargin, Unit
from survey_app.questionnaire import Questionnaire
from survey_app.services.problems import Problem, ProblemsFound
from survey_app.services.questionnaires import questionnaire_of
from survey_app.services.uploads import MB, Limits, read_table

COLUMNS = ("group", "dimension", "category", "count")
MAX_BYTES = 2 * MB
LIMITS = Limits(max_bytes=MAX_BYTES, max_columns=20, max_cells=100_000)
MAX_COUNT = 100_000_000
THOUSANDS = re.compile(r"\d{1,3}([.,\s]\d{3})+\Z")
#: Dimensions read from the group's questionnaire: the answer codes of these items are the categories.
ITEM_DIMENSIONS = ("field", "sex", "age_group")


@dataclass(frozen=True)
class MarginRow:
    """One total as staff give it: ``dimension`` is one of :data:`MARGIN_DIMENSIONS`."""

    group: str
    dimension: str
    category: str
    count: str
    row: int | None = None
    sheet: str | None = None


def round_groups(round_: Round) -> list[str]:
    """The groups that answer in the round (those it has a questionnaire for)."""
    return [link.group_code for link in round_.questionnaires]


def census_groups(session: Session) -> set[str]:
    """Groups surveyed as a census (officials): their margin is the number of members."""
    return set(session.scalars(select(RespondentGroup.code).where(RespondentGroup.census.is_(True))))


def variable_of(dimension: str) -> str:
    """The export column a dimension's categories are values of (members: the group column)."""
    return "group" if dimension == "members" else dimension


def dimension_of(variable: str) -> str:
    return "members" if variable == "group" else variable


def read_margin_file(filename: str, data: bytes) -> list[MarginRow]:
    """The rows of an uploaded CSV or XLSX margins file (first sheet), with their sheet and row numbers.

    Raises
    ------
    ProblemsFound
        The file is too large or hostile (services/uploads.py), has unknown or
        missing columns, or no rows.
    """
    table = read_table(filename or "", data, LIMITS)
    names = [h.strip().lower() for h in table.header]
    sheet = table.sheet if (filename or "").lower().endswith((".xlsx", ".xlsm")) else None
    problems = [Problem(name or "?", "unknown_column", name[:40], table.header_row, sheet)
                for name in names if name not in COLUMNS]
    problems += [Problem(c, "missing_column", c, table.header_row, sheet)
                 for c in COLUMNS if c not in names and c != "category"]
    if problems:
        raise ProblemsFound(problems)
    if not table.rows:
        raise ProblemsFound([Problem("file", "empty")])
    return [MarginRow(table.column(r, "group"), table.column(r, "dimension"), table.column(r, "category"),
                      table.column(r, "count"), r.number, sheet) for r in table.rows]


def import_margins(session: Session, round_: Round, rows: Sequence[MarginRow]) -> dict[str, int]:
    """Check every row and replace the margins of each group in ``rows``; nothing is stored on a problem.

    Returns the number of totals stored per group.
    """
    checked = check_margins(session, round_, rows)
    groups = sorted({group for group, _, _, _ in checked})
    session.execute(delete(RoundMargin).where(RoundMargin.round_id == round_.id,
                                              RoundMargin.group_code.in_(groups)))
    for group, variable, category, total in checked:
        session.add(RoundMargin(round_id=round_.id, group_code=group, variable=variable, category=category,
                                total=total))
    session.flush()
    return {g: sum(1 for c in checked if c[0] == g) for g in groups}


def save_group_margins(session: Session, round_: Round, group: str, rows: Sequence[MarginRow]) -> int:
    """Replace one group's margins of the dimensions given (the console's grid); other dimensions stay."""
    checked = check_margins(session, round_, rows, keep_existing=True)
    dimensions = {variable_of(r.dimension) for r in rows}
    session.execute(delete(RoundMargin).where(RoundMargin.round_id == round_.id, RoundMargin.group_code == group,
                                              RoundMargin.variable.in_(dimensions)))
    for g, variable, category, total in checked:
        session.add(RoundMargin(round_id=round_.id, group_code=g, variable=variable, category=category, total=total))
    session.flush()
    return len(checked)


def check_margins(session: Session, round_: Round, rows: Sequence[MarginRow], *,
                  keep_existing: bool = False) -> list[tuple[str, str, str, int]]:
    """``(group, variable, category, total)`` per row, or ProblemsFound naming every bad row and column.

    With ``keep_existing`` the stored dimensions of the same groups that ``rows``
    do not replace take part in the check that totals agree.
    """
    groups = round_groups(round_)
    census = census_groups(session)
    units = {code for (code,) in session.execute(select(Unit.code))}
    questionnaires = {link.group_code: questionnaire_of(link.version) for link in round_.questionnaires}
    problems: list[Problem] = []
    out: list[tuple[str, str, str, int]] = []
    seen: set[tuple[str, str, str]] = set()
    for r in rows:
        group, dimension = r.group.strip(), r.dimension.strip().lower()
        if group not in groups:
            problems.append(Problem("group", "bad_group_in_round", group[:40], r.row, r.sheet))
            continue
        if dimension not in MARGIN_DIMENSIONS:
            problems.append(Problem("dimension", "bad_dimension", dimension[:40], r.row, r.sheet))
            continue
        category = _category(r, group, dimension, units, questionnaires.get(group), problems, group in census)
        total = _count(r, problems)
        if category is None or total is None:
            continue
        key = (group, variable_of(dimension), category)
        if key in seen:
            problems.append(Problem("category", "duplicate_margin", f"{dimension} {category}", r.row, r.sheet))
            continue
        seen.add(key)
        out.append((group, variable_of(dimension), category, total))
    if not problems:
        problems = _disagreements(session, round_, out, keep_existing)
    if problems:
        raise ProblemsFound(problems)
    return out


def _category(r: MarginRow, group: str, dimension: str, units: set[str], questionnaire: Questionnaire | None,
              problems: list[Problem], census: bool) -> str | None:
    given = r.category.strip()
    if dimension == "members":
        if not census:
            problems.append(Problem("dimension", "members_not_census", group, r.row, r.sheet))
            return None
        if given and given != group:
            problems.append(Problem("category", "bad_category", given[:40], r.row, r.sheet))
            return None
        return group
    if dimension == "unit":
        if given.upper() not in units:
            problems.append(Problem("category", "unknown_unit", given[:40], r.row, r.sheet))
            return None
        return given.upper()
    item = None
    if questionnaire is not None:
        try:
            item = questionnaire.item(dimension)
        except KeyError:
            item = None
    if item is None or not item.options:
        problems.append(Problem("dimension", "dimension_not_asked", dimension, r.row, r.sheet))
        return None
    lowered = given.lower()
    for option in item.options:
        if lowered in (str(option.code), option.label.vi.lower(), option.label.en.lower()):
            return str(option.code)
    problems.append(Problem("category", "bad_category", given[:40], r.row, r.sheet))
    return None


def _count(r: MarginRow, problems: list[Problem]) -> int | None:
    raw = r.count.strip()
    if THOUSANDS.match(raw):  # "12.500" or "12,500" as people write thousands
        raw = re.sub(r"[.,\s]", "", raw)
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) > MAX_COUNT:
        problems.append(Problem("count", "bad_number", r.count[:20], r.row, r.sheet))
        return None
    return int(raw)


def _disagreements(session: Session, round_: Round, rows: list[tuple[str, str, str, int]],
                   keep_existing: bool) -> list[Problem]:
    """Every dimension of a group must add up to the same total (the number of people served)."""
    totals: dict[str, dict[str, int]] = {}
    for group, variable, _, total in rows:
        totals.setdefault(group, {}).setdefault(variable, 0)
        totals[group][variable] += total
    if keep_existing:
        for m in session.scalars(select(RoundMargin).where(RoundMargin.round_id == round_.id,
                                                           RoundMargin.group_code.in_(list(totals)))):
            if m.variable not in _given(rows, m.group_code):
                totals[m.group_code][m.variable] = totals[m.group_code].get(m.variable, 0) + m.total
    problems = []
    for group, by_variable in totals.items():
        if len(set(by_variable.values())) > 1:
            text = ", ".join(f"{dimension_of(v)} {t}" for v, t in by_variable.items())
            problems.append(Problem("count", "totals_disagree", f"{group}: {text}"))
    return problems


def _given(rows: list[tuple[str, str, str, int]], group: str) -> set[str]:
    return {variable for g, variable, _, _ in rows if g == group}


def stored_margins(session: Session, round_id: int) -> list[RoundMargin]:
    """The round's margins in a stable order: group, variable (unit first), category."""
    order = {v: i for i, v in enumerate(("unit", "group", "field", "sex", "age_group"))}
    rows = list(session.scalars(select(RoundMargin).where(RoundMargin.round_id == round_id)))
    return sorted(rows, key=lambda m: (m.group_code, order.get(m.variable, 9), _natural(m.category)))


def _natural(text: str) -> tuple[int, object]:
    return (0, int(text)) if text.isdigit() else (1, text)


def margin_rows(session: Session, round_id: int) -> list[tuple[str, str, int, str]]:
    """``(variable, category, total, group)`` rows: the analysis margins format."""
    return [(m.variable, m.category, m.total, m.group_code) for m in stored_margins(session, round_id)]


def margins_csv(session: Session, round_id: int) -> str:
    """The margins file ``python -m analysis`` reads: ``variable,category,total,group``."""
    return rows_csv(margin_rows(session, round_id))


def rows_csv(rows: Iterable[tuple[str, str, int, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("variable", "category", "total", "group"))
    writer.writerows(rows)
    return out.getvalue()


def template_csv(session: Session, round_: Round) -> str:
    """A file to fill in: one row per unit for each group of the round, counts empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    units = [code for (code,) in session.execute(select(Unit.code).order_by(Unit.code))]
    census = census_groups(session)
    for group in round_groups(round_):
        if group in census:
            writer.writerow((group, "members", group, ""))
        else:
            writer.writerows((group, "unit", code, "") for code in units)
    return out.getvalue()
