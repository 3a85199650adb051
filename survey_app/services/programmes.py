"""Unit kinds, respondent groups and programmes: loading them from files, and what a round runs.

The structure a decision can change is data (models/structure.py). The
shipped lists live in ``questionnaires/unit_kinds.yaml`` and ``groups.yaml``
and each shipped programme in ``questionnaires/programmes/<code>.yaml``
(format: the programme contract in README.md). Loading is idempotent: a kind,
a group or a programme is found by its code and updated, so loading the same
file twice changes nothing, and loading a corrected file corrects the rows.

Every problem of a file is collected and reported at once, each naming the
file and the field (``programmes/par_commune.yaml: groups.citizen: ...``),
so whoever edits a file fixes all its mistakes in one pass.

For the rest of the application two functions answer the questions that the
six constants used to: :func:`round_groups` (the groups of a round) and
:func:`round_schemes` (the index schemes of a round).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.indices import ParScheme, SatisfactionScheme, SchemeError, parse_scheme
from survey_app.models import (
    PROGRAMME_KINDS,
    REACH_CHANNELS,
    TIERS,
    Programme,
    ProgrammeGroup,
    ProgrammeScheme,
    ProgrammeUnitKind,
    QuestionnaireVersion,
    RespondentGroup,
    Round,
    UnitKind,
)
from survey_app.questionnaire import GROUP_CODE_PATTERN, QuestionnaireError, load_directory, load_questionnaire
from survey_app.questionnaire.loader import _StrictLoader
from survey_app.services.problems import Problem, ProblemsFound, require_text
from survey_app.services.questionnaires import ensure_version

KIND_CODE = re.compile(r"[a-z][a-z_]{0,19}\Z")
GROUP_CODE = re.compile(GROUP_CODE_PATTERN + r"\Z")
PROGRAMME_CODE = re.compile(r"[a-z0-9_]{1,40}\Z")
KINDS_FILE = "unit_kinds.yaml"
GROUPS_FILE = "groups.yaml"
PROGRAMMES_DIR = "programmes"
MAX_SOURCE = 2_000_000  # characters of a pasted or uploaded programme or scheme

Scheme = SatisfactionScheme | ParScheme


class StructureError(ValueError):
    """A reference or programme file was refused; ``problems`` lists every reason (file: field: message)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --- reading files -----------------------------------------------------------------------------

def _read_yaml(text: str, label: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # safe, and refuses duplicate keys
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise StructureError([f"{label}: invalid YAML{where}: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise StructureError([f"{label}: invalid YAML: {exc}"]) from None


def _read_file(path: Path, label: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StructureError([f"{label}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StructureError([f"{label}: cannot read the file ({exc})"]) from None


class _Checker:
    """Collects problems of one file; each method returns a clean value or None."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[str] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(f"{self.label}: {field}: {message}" if field else f"{self.label}: {message}")

    def text(self, raw: Mapping[str, Any], key: str, field: str, *, required: bool = True,
             limit: int = 300) -> str:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(field, "missing")
            return ""
        if not isinstance(value, str):
            self.problem(field, f"must be text, got {value!r}")
            return ""
        if len(value) > limit:
            self.problem(field, f"longer than {limit} characters")
            return ""
        return value.strip()

    def codes(self, raw: object, field: str, allowed: Iterable[str] | None = None) -> list[str]:
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            self.problem(field, "must be a list of codes such as [commune, ward]")
            return []
        if allowed is not None:
            allowed = set(allowed)
            for value in raw:
                if value not in allowed:
                    self.problem(field, f"unknown code {value!r} (allowed: {', '.join(sorted(allowed))})")
        return list(dict.fromkeys(raw))

    def raise_if_any(self) -> None:
        if self.problems:
            raise StructureError(self.problems)


# --- reference data: unit kinds and respondent groups ------------------------------------------

def sync_reference_data(session: Session, questionnaire_dir: str | Path) -> tuple[int, int]:
    """Create or update the unit kinds and respondent groups of ``unit_kinds.yaml`` and ``groups.yaml``.

    Rows not in the files are kept (units, responses and rounds may use them).
    All or nothing: a problem in either file changes nothing. Returns the
    numbers of kinds and groups in the files.
    """
    directory = Path(questionnaire_dir)
    kinds = _kinds_file(directory / KINDS_FILE)
    known_kinds = set(kinds) | set(session.scalars(select(UnitKind.code)))
    groups = _groups_file(directory / GROUPS_FILE, known_kinds)
    for position, (code, values) in enumerate(kinds.items()):
        row = session.get(UnitKind, code) or UnitKind(code=code)
        for key, value in values.items():
            setattr(row, key, value)
        row.position = position
        session.add(row)
    session.flush()
    for position, (code, values) in enumerate(groups.items()):
        group_row = session.get(RespondentGroup, code) or RespondentGroup(code=code)
        for key, value in values.items():
            setattr(group_row, key, value)
        group_row.position = position
        session.add(group_row)
    session.flush()
    return len(kinds), len(groups)


def _entries(data: Any, key: str, check: _Checker) -> list[Mapping[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        check.problem("", f"the file must be a mapping with a list '{key}'")
        check.raise_if_any()
    entries: list[Mapping[str, Any]] = []
    for position, raw in enumerate(data[key], 1):
        if not isinstance(raw, dict):
            check.problem(f"{key}[{position}]", "must be a mapping with code, vi, en")
        else:
            entries.append(raw)
    return entries


def _reference_file(path: Path, key: str, code: re.Pattern[str], code_hint: str, keys: set[str],
                    values: Callable[[_Checker, Mapping[str, Any], str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A reference list (``unit_kinds.yaml``, ``groups.yaml``) by code: a list ``key`` of entries with a
    ``code``, the names ``vi`` and ``en`` and the other ``keys``, whose values ``values`` checks."""
    check = _Checker(path.name)
    data = _read_yaml(_read_file(path, path.name), path.name)
    rows: dict[str, dict[str, Any]] = {}
    for raw in _entries(data, key, check):
        value = raw.get("code")
        field = f"{key}.{value}" if isinstance(value, str) else key
        if not isinstance(value, str) or not code.match(value):
            check.problem(field, f"bad code {value!r}: {code_hint}")
            continue
        if value in rows:
            check.problem(field, "the code appears twice")
        for unknown in sorted(set(raw) - {"code", "vi", "en", *keys}):
            check.problem(field, f"unknown key {unknown!r}")
        own = values(check, raw, field)
        rows[value] = {"name_vi": check.text(raw, "vi", f"{field}.vi", limit=200),
                       "name_en": check.text(raw, "en", f"{field}.en", required=False, limit=200), **own}
    check.raise_if_any()
    return rows


def _kinds_file(path: Path) -> dict[str, dict[str, Any]]:
    def kind(check: _Checker, raw: Mapping[str, Any], field: str) -> dict[str, Any]:
        tier = check.text(raw, "tier", f"{field}.tier", required=False, limit=20)
        if tier and tier not in TIERS:
            check.problem(f"{field}.tier", f"must be one of {', '.join(TIERS)}")
        return {"aliases": [a.strip() for a in check.codes(raw.get("aliases"), f"{field}.aliases")], "tier": tier}

    return _reference_file(path, "kinds", KIND_CODE, "lowercase letters and _ (at most 20)", {"aliases", "tier"},
                           kind)


def _groups_file(path: Path, known_kinds: set[str]) -> dict[str, dict[str, Any]]:
    def group(check: _Checker, raw: Mapping[str, Any], field: str) -> dict[str, Any]:
        census = raw.get("census", False)
        if not isinstance(census, bool):
            check.problem(f"{field}.census", "must be true or false")
        reached = check.codes(raw.get("reached_by"), f"{field}.reached_by", REACH_CHANNELS)
        if not reached:
            check.problem(f"{field}.reached_by", f"name at least one of {', '.join(REACH_CHANNELS)}")
        return {"reached_by": reached, "census": census is True,
                "about_kinds": check.codes(raw.get("about_kinds"), f"{field}.about_kinds", known_kinds),
                "note": check.text(raw, "note", f"{field}.note", required=False, limit=2000)}

    return _reference_file(path, "groups", GROUP_CODE, "lowercase letters, digits and _ (at most 20)",
                           {"reached_by", "census", "about_kinds", "note"}, group)


# --- programmes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProgrammeFile:
    """A programme file checked and resolved: questionnaires parsed, schemes read."""

    code: str
    title_vi: str
    title_en: str
    kind: str
    basis: str
    note_vi: str
    note_en: str
    period: str
    unit_kinds: list[str]
    groups: list[tuple[str, Any]]  # (group code, Questionnaire)
    schemes: list[tuple[str, str, str]]  # (scheme code, file name, source text)
    source: str


def load_programme(session: Session, path_or_text: str | Path, *, questionnaire_dir: str | Path | None = None,
                   filename: str | None = None) -> Programme:
    """Check a programme file and store it (create, or update the programme with the same code).

    ``path_or_text`` is a path, or the file's text (pasted or uploaded in the
    console) with ``filename`` to name it in messages. Questionnaire and
    scheme files are named relative to ``questionnaire_dir`` (by default the
    parent of the file's ``programmes/`` folder). Raises
    :class:`StructureError` listing every problem; nothing is stored then.
    """
    if isinstance(path_or_text, Path):
        path = path_or_text
        label = f"{PROGRAMMES_DIR}/{path.name}" if path.parent.name == PROGRAMMES_DIR else path.name
        text = _read_file(path, label)
        base = Path(questionnaire_dir) if questionnaire_dir is not None else path.parent.parent
    else:
        if questionnaire_dir is None:
            raise ValueError("a programme given as text needs questionnaire_dir")
        text, label, base = path_or_text, filename or "programme.yaml", Path(questionnaire_dir)
    if len(text) > MAX_SOURCE:
        raise StructureError([f"{label}: the file is too large"])
    checked = check_programme(session, text.replace("\r\n", "\n"), label, base)
    return store_programme(session, checked)


def check_programme(session: Session, text: str, label: str, base: Path) -> ProgrammeFile:
    """Every problem of a programme file, or the resolved programme."""
    check = _Checker(label)
    data = _read_yaml(text, label)
    if not isinstance(data, dict):
        raise StructureError([f"{label}: the file must be a mapping with code, title, groups ..."])
    allowed = {"code", "title", "kind", "basis", "unofficial_note", "unit_kinds", "groups", "schemes", "period"}
    for key in sorted(set(data) - allowed, key=str):
        check.problem(str(key), "unknown key")
    code = data.get("code")
    if not isinstance(code, str) or not PROGRAMME_CODE.match(code):
        check.problem("code", f"bad or missing code {code!r}: lowercase letters, digits and _")
        code = ""
    title = _bilingual(check, data.get("title"), "title", required=True)
    note = _bilingual(check, data.get("unofficial_note"), "unofficial_note", required=False)
    kind = data.get("kind")
    if kind not in PROGRAMME_KINDS:
        check.problem("kind", f"must be one of {', '.join(PROGRAMME_KINDS)}, got {kind!r}")
    basis = check.text(data, "basis", "basis", required=False, limit=2000)
    period = check.text(data, "period", "period", required=False, limit=40)
    kinds = check.codes(data.get("unit_kinds"), "unit_kinds", set(session.scalars(select(UnitKind.code))))
    if not kinds:
        check.problem("unit_kinds", "name the kinds of units the programme assesses")
    groups = _programme_groups(session, check, data.get("groups"), base)
    schemes = _programme_schemes(check, data.get("schemes"), base)
    check.raise_if_any()
    return ProgrammeFile(code, title[0], title[1], str(kind), basis, note[0], note[1], period, kinds, groups,
                         schemes, text)


def _bilingual(check: _Checker, raw: object, field: str, *, required: bool) -> tuple[str, str]:
    if raw is None:
        if required:
            check.problem(field, "missing")
        return "", ""
    if not isinstance(raw, dict):
        check.problem(field, "must be a mapping {vi: ..., en: ...}")
        return "", ""
    return check.text(raw, "vi", f"{field}.vi", limit=2000), check.text(raw, "en", f"{field}.en", required=False,
                                                                        limit=2000)


def _inside(base: Path, relative: object) -> Path | None:
    """``base/relative`` when it names a file inside ``base`` (no absolute paths, no '..')."""
    if not isinstance(relative, str) or not relative.strip():
        return None
    path = (base / relative).resolve()
    return path if path.is_relative_to(base.resolve()) else None


def _programme_groups(session: Session, check: _Checker, raw: object, base: Path) -> list[tuple[str, Any]]:
    if not isinstance(raw, dict) or not raw:
        check.problem("groups", "must map each group code to its questionnaire file, e.g. citizen: sipas/citizen.yaml")
        return []
    known = set(session.scalars(select(RespondentGroup.code)))
    resolved = []
    for group, relative in raw.items():
        field = f"groups.{group}"
        if group not in known:
            check.problem(field, f"unknown respondent group {group!r} (add it to groups.yaml or in the console)")
            continue
        path = _inside(base, relative)
        if path is None:
            check.problem(field, f"bad questionnaire file {relative!r}: a path inside questionnaires/")
            continue
        try:
            questionnaire = load_questionnaire(path)
        except QuestionnaireError as exc:
            for problem in exc.problems:
                check.problem(field, f"{relative}: {problem.message if problem.item is None else str(problem)}")
            continue
        except OSError:
            check.problem(field, f"no questionnaire file {relative}")
            continue
        if questionnaire.group != group:
            check.problem(field, f"{relative} declares group {questionnaire.group!r}")
            continue
        resolved.append((group, questionnaire))
    return resolved


def _programme_schemes(check: _Checker, raw: object, base: Path) -> list[tuple[str, str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.problem("schemes", "must be a list of scheme files, e.g. [schemes/sipas_1001.yaml]")
        return []
    schemes: list[tuple[str, str, str]] = []
    for position, relative in enumerate(raw, 1):
        field = f"schemes[{position}]"
        path = _inside(base, relative)
        if path is None or not path.is_file():
            check.problem(field, f"no scheme file {relative!r} inside questionnaires/")
            continue
        text = path.read_text(encoding="utf-8")
        try:
            scheme = parse_scheme(text, str(relative))
        except SchemeError as exc:
            check.problem(field, str(exc))
            continue
        if scheme.code in {code for code, _, _ in schemes}:
            check.problem(field, f"a second scheme with code {scheme.code!r}")
            continue
        schemes.append((scheme.code, str(relative), text))
    return schemes


def store_programme(session: Session, checked: ProgrammeFile) -> Programme:
    """Create or update the programme ``checked.code`` from a checked file."""
    programme = session.scalar(select(Programme).where(Programme.code == checked.code))
    if programme is None:
        programme = Programme(code=checked.code)
        session.add(programme)
    programme.title_vi, programme.title_en, programme.kind = checked.title_vi, checked.title_en, checked.kind
    programme.basis, programme.period, programme.source = checked.basis, checked.period, checked.source
    programme.unofficial_note_vi, programme.unofficial_note_en = checked.note_vi, checked.note_en
    versions = {group: ensure_version(session, questionnaire) for group, questionnaire in checked.groups}
    set_programme_parts(session, programme, kinds=checked.unit_kinds,
                        groups=[(group, versions[group].id) for group, _ in checked.groups])
    existing = {s.code: s for s in programme.schemes}
    for position, (code, filename, text) in enumerate(checked.schemes):
        row = existing.pop(code, None)
        if row is None:
            row = ProgrammeScheme(code=code)
            programme.schemes.append(row)
        row.filename, row.source, row.position = filename, text, position
    for row in existing.values():
        programme.schemes.remove(row)
    session.flush()
    return programme


def set_programme_parts(session: Session, programme: Programme, *, kinds: Sequence[str],
                        groups: Sequence[tuple[str, int | None]]) -> None:
    """Replace a programme's unit kinds and its groups (group code, questionnaire version id or None)."""
    wanted_kinds = list(dict.fromkeys(kinds))
    for link in list(programme.unit_kinds):
        if link.kind_code not in wanted_kinds:
            programme.unit_kinds.remove(link)
    have = {link.kind_code for link in programme.unit_kinds}
    programme.unit_kinds.extend(ProgrammeUnitKind(kind_code=k) for k in wanted_kinds if k not in have)
    wanted = dict(groups)
    links = {link.group_code: link for link in programme.groups}
    for code, old in links.items():
        if code not in wanted:
            programme.groups.remove(old)
    for position, (code, version_id) in enumerate(groups):
        group_link = links.get(code)
        if group_link is None:
            group_link = ProgrammeGroup(group_code=code)
            programme.groups.append(group_link)
        group_link.version_id, group_link.position = version_id, position
    session.flush()


def sync_directory(session: Session, directory: str | Path) -> dict[str, QuestionnaireVersion]:
    """Store a version for every file in ``directory`` not stored yet; return them by group.

    When the directory holds the reference lists (``unit_kinds.yaml``,
    ``groups.yaml``: the shipped ``questionnaires/``), they are synchronised
    first, so every group a version names is a known group.
    """
    if (Path(directory) / KINDS_FILE).is_file() and (Path(directory) / GROUPS_FILE).is_file():
        sync_reference_data(session, directory)
    versions: dict[str, QuestionnaireVersion] = {}
    for group, questionnaire in load_directory(Path(directory)).items():
        versions[group] = ensure_version(session, questionnaire)
    return versions


def shipped_programme_files(questionnaire_dir: str | Path) -> list[Path]:
    folder = Path(questionnaire_dir) / PROGRAMMES_DIR
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def sync_shipped(session: Session, questionnaire_dir: str | Path,
                 codes: Iterable[str] | None = None) -> list[Programme]:
    """Reference data and the shipped programmes (all, or those of ``codes``), as ``make run`` needs them."""
    sync_reference_data(session, questionnaire_dir)
    wanted = set(codes) if codes is not None else None
    loaded = []
    for path in shipped_programme_files(questionnaire_dir):
        if wanted is None or path.stem in wanted:
            loaded.append(load_programme(session, path, questionnaire_dir=questionnaire_dir))
    return loaded


# --- what a round runs -------------------------------------------------------------------------

def round_programmes(round_: Round) -> list[Programme]:
    return [link.programme for link in round_.programmes]


def round_groups(session: Session, round_: Round) -> list[RespondentGroup]:
    """The respondent groups of a round: those of its programmes, in order, then any other group
    the round has a questionnaire for (a round set up group by group). One entry per group."""
    codes: list[str] = []
    for programme in round_programmes(round_):
        codes.extend(link.group_code for link in programme.groups)
    codes.extend(link.group_code for link in round_.questionnaires)
    codes = list(dict.fromkeys(codes))
    found = {g.code: g for g in session.scalars(select(RespondentGroup).where(RespondentGroup.code.in_(codes)))}
    return [found[code] for code in codes if code in found]


def round_schemes(round_: Round) -> list[tuple[Programme, str, Scheme]]:
    """The index schemes of a round: (programme, scheme code, parsed scheme) for each of its programmes.

    Parsed from the text stored with the programme, so a round is computed
    with the scheme it was run with even after the shipped file changed.
    """
    result = []
    for programme in round_programmes(round_):
        for row in programme.schemes:
            result.append((programme, row.code, _parsed_scheme(row.source, row.filename or row.code)))
    return result


def _parsed_scheme(text: str, label: str) -> Scheme:
    parsed = _SCHEMES.get(text)
    if parsed is None:
        parsed = parse_scheme(text, label)
        if len(_SCHEMES) < 64:
            _SCHEMES[text] = parsed
    return parsed


_SCHEMES: dict[str, Scheme] = {}


def link_groups(session: Session, round_: Round | None = None) -> list[RespondentGroup]:
    """Groups invited personally by link: of the round, or every such group when no round is given."""
    groups = round_groups(session, round_) if round_ is not None else all_groups(session)
    return [g for g in groups if g.by_link]


def all_groups(session: Session) -> list[RespondentGroup]:
    return list(session.scalars(select(RespondentGroup).order_by(RespondentGroup.position, RespondentGroup.code)))


def all_kinds(session: Session) -> list[UnitKind]:
    return list(session.scalars(select(UnitKind).order_by(UnitKind.position, UnitKind.code)))


def group_codes(session: Session) -> list[str]:
    return [g.code for g in all_groups(session)]


def kind_lookup(session: Session) -> dict[str, str]:
    """Every accepted spelling of a kind (code, aliases, names; lower case) -> kind code."""
    lookup: dict[str, str] = {}
    for kind in all_kinds(session):
        for word in (*kind.aliases, kind.name_vi, kind.name_en, kind.code):
            if word:
                lookup.setdefault(word.strip().casefold(), kind.code)
    return lookup


def kinds_hint(session: Session) -> str:
    """The allowed kinds as an import error lists them: ``xã (commune), phường (ward), ...``."""
    return ", ".join(f"{(k.aliases[0] if k.aliases else k.name_vi)} ({k.code})" for k in all_kinds(session))


def versions_of_group(session: Session, group: str) -> list[QuestionnaireVersion]:
    return list(session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.group_code == group)
                                .order_by(QuestionnaireVersion.id.desc())))


# --- editing in the console ----------------------------------------------------------------------
# Problems are reported as :class:`~survey_app.services.problems.Problem` codes (the console words them).

@dataclass(frozen=True)
class KindData:
    code: str
    name_vi: str
    name_en: str = ""
    aliases: str = ""  # separated by ';'
    tier: str = ""


@dataclass(frozen=True)
class GroupData:
    code: str
    name_vi: str
    name_en: str = ""
    reached_by: Sequence[str] = ()
    census: bool = False
    about_kinds: Sequence[str] = ()
    note: str = ""


@dataclass(frozen=True)
class ProgrammeData:
    code: str
    title_vi: str
    title_en: str = ""
    kind: str = "par"
    basis: str = ""
    unofficial_note_vi: str = ""
    unofficial_note_en: str = ""
    period: str = ""
    unit_kinds: Sequence[str] = ()
    # Group code -> questionnaire version id (None: not chosen yet).
    groups: Mapping[str, int | None] = None  # type: ignore[assignment]


def _code_and_names(session: Session, problems: list[Problem], model: type[UnitKind] | type[RespondentGroup],
                    row: UnitKind | RespondentGroup | None, data: KindData | GroupData, pattern: re.Pattern[str],
                    bad: str) -> tuple[str, str, str]:
    """The code (a new row's, checked against ``pattern`` and the rows already there) and the two names
    of a unit kind or respondent group saved from the console."""
    code = row.code if row is not None else require_text(problems, "code", data.code, 20).lower()
    if row is None and code and not pattern.match(code):
        problems.append(Problem("code", bad, code))
    elif row is None and code and session.get(model, code) is not None:
        problems.append(Problem("code", "code_taken", code))
    return (code, require_text(problems, "name_vi", data.name_vi, 200),
            require_text(problems, "name_en", data.name_en, 200, required=False))


def save_kind(session: Session, data: KindData, kind: UnitKind | None = None) -> UnitKind:
    problems: list[Problem] = []
    code, name_vi, name_en = _code_and_names(session, problems, UnitKind, kind, data, KIND_CODE, "bad_kind_code")
    tier = (data.tier or "").strip()
    if tier and tier not in TIERS:
        problems.append(Problem("tier", "out_of_range", tier[:20]))
    aliases = [a.strip() for a in (data.aliases or "").split(";") if a.strip()]
    if any(len(a) > 100 for a in aliases) or len(aliases) > 30:
        problems.append(Problem("aliases", "too_long"))
    if problems:
        raise ProblemsFound(problems)
    if kind is None:
        kind = UnitKind(code=code, position=len(all_kinds(session)))
        session.add(kind)
    kind.name_vi, kind.name_en, kind.aliases, kind.tier = name_vi, name_en, aliases, tier
    session.flush()
    return kind


def save_group(session: Session, data: GroupData, group: RespondentGroup | None = None) -> RespondentGroup:
    problems: list[Problem] = []
    code, name_vi, name_en = _code_and_names(session, problems, RespondentGroup, group, data, GROUP_CODE,
                                             "bad_group_code")
    note = require_text(problems, "note", data.note, 2000, required=False)
    reached = [r for r in data.reached_by if r]
    if not reached:
        problems.append(Problem("reached_by", "required"))
    problems += [Problem("reached_by", "out_of_range", r[:20]) for r in reached if r not in REACH_CHANNELS]
    kinds = set(session.scalars(select(UnitKind.code)))
    problems += [Problem("about_kinds", "bad_kind", k[:20]) for k in data.about_kinds if k not in kinds]
    if problems:
        raise ProblemsFound(problems)
    if group is None:
        group = RespondentGroup(code=code, position=len(all_groups(session)))
        session.add(group)
    group.name_vi, group.name_en, group.note, group.census = name_vi, name_en, note, bool(data.census)
    group.reached_by, group.about_kinds = list(dict.fromkeys(reached)), list(dict.fromkeys(data.about_kinds))
    session.flush()
    return group


def save_programme(session: Session, data: ProgrammeData, programme: Programme | None = None) -> Programme:
    """Create or change a programme from the console's form (all or nothing)."""
    problems: list[Problem] = []
    code = require_text(problems, "code", data.code, 40).lower()
    if code and not PROGRAMME_CODE.match(code):
        problems.append(Problem("code", "bad_programme_code", code))
    other = session.scalar(select(Programme).where(Programme.code == code)) if code else None
    if other is not None and other is not programme:
        problems.append(Problem("code", "code_taken", code))
    title_vi = require_text(problems, "title_vi", data.title_vi, 300)
    title_en = require_text(problems, "title_en", data.title_en, 300, required=False)
    if data.kind not in PROGRAMME_KINDS:
        problems.append(Problem("kind", "out_of_range", str(data.kind)[:20]))
    basis = require_text(problems, "basis", data.basis, 2000, required=False)
    note_vi = require_text(problems, "unofficial_note_vi", data.unofficial_note_vi, 2000, required=False)
    note_en = require_text(problems, "unofficial_note_en", data.unofficial_note_en, 2000, required=False)
    period = require_text(problems, "period", data.period, 40, required=False)
    kinds = set(session.scalars(select(UnitKind.code)))
    problems += [Problem("unit_kinds", "bad_kind", k[:20]) for k in data.unit_kinds if k not in kinds]
    groups = dict(data.groups or {})
    for group, version_id in groups.items():
        if session.get(RespondentGroup, group) is None:
            problems.append(Problem("groups", "unknown_group", group[:20]))
        elif version_id is not None:
            version = session.get(QuestionnaireVersion, version_id)
            if version is None or version.group_code != group:
                problems.append(Problem(f"version_{group}", "wrong_version", str(version_id)))
    if problems:
        raise ProblemsFound(problems)
    if programme is None:
        programme = Programme(code=code)
        session.add(programme)
    programme.code, programme.title_vi, programme.title_en, programme.kind = code, title_vi, title_en, data.kind
    programme.basis, programme.period = basis, period
    programme.unofficial_note_vi, programme.unofficial_note_en = note_vi, note_en
    session.flush()
    set_programme_parts(session, programme, kinds=list(data.unit_kinds), groups=list(groups.items()))
    return programme


def add_questionnaire(session: Session, programme: Programme, text: str, filename: str = "questionnaire.yaml"
                      ) -> QuestionnaireVersion:
    """Store a pasted or uploaded questionnaire and make it its group's questionnaire in ``programme``.

    The file's ``group`` must be a known group; the group joins the programme
    if it was not in it. Raises QuestionnaireError (every problem of the
    file) or ProblemsFound (unknown group).
    """
    from survey_app.questionnaire import parse_questionnaire_text

    parsed = parse_questionnaire_text(text.replace("\r\n", "\n"), filename)
    if session.get(RespondentGroup, parsed.group) is None:
        raise ProblemsFound([Problem("source", "unknown_group", parsed.group)])
    version = ensure_version(session, parsed)
    groups = [(link.group_code, link.version_id) for link in programme.groups]
    if parsed.group in dict(groups):
        groups = [(g, version.id if g == parsed.group else v) for g, v in groups]
    else:
        groups.append((parsed.group, version.id))
    set_programme_parts(session, programme, kinds=programme.kind_codes, groups=groups)
    return version


def add_scheme(session: Session, programme: Programme, text: str, filename: str = "scheme.yaml") -> ProgrammeScheme:
    """Check a pasted or uploaded index scheme and store it with the programme (replacing one with its code).

    Raises :class:`StructureError` with the scheme's problem (file and node named).
    """
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_SOURCE:
        raise StructureError([f"{filename}: the file is too large"])
    try:
        scheme = parse_scheme(text, filename)
    except SchemeError as exc:
        raise StructureError([str(exc)]) from None
    row = next((s for s in programme.schemes if s.code == scheme.code), None)
    if row is None:
        row = ProgrammeScheme(code=scheme.code, position=len(programme.schemes))
        programme.schemes.append(row)
    row.filename, row.source = filename[:200], text
    session.flush()
    return row


def remove_scheme(session: Session, programme: Programme, code: str) -> None:
    for row in list(programme.schemes):
        if row.code == code:
            programme.schemes.remove(row)
    session.flush()
