"""Units (province, departments, communes, wards, service centres ...) and their desks: edit one, or import a CSV.

A unit's kind is a row of ``unit_kinds`` (data): the kind column accepts its
code, its Vietnamese or English name and its aliases in any case ("phường",
"Phường", "ward"), and a wrong kind is reported with the allowed values.
A unit may carry the days it exists (``valid_from``, ``valid_to``, dd/mm/yyyy)
and the units it was merged into (``replaced_by``, codes separated by ';').

An import is all or nothing: every row is checked first and every problem is
reported with its line number, so staff fix the file once instead of finding
half of it stored. A row whose code already exists updates that unit or desk,
which makes importing the same file twice harmless.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import ServicePoint, Unit, UnitReplacement
from survey_app.services import uploads
from survey_app.services.programmes import kind_lookup, kinds_hint
from survey_app.services.desks import new_desk_code
from survey_app.services.problems import Problem, ProblemsFound, require_text

UNIT_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,39}\Z")
DESK_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{2,39}\Z")
UNIT_COLUMNS = ("code", "name_vi", "name_en", "kind", "parent_code", "valid_from", "valid_to", "replaced_by")
DESK_COLUMNS = ("code", "unit_code", "name_vi", "name_en", "fields", "active", "kiosk_enabled")
TRUE_WORDS = {"1", "true", "yes", "y", "x", "có", "co"}
FALSE_WORDS = {"", "0", "false", "no", "n", "không", "khong"}
MAX_IMPORT_ROWS = 5000
LIMITS = uploads.Limits(max_bytes=2 * uploads.MB, max_rows=MAX_IMPORT_ROWS, max_columns=20)
# Control characters other than tab and line breaks: never meant in a name, and PostgreSQL refuses NUL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class UnitData:
    code: str
    name_vi: str
    kind: str
    name_en: str = ""
    parent_code: str = ""
    valid_from: str = ""  # dd/mm/yyyy or yyyy-mm-dd; blank: no limit
    valid_to: str = ""
    replaced_by: str = ""  # codes of the units it was merged into, separated by ';'


@dataclass(frozen=True)
class DeskData:
    unit_code: str
    name_vi: str
    name_en: str = ""
    code: str = ""  # blank: a new random code (desks are found by the code on their poster)
    fields: str = ""  # procedure field codes, "1;2;3"
    active: str = "1"
    kiosk_enabled: str = "0"


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


# --- units -------------------------------------------------------------------------------------

def check_unit(data: UnitData, row: int | None = None, *, kinds: Mapping[str, str],
               hint: str = "") -> tuple[UnitData, list[Problem]]:
    """Normalise one unit's fields (codes upper case, kind to its code) and list what is wrong with them.

    ``kinds`` maps every accepted spelling (lower case) to a kind code
    (:func:`survey_app.services.programmes.kind_lookup`); ``hint`` lists the
    allowed values for the message.
    """
    problems: list[Problem] = []
    code = require_text(problems, "code", data.code, 40, row=row).upper()
    if code and not problems and not UNIT_CODE.match(code):
        problems.append(Problem("code", "bad_unit_code", code, row))
    name_vi = require_text(problems, "name_vi", data.name_vi, 200, row=row)
    name_en = require_text(problems, "name_en", data.name_en, 200, required=False, row=row)
    given = " ".join((data.kind or "").split())
    kind = kinds.get(given.casefold(), "")
    if not kind:
        shown = f"'{given[:40]}'" + (f" (allowed: {hint})" if hint else "")
        problems.append(Problem("kind", "bad_kind", shown, row))
    parent = (data.parent_code or "").strip().upper()
    if parent and parent == code:
        problems.append(Problem("parent_code", "own_parent", parent, row))
    first = _date(data.valid_from, "valid_from", problems, row)
    last = _date(data.valid_to, "valid_to", problems, row)
    if first and last and last < first:
        problems.append(Problem("valid_to", "ends_before_starts", last.isoformat(), row))
    replaced = [c.strip().upper() for c in re.split(r"[;,\s]+", data.replaced_by or "") if c.strip()]
    if code in replaced:
        problems.append(Problem("replaced_by", "own_replacement", code, row))
    return UnitData(code, name_vi, kind, name_en, parent, first.isoformat() if first else "",
                    last.isoformat() if last else "", ";".join(dict.fromkeys(replaced))), problems


def _date(raw: str, field: str, problems: list[Problem], row: int | None) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    problems.append(Problem(field, "bad_date", text[:20], row))
    return None


def save_unit(session: Session, data: UnitData, unit: Unit | None = None) -> Unit:
    """Create a unit (``unit`` None) or change one; raise :class:`ProblemsFound` and change nothing if invalid."""
    data, problems = check_unit(data, kinds=kind_lookup(session), hint=kinds_hint(session))
    existing = _units_by_code(session)
    other = existing.get(data.code)
    if other is not None and other is not unit:
        problems.append(Problem("code", "code_taken", data.code))
    parent = existing.get(data.parent_code) if data.parent_code else None
    if data.parent_code and parent is None:
        problems.append(Problem("parent_code", "unknown_unit", data.parent_code))
    if unit is not None and parent is not None and _would_cycle(unit, parent):
        problems.append(Problem("parent_code", "cycle", data.parent_code))
    replaced = data.replaced_by.split(";") if data.replaced_by else []
    for code in replaced:
        if code not in existing:
            problems.append(Problem("replaced_by", "unknown_unit", code))
    if problems:
        raise ProblemsFound(problems)
    if unit is None:
        unit = Unit()
        session.add(unit)
    _apply_unit(unit, data)
    unit.parent = parent
    session.flush()
    _set_replacements(session, unit, [existing[c] for c in replaced])
    return unit


def _apply_unit(unit: Unit, data: UnitData) -> None:
    unit.code, unit.name_vi, unit.name_en, unit.kind = data.code, data.name_vi, data.name_en, data.kind
    unit.valid_from = date.fromisoformat(data.valid_from) if data.valid_from else None
    unit.valid_to = date.fromisoformat(data.valid_to) if data.valid_to else None


def _set_replacements(session: Session, unit: Unit, new_units: list[Unit]) -> None:
    """Record that ``unit`` was merged into ``new_units`` (replacing what was recorded before)."""
    current = {r.new_unit_id: r for r in session.scalars(
        select(UnitReplacement).where(UnitReplacement.old_unit_id == unit.id))}
    wanted = {u.id for u in new_units}
    for new_id, row in current.items():
        if new_id not in wanted:
            session.delete(row)
    for new_id in wanted - set(current):
        session.add(UnitReplacement(old_unit_id=unit.id, new_unit_id=new_id))
    session.flush()
    session.expire(unit, ["replaced_by", "took_over"])


def _would_cycle(unit: Unit, parent: Unit) -> bool:
    node: Unit | None = parent
    while node is not None:
        if node is unit:
            return True
        node = node.parent
    return False


def _units_by_code(session: Session) -> dict[str, Unit]:
    return {unit.code: unit for unit in session.scalars(select(Unit))}


def import_units(session: Session, raw: bytes, filename: str = "units.csv") -> ImportResult:
    """Create or update the units of a CSV or XLSX file (columns :data:`UNIT_COLUMNS`); all or nothing."""
    rows = read_csv(raw, UNIT_COLUMNS, required=("code", "name_vi", "kind"), filename=filename)
    problems: list[Problem] = []
    checked: dict[str, tuple[int, UnitData]] = {}
    kinds, hint = kind_lookup(session), kinds_hint(session)
    for line, fields in rows:
        data, row_problems = check_unit(UnitData(**fields), line, kinds=kinds, hint=hint)
        problems += row_problems
        if data.code in checked:
            problems.append(Problem("code", "duplicate_in_file", data.code, line))
        elif data.code:
            checked[data.code] = (line, data)
    existing = _units_by_code(session)
    problems += _parent_problems(checked, existing)
    for code, (line, data) in checked.items():
        for new in filter(None, data.replaced_by.split(";")):
            if new not in existing and new not in checked:
                problems.append(Problem("replaced_by", "unknown_unit", new, line))
    if problems:
        raise ProblemsFound(problems)
    created = 0
    for _line, data in checked.values():
        unit = existing.get(data.code)
        if unit is None:
            unit = existing[data.code] = Unit(code=data.code)
            session.add(unit)
            created += 1
        _apply_unit(unit, data)
    for _line, data in checked.values():
        existing[data.code].parent = existing[data.parent_code] if data.parent_code else None
    session.flush()
    for _line, data in checked.values():
        _set_replacements(session, existing[data.code],
                          [existing[c] for c in filter(None, data.replaced_by.split(";"))])
    return ImportResult(created=created, updated=len(checked) - created)


def _parent_problems(checked: dict[str, tuple[int, UnitData]], existing: dict[str, Unit]) -> list[Problem]:
    """Unknown parents, and cycles in the tree the file would leave behind."""
    parents = {code: (unit.parent.code if unit.parent else "") for code, unit in existing.items()}
    parents.update({code: data.parent_code for code, (_line, data) in checked.items()})
    problems = []
    for code, (line, data) in checked.items():
        if data.parent_code and data.parent_code not in parents:
            problems.append(Problem("parent_code", "unknown_unit", data.parent_code, line))
            continue
        seen, node = {code}, data.parent_code
        while node:
            if node in seen:
                problems.append(Problem("parent_code", "cycle", data.parent_code, line))
                break
            seen.add(node)
            node = parents.get(node, "")
    return problems


# --- desks -------------------------------------------------------------------------------------

def check_desk(data: DeskData, row: int | None = None) -> tuple[DeskData, list[int], list[Problem]]:
    """Normalise one desk's fields and list what is wrong; also returns the parsed field codes."""
    problems: list[Problem] = []
    code = require_text(problems, "code", data.code, 40, required=False, row=row).lower()
    if code and not DESK_CODE.match(code):
        problems.append(Problem("code", "bad_desk_code", code, row))
    unit_code = require_text(problems, "unit_code", data.unit_code, 40, row=row).upper()
    name_vi = require_text(problems, "name_vi", data.name_vi, 200, row=row)
    name_en = require_text(problems, "name_en", data.name_en, 200, required=False, row=row)
    fields = _field_codes(data.fields, problems, row)
    active = _flag(data.active, "active", problems, row, default=True)
    kiosk = _flag(data.kiosk_enabled, "kiosk_enabled", problems, row, default=False)
    normal = DeskData(unit_code, name_vi, name_en, code, ";".join(map(str, fields)), "1" if active else "0",
                      "1" if kiosk else "0")
    return normal, fields, problems


def _field_codes(raw: str, problems: list[Problem], row: int | None) -> list[int]:
    codes: list[int] = []
    for part in re.split(r"[;,\s]+", (raw or "").strip()):
        if not part:
            continue
        if not part.isdigit() or not 0 < int(part) < 100:
            problems.append(Problem("fields", "bad_fields", part[:20], row))
            return []
        codes.append(int(part))
    return sorted(set(codes))


def _flag(raw: str, field: str, problems: list[Problem], row: int | None, default: bool) -> bool:
    word = (raw or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return default if word == "" else False
    problems.append(Problem(field, "bad_flag", word[:20], row))
    return default


def save_desk(session: Session, data: DeskData, desk: ServicePoint | None = None) -> ServicePoint:
    """Create a desk (``desk`` None) or change one; raise :class:`ProblemsFound` and change nothing if invalid.

    A desk keeps its code when the form leaves it blank: changing it would
    orphan every poster already printed.
    """
    data, fields, problems = check_desk(data)
    unit = session.scalar(select(Unit).where(Unit.code == data.unit_code)) if data.unit_code else None
    if data.unit_code and unit is None:
        problems.append(Problem("unit_code", "unknown_unit", data.unit_code))
    if data.code:
        other = session.scalar(select(ServicePoint).where(ServicePoint.code == data.code))
        if other is not None and other is not desk:
            problems.append(Problem("code", "code_taken", data.code))
    if problems:
        raise ProblemsFound(problems)
    if desk is None:
        desk = ServicePoint(code=data.code or _free_desk_code(session))
        session.add(desk)
    elif data.code:
        desk.code = data.code
    _apply_desk(desk, data, fields, unit)
    session.flush()
    return desk


def _apply_desk(desk: ServicePoint, data: DeskData, fields: list[int], unit: Unit | None) -> None:
    desk.unit = unit  # type: ignore[assignment]  (checked present by the caller)
    desk.name_vi, desk.name_en, desk.fields = data.name_vi, data.name_en, fields
    desk.active, desk.kiosk_enabled = data.active == "1", data.kiosk_enabled == "1"


def _free_desk_code(session: Session) -> str:
    taken = set(session.scalars(select(ServicePoint.code)))
    code = new_desk_code()
    while code in taken:
        code = new_desk_code()
    return code


def import_desks(session: Session, raw: bytes, filename: str = "desks.csv") -> ImportResult:
    """Create or update the desks of a CSV or XLSX file (columns :data:`DESK_COLUMNS`); all or nothing.

    A row with a code that exists updates that desk; a row without a code is a
    new desk with a fresh random code.
    """
    rows = read_csv(raw, DESK_COLUMNS, required=("unit_code", "name_vi"), filename=filename)
    units = _units_by_code(session)
    desks = {desk.code: desk for desk in session.scalars(select(ServicePoint))}
    problems: list[Problem] = []
    checked: list[tuple[DeskData, list[int]]] = []
    seen: set[str] = set()
    for line, fields in rows:
        data, codes, row_problems = check_desk(DeskData(**fields), line)
        problems += row_problems
        if data.unit_code and data.unit_code not in units:
            problems.append(Problem("unit_code", "unknown_unit", data.unit_code, line))
        if data.code and data.code in seen:
            problems.append(Problem("code", "duplicate_in_file", data.code, line))
        seen.add(data.code)
        checked.append((data, codes))
    if problems:
        raise ProblemsFound(problems)
    created = 0
    for data, codes in checked:
        desk = desks.get(data.code) if data.code else None
        if desk is None:
            desk = ServicePoint(code=data.code or _free_desk_code(session))
            created += 1
        _apply_desk(desk, data, codes, units[data.unit_code])
        session.add(desk)
    session.flush()
    return ImportResult(created=created, updated=len(checked) - created)


# --- CSV reading -------------------------------------------------------------------------------

def read_csv(raw: bytes, columns: Iterable[str], required: Iterable[str],
             filename: str = "import.csv") -> list[tuple[int, dict[str, str]]]:
    """Rows of an uploaded CSV or XLSX as ``(line number, {column: text})``; raise ProblemsFound on a bad file.

    Read by :mod:`survey_app.services.uploads` (UTF-8 with or without a byte-order
    mark, comma or semicolon, size and cell limits). Unknown columns are refused so
    a misspelt header is noticed. A value that starts with the apostrophe our own
    downloads put before ``= + - @`` (formula neutralisation) loses it again, so a
    download imported back is unchanged.
    """
    from survey_app.services.export import unneutralise

    table = uploads.read_table(filename, raw, LIMITS)
    header = [name.strip().lower() for name in table.header]
    columns = tuple(columns)
    problems = [Problem("header", "unknown_column", uploads.echo(name), 1) for name in header if name not in columns]
    problems += [Problem("header", "missing_column", name, 1) for name in required if name not in header]
    if problems:
        raise ProblemsFound(problems)
    rows = []
    for row in table.rows:
        values = [unneutralise(value) for value in row.cells]
        line = row.number
        if len(values) > len(header):
            problems.append(Problem("file", "too_many_cells", str(len(values)), line))
        if any(CONTROL.search(value) for value in values):
            problems.append(Problem("file", "control_characters", "", line))
        fields = {name: "" for name in columns}
        fields.update(zip(header, values, strict=False))
        rows.append((line, fields))
    if problems:
        raise ProblemsFound(problems)
    if not rows:
        raise ProblemsFound([Problem("file", "empty")])
    return rows


def units_csv(session: Session) -> str:
    """Every unit in the import format, so staff can edit a download and import it back."""
    return _table_csv(UNIT_COLUMNS, [
        [u.code, u.name_vi, u.name_en, u.kind, u.parent.code if u.parent else "",
         u.valid_from.strftime("%d/%m/%Y") if u.valid_from else "", u.valid_to.strftime("%d/%m/%Y") if u.valid_to else "",
         ";".join(n.code for n in u.replaced_by)]
        for u in session.scalars(select(Unit).order_by(Unit.code))
    ])


def desks_csv(session: Session) -> str:
    """Every desk in the import format (codes included, so a re-import updates rather than duplicates)."""
    return _table_csv(DESK_COLUMNS, [
        [d.code, d.unit.code, d.name_vi, d.name_en, ";".join(map(str, d.fields or [])), "1" if d.active else "0",
         "1" if d.kiosk_enabled else "0"]
        for d in session.scalars(select(ServicePoint).order_by(ServicePoint.code))
    ])


def _table_csv(header: Iterable[str], rows: list[list[str]]) -> str:
    from survey_app.services.export import csv_row, neutralise

    return "\ufeff" + csv_row(header) + "".join(csv_row(neutralise(cell) for cell in row) for row in rows)
