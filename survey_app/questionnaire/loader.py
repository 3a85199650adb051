"""Reading and validating questionnaire files (format: docs/contracts.md).

A file is checked completely before it is accepted: every problem is
collected, each naming the file and the item, so that whoever edits a
questionnaire fixes all mistakes in one pass instead of one per run.  The
same checks serve ``flask questionnaires validate`` and the loader, so a file
the command accepts is a file the app accepts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from survey_app.questionnaire.model import (
    BUILTIN_OPTIONS,
    DEFAULT_TEXT_LENGTH,
    GROUP_CODE_PATTERN,
    LANGUAGES,
    MAX_DECIMAL_PLACES,
    Condition,
    Item,
    ItemType,
    Option,
    Questionnaire,
    Section,
    Text,
)

ITEM_CODE = re.compile(r"[a-z][a-z0-9_]*\Z")
SECTION_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*\Z")
SCALE_NAME = ITEM_CODE
# Element, criterion or indicator codes such as ACC, J_HARASS, PAR3.2.
FEEDS_CODE = re.compile(r"[A-Z][A-Z0-9_.]*\Z")
# Item codes become CSV columns next to the export's own columns and form
# fields next to the web form's own fields: they must not collide with either.
RESERVED_CODES = frozenset(
    {
        "response_id", "round", "group", "unit", "desk", "channel", "submitted_on",
        "duration_seconds", "questionnaire_version", "csrf_token", "form_token", "action", "lang",
    }
)
FILE_KEYS = frozenset({"group", "title", "intro", "scales", "sections"})
SECTION_KEYS = frozenset({"code", "title", "items"})
COMMON_ITEM_KEYS = frozenset({"code", "type", "text", "help", "required", "relevant", "feeds", "profile"})
TYPE_KEYS: Mapping[ItemType, frozenset[str]] = {
    ItemType.SCALE: frozenset({"scale"}),
    ItemType.SINGLE: frozenset({"options"}),
    ItemType.MULTIPLE: frozenset({"options", "min_choices", "max_choices"}),
    ItemType.NUMBER: frozenset({"min", "max"}),
    ItemType.DECIMAL: frozenset({"min", "max", "places"}),
    ItemType.TEXT: frozenset({"max_length"}),
}
ALL_TYPE_KEYS = frozenset().union(*TYPE_KEYS.values())
OPTION_KEYS = frozenset({"code", *LANGUAGES})
CONDITION_KEYS = frozenset({"item", "equals", "in"})
MAX_CONDITION_DEPTH = 4  # all/any levels in one rule; a deeper rule is clearer as two questions
QUESTIONNAIRE_SUFFIXES = (".yaml", ".yml")
GROUP_CODE = re.compile(GROUP_CODE_PATTERN + r"\Z")
# Files of questionnaires/ that are not questionnaires: the reference lists of services/programmes.py.
REFERENCE_FILES = frozenset({"unit_kinds.yaml", "groups.yaml"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file; ``item`` is None for file-level problems.

    ``message`` is English (files are checked by whoever edits them, from the
    command line); ``vi`` is the same in Vietnamese where the file's content
    was checked, so a staff member importing a workbook reads it in their own
    language (``text``).
    """

    file: str
    item: str | None
    message: str
    vi: str = ""

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``vi`` or ``en``); English where no Vietnamese was written."""
        return self.vi if lang == "vi" and self.vi else self.message

    def __str__(self) -> str:
        if self.item is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}: item {self.item}: {self.message}"


class QuestionnaireError(ValueError):
    """A questionnaire file (or directory) was refused; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# libyaml's parser when PyYAML was built with it: ten times faster than the pure-Python one.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate keys, which PyYAML would silently overwrite.

    A second ``text:`` in an item is almost always an editing slip; keeping
    only the last one would publish a question nobody reviewed.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


@dataclass(frozen=True)
class _Checked:
    """Outcome of checking one file: the questionnaire only when there is no problem."""

    questionnaire: Questionnaire | None
    problems: list[Problem]
    group: str | None  # the declared group when valid, even if the file has other problems


    def accepted(self) -> Questionnaire:
        if self.questionnaire is None:
            raise QuestionnaireError(self.problems)
        return self.questionnaire


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load and validate one file; raise :class:`QuestionnaireError` listing every problem."""
    return _check_file(Path(path)).accepted()


def parse_questionnaire_text(source: str, filename: str) -> Questionnaire:
    """Parse a stored questionnaire text (a version kept in the database).

    ``filename`` only labels problems.  The hash is that of the UTF-8 bytes,
    so a text read from a file gives the same version as the file itself.
    """
    return _check_text(source, filename, hashlib.sha256(source.encode("utf-8")).hexdigest()).accepted()


def load_directory(path: str | Path) -> dict[str, Questionnaire]:
    """Load the questionnaires of ``path`` (one file per group, named after it), keyed by group code.

    Refuses the whole directory if any file has a problem or a group is
    doubled: a round must never start with part of its forms. Which groups a
    round needs comes from its programmes (services/programmes.py), not from here.
    """
    questionnaires, problems = _scan_directory(Path(path))
    if problems:
        raise QuestionnaireError(problems)
    return questionnaires


def validate_directory(path: str | Path) -> list[Problem]:
    """Every problem of every questionnaire file in ``path`` (empty when all is well)."""
    return _scan_directory(Path(path))[1]


def questionnaire_files(directory: Path) -> list[Path]:
    """The questionnaire files of a directory (not sub-directories such as ``schemes/``, not the reference lists)."""
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and p.suffix in QUESTIONNAIRE_SUFFIXES and p.name not in REFERENCE_FILES)


def _scan_directory(directory: Path) -> tuple[dict[str, Questionnaire], list[Problem]]:
    if not directory.is_dir():
        return {}, [Problem(str(directory), None, "not a directory")]
    questionnaires: dict[str, Questionnaire] = {}
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for path in questionnaire_files(directory):
        checked = _check_file(path)
        problems.extend(checked.problems)
        group = checked.group
        if group is None:
            continue
        if group in owners:
            problems.append(Problem(path.name, None, f"group '{group}' already has a questionnaire in {owners[group]}"))
            continue
        owners[group] = path.name
        if path.stem != group:
            problems.append(Problem(path.name, None, f"declares group '{group}': the file must be named {group}.yaml"))
        if checked.questionnaire is not None:
            questionnaires[group] = checked.questionnaire
    problems.extend(_missing_files(directory, owners))
    if not owners and not problems:
        problems.append(Problem(directory.name, None, "no questionnaire files (*.yaml)"))
    return questionnaires, problems


def _missing_files(directory: Path, owners: Mapping[str, str]) -> list[Problem]:
    """Questionnaires of this directory that a programme file (``programmes/*.yaml``) names but that are missing.

    Which groups a directory must hold is data, not code: the programmes say
    it (the seed district programme names the six files of ``questionnaires/``).
    Programme files are only read here; services/programmes.py checks them fully.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    folder = directory / "programmes"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        groups = data.get("groups") if isinstance(data, dict) else None
        for group, name in (groups.items() if isinstance(groups, dict) else ()):
            if not isinstance(name, str) or "/" in name or name in seen:
                continue
            seen.add(name)
            if group not in owners and not (directory / name).is_file():
                problems.append(Problem(directory.name, None,
                                        f"no questionnaire for group '{group}' (expected {name})"))
    return problems


def _check_file(path: Path) -> _Checked:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _Checked(None, [Problem(path.name, None, f"cannot read the file: {exc.strerror}")], None)
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8"
        return _Checked(None, [Problem(path.name, None, message)], None)
    return _check_text(source, path.name, hashlib.sha256(data).hexdigest())


# A questionnaire of 200 items with options and two languages is about 20,000 YAML events.
MAX_YAML_EVENTS = 200_000
MAX_NUMBER_DIGITS = 30  # no answer code or setting needs more; Python refuses ints over 4,300 digits


def _hostile_yaml(source: str, filename: str) -> Problem | None:
    """Refuse what makes a small text expand or crash the loader, before building anything.

    Anchors and aliases (``&a`` / ``*a``) let 500 bytes stand for billions of
    nodes ("billion laughs"); questionnaires never need them, so they are
    refused outright. The events are counted too, and a number too long for any
    code is refused rather than handed to ``int()``.
    """
    for count, event in enumerate(yaml.parse(source, Loader=_SafeLoader), start=1):
        mark = event.start_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return Problem(filename, None, f"YAML anchors and aliases (&name, *name) are not allowed{where}: "
                                           "write each text out in full")
        if count > MAX_YAML_EVENTS:
            return Problem(filename, None, f"the file is too large ({MAX_YAML_EVENTS} YAML nodes at most)")
        if (isinstance(event, yaml.ScalarEvent) and event.style is None and len(event.value) > MAX_NUMBER_DIGITS
                and event.value.lstrip("+-").replace("_", "").isdigit()):
            return Problem(filename, None, f"a number of {len(event.value)} digits{where}: "
                                           f"numbers have at most {MAX_NUMBER_DIGITS} digits")
    return None


def _check_text(source: str, filename: str, content_hash: str) -> _Checked:
    try:
        hostile = _hostile_yaml(source, filename)
        if hostile is not None:
            return _Checked(None, [hostile], None)
        data = yaml.load(source, Loader=_StrictLoader)  # a safe loader: no arbitrary objects
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit in a form we did not catch
        return _Checked(None, [Problem(filename, None, f"invalid YAML: {str(exc)[:120]}")], None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        return _Checked(None, [Problem(filename, None, f"invalid YAML{where}: {exc.problem}")], None)
    except yaml.YAMLError as exc:
        return _Checked(None, [Problem(filename, None, f"invalid YAML: {exc}")], None)
    builder = _Builder(filename)
    questionnaire = builder.questionnaire(data, source, content_hash)
    return _Checked(questionnaire, builder.problems, builder.group)


def _describe(value: object) -> str:
    """A value as the editor wrote it, with a hint for YAML's surprising booleans."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off as true/false: put the text in quotes)"
    return repr(value)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _places_of(value: int | float) -> int:
    """Digits after the decimal point of a number as YAML wrote it (``0.25`` -> 2, ``3`` -> 0)."""
    text = repr(value)
    if "e" in text or "E" in text:
        return len(f"{value:.{MAX_DECIMAL_PLACES + 1}f}".rstrip("0").partition(".")[2])
    return len(text.partition(".")[2].rstrip("0"))


class _Builder:
    """Turns the parsed YAML of one file into a Questionnaire, noting every problem.

    Each method returns None (or a partial value) where something is wrong and
    carries on, so that one run reports everything.  ``where`` is the item
    label of :class:`Problem`; section and scale problems carry their own
    prefix in the message instead.
    """

    def __init__(self, filename: str) -> None:
        self.file = filename
        self.problems: list[Problem] = []
        self.group: str | None = None
        self.scales: dict[str, tuple[Option, ...]] = {}
        self.all_codes: set[str] = set()
        self.code_sections: dict[str, str] = {}
        self.items: dict[str, Item] = {}

    def problem(self, where: str | None, message: str, vi: str) -> None:
        self.problems.append(Problem(self.file, where, message, vi))

    # -- the file ---------------------------------------------------------

    def questionnaire(self, data: object, source: str, content_hash: str) -> Questionnaire | None:
        if data is None:
            self.problem(None, "the file is empty", "tệp trống")
            return None
        if not isinstance(data, dict):
            self.problem(None, "the file must be a mapping with group, title and sections",
                         "tệp phải là một bảng khóa gồm group, title và sections")
            return None
        self.unknown_keys(data, FILE_KEYS, None)
        self.group = self.group_code(data.get("group"))
        title = self.text(data.get("title"), None, "title")
        intro = self.text(data.get("intro"), None, "intro", required=False)
        self.scales = self.named_scales(data.get("scales"))
        sections = self.sections(data.get("sections"))
        if self.problems or self.group is None or title is None or sections is None:
            return None
        return Questionnaire(self.group, title, intro, sections, content_hash, source)

    def group_code(self, value: object) -> str | None:
        if value is None:
            self.problem(None, "missing group", "thiếu group (nhóm đối tượng)")
        elif not isinstance(value, str) or not GROUP_CODE.match(value):
            self.problem(None, f"bad group code {_describe(value)}: use lowercase letters, digits and _ "
                               "(at most 20), the code of a respondent group",
                         f"mã nhóm {_describe(value)} không hợp lệ: dùng chữ thường, số và _ (tối đa 20), là mã của "
                         "một nhóm đối tượng")
        else:
            return value
        return None

    def unknown_keys(self, mapping: Mapping[Any, Any], allowed: frozenset[str], where: str | None,
                     prefix: str = "") -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(where, f"{prefix}unknown key {_describe(key)}", f"{prefix}khóa không xác định {_describe(key)}")

    # -- texts and options -----------------------------------------------

    def text(self, value: object, where: str | None, label: str, *, required: bool = True) -> Text | None:
        """A ``{vi: ..., en: ...}`` text: both languages present and non-blank."""
        if value is None:
            if required:
                self.problem(where, f"missing {label}", f"thiếu {label}")
            return None
        if not isinstance(value, dict):
            self.problem(where, f"{label} must be a mapping with vi and en texts",
                         f"{label} phải có văn bản vi (tiếng Việt) và en (tiếng Anh)")
            return None
        self.unknown_keys(value, frozenset(LANGUAGES), where, f"{label}: ")
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            raw = value.get(lang)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                self.problem(where, f"{label}: missing {lang} text", f"{label}: thiếu văn bản {lang}")
            elif not isinstance(raw, str):
                self.problem(where, f"{label}: {lang} must be text, got {_describe(raw)}",
                             f"{label}: {lang} phải là văn bản, không phải {_describe(raw)}")
            else:
                texts[lang] = raw.strip()
        return Text(texts["vi"], texts["en"]) if len(texts) == len(LANGUAGES) else None

    def options(self, raw: object, where: str | None, prefix: str, *, at_least: int) -> tuple[Option, ...] | None:
        """A list of ``{code: int, vi: ..., en: ...}`` with distinct codes."""
        if raw is None:
            self.problem(where, f"{prefix}missing options", f"{prefix}thiếu các lựa chọn (options)")
            return None
        if not isinstance(raw, list) or len(raw) < at_least:
            self.problem(where, f"{prefix}options must be a list of at least {at_least}",
                         f"{prefix}cần ít nhất {at_least} lựa chọn")
            return None
        before = len(self.problems)
        options: list[Option] = []
        for position, row in enumerate(raw, start=1):
            option = self.option(row, where, f"{prefix}option {position}")
            if option is None:
                continue
            if option.code in {seen.code for seen in options}:
                self.problem(where, f"{prefix}duplicate option code {option.code}", f"{prefix}mã lựa chọn {option.code} bị lặp")
            options.append(option)
        return tuple(options) if len(self.problems) == before else None

    def option(self, row: object, where: str | None, label: str) -> Option | None:
        if not isinstance(row, dict):
            self.problem(where, f"{label}: must be a mapping such as {{code: 1, vi: ..., en: ...}}",
                         f"{label}: phải có dạng {{code: 1, vi: ..., en: ...}}")
            return None
        self.unknown_keys(row, OPTION_KEYS, where, f"{label}: ")
        code = row.get("code")
        text = self.text({lang: row[lang] for lang in LANGUAGES if lang in row}, where, label)
        if code is None:
            self.problem(where, f"{label}: missing code", f"{label}: thiếu mã")
        elif not _is_int(code):
            self.problem(where, f"{label}: code must be an integer, got {_describe(code)}",
                         f"{label}: mã phải là số nguyên, không phải {_describe(code)}")
        elif text is not None:
            return Option(code, text)
        return None

    def named_scales(self, raw: object) -> dict[str, tuple[Option, ...]]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(None, "scales must be a mapping from scale name to options",
                         "scales phải là bảng từ tên thang đo đến các lựa chọn")
            return {}
        scales: dict[str, tuple[Option, ...]] = {}
        for name, rows in raw.items():
            if not isinstance(name, str) or not SCALE_NAME.match(name):
                self.problem(None, f"bad scale name {_describe(name)}: use lowercase letters, digits and _",
                             f"tên thang đo {_describe(name)} không hợp lệ: dùng chữ thường, số và _")
                continue
            options = self.options(rows, None, f"scale {name}: ", at_least=2)
            if options is not None:
                scales[name] = options
            else:
                scales[name] = ()  # defined, though broken: items naming it get no second message
        return scales

    # -- sections ----------------------------------------------------------

    def sections(self, raw: object) -> tuple[Section, ...] | None:
        if raw is None:
            self.problem(None, "missing sections", "thiếu sections (các phần)")
            return None
        if not isinstance(raw, list) or not raw:
            self.problem(None, "sections must be a non-empty list", "sections phải là một danh sách không rỗng")
            return None
        self.all_codes = {
            item["code"]
            for section in raw if isinstance(section, dict) and isinstance(section.get("items"), list)
            for item in section["items"] if isinstance(item, dict) and isinstance(item.get("code"), str)
        }
        sections: list[Section] = []
        seen: set[str] = set()
        for position, section_raw in enumerate(raw, start=1):
            section = self.section(section_raw, position, seen)
            if section is not None:
                sections.append(section)
        return tuple(sections) if len(sections) == len(raw) else None

    def section(self, raw: object, position: int, seen: set[str]) -> Section | None:
        if not isinstance(raw, dict):
            self.problem(None, f"section {position}: must be a mapping with code, title and items",
                         f"phần {position}: phải có code, title và items")
            return None
        code = raw.get("code")
        if not isinstance(code, str) or not SECTION_CODE.match(code):
            self.problem(None, f"section {position}: bad or missing code {_describe(code)} (use e.g. A, B1, PAR3)",
                         f"phần {position}: thiếu mã hoặc mã {_describe(code)} không hợp lệ (ví dụ A, B1, PAR3)")
            code = None
        elif code in seen:
            self.problem(None, f"section {code}: duplicate section code", f"phần {code}: mã phần bị lặp")
        label = f"section {code or position}"
        seen.add(code or "")
        self.unknown_keys(raw, SECTION_KEYS, None, f"{label}: ")
        title = self.text(raw.get("title"), None, f"{label}: title")
        items_raw = raw.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            self.problem(None, f"{label}: items must be a non-empty list", f"{label}: phần phải có ít nhất một câu hỏi")
            return None
        items = [self.item(item_raw, code or str(position), index) for index, item_raw in enumerate(items_raw, 1)]
        built = tuple(item for item in items if item is not None)
        if code is None or title is None or len(built) != len(items_raw):
            return None
        return Section(code, title, built)

    # -- items -------------------------------------------------------------

    def item(self, raw: object, section: str, position: int) -> Item | None:
        code = raw.get("code") if isinstance(raw, dict) else None
        where = code if isinstance(code, str) and code else f"{position} of section {section}"
        if not isinstance(raw, dict):
            self.problem(where, "must be a mapping with code, type and text", "phải có code, type và text")
            return None
        valid_code = self.item_code(code, where, section)
        item_type = self.item_type(raw.get("type"), where)
        allowed = COMMON_ITEM_KEYS | (TYPE_KEYS.get(item_type, frozenset()) if item_type else ALL_TYPE_KEYS)
        for key in raw:
            if key not in allowed:
                known = key in ALL_TYPE_KEYS
                self.problem(where, f"'{key}' does not apply to type '{item_type}'" if known
                             else f"unknown key {_describe(key)}",
                             f"'{key}' không dùng cho kiểu '{item_type}'" if known
                             else f"khóa không xác định {_describe(key)}")
        text = self.text(raw.get("text"), where, "text")
        help_text = self.text(raw.get("help"), where, "help", required=False)
        required = self.flag(raw, "required", where)
        profile = self.flag(raw, "profile", where)
        feeds = self.feeds(raw.get("feeds"), where, item_type)
        relevant = self.condition(raw.get("relevant"), where, code)
        spec = self.type_spec(raw, item_type, where) if item_type else None
        self.check_profile(profile, item_type, where)
        if valid_code is None or item_type is None or text is None or spec is None:
            return None
        item = Item(code=valid_code, type=item_type, text=text, help=help_text, required=required, relevant=relevant,
                    feeds=feeds, profile=profile, section_code=section, **spec)
        self.items[valid_code] = item
        return item

    def item_code(self, code: object, where: str, section: str) -> str | None:
        """The item's code when it is well-formed, free and not reserved."""
        if code is None:
            self.problem(where, "missing code", "thiếu mã câu hỏi")
        elif not isinstance(code, str) or not ITEM_CODE.match(code):
            self.problem(where, f"bad code {_describe(code)}: use lowercase letters, digits and _, "
                                "starting with a letter",
                         f"mã {_describe(code)} không hợp lệ: dùng chữ thường, số và _, bắt đầu bằng chữ")
        elif code in RESERVED_CODES:
            self.problem(where, f"the code '{code}' is reserved for the export and the web form",
                         f"mã '{code}' đã dành cho tệp xuất dữ liệu và biểu mẫu web: hãy đặt mã khác")
        elif code in self.code_sections:
            self.problem(where, f"duplicate item code (first used in section {self.code_sections[code]})",
                         f"mã câu hỏi bị lặp (đã dùng ở phần {self.code_sections[code]})")
        else:
            self.code_sections[code] = section
            return code
        return None

    def item_type(self, value: object, where: str) -> ItemType | None:
        if value is None:
            self.problem(where, "missing type", "thiếu kiểu câu hỏi (type)")
        elif isinstance(value, str) and value in ItemType.__members__.values():
            return ItemType(value)
        else:
            self.problem(where, f"unknown type {_describe(value)}", f"kiểu câu hỏi không xác định {_describe(value)}")
        return None

    def flag(self, raw: Mapping[str, object], key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.problem(where, f"{key} must be true or false, got {_describe(value)}",
                         f"{key} phải là true hoặc false, không phải {_describe(value)}")
            return False
        return value

    def feeds(self, value: object, where: str, item_type: ItemType | None) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not FEEDS_CODE.match(value):
            self.problem(where, f"bad feeds code {_describe(value)}: use capitals, digits, _ and . (e.g. ACC, PAR3.1)",
                         f"mã feeds {_describe(value)} không hợp lệ: dùng chữ in hoa, số, _ và . (ví dụ ACC, PAR3.1)")
            return None
        if item_type is ItemType.TEXT:
            self.problem(where, "a text item cannot feed an indicator", "câu hỏi văn bản không thể đóng góp vào chỉ số (feeds)")
        return value

    def check_profile(self, profile: bool, item_type: ItemType | None, where: str) -> None:
        # Weighting cells need one category a respondent: no free text, no sets of answers.
        if profile and item_type in (ItemType.TEXT, ItemType.MULTIPLE, ItemType.DECIMAL):
            self.problem(where, f"a {item_type} item cannot be a profile item",
                         f"câu hỏi kiểu {item_type} không thể là biến đặc điểm (profile)")

    # -- type-specific keys ------------------------------------------------

    def type_spec(self, raw: Mapping[str, Any], item_type: ItemType, where: str) -> dict[str, Any] | None:
        """The fields that depend on the type, resolved (scales expanded, defaults filled)."""
        if item_type in BUILTIN_OPTIONS:
            return {"options": BUILTIN_OPTIONS[item_type]}
        if item_type is ItemType.SCALE:
            return self.scale_spec(raw.get("scale"), where)
        if item_type is ItemType.SINGLE:
            options = self.options(raw.get("options"), where, "", at_least=2)
            return None if options is None else {"options": options}
        if item_type is ItemType.MULTIPLE:
            return self.multiple_spec(raw, where)
        if item_type is ItemType.NUMBER:
            return self.number_spec(raw, where)
        if item_type is ItemType.DECIMAL:
            return self.decimal_spec(raw, where)
        return self.text_spec(raw.get("max_length", DEFAULT_TEXT_LENGTH), where)

    def scale_spec(self, name: object, where: str) -> dict[str, Any] | None:
        if name is None:
            self.problem(where, "missing scale (the name of an entry of scales)", "thiếu scale (tên một thang đo trong scales)")
        elif not isinstance(name, str) or name not in self.scales:
            self.problem(where, f"scale {_describe(name)} is not defined in scales",
                         f"thang đo {_describe(name)} không có trong scales")
        elif self.scales[name]:
            return {"options": self.scales[name]}
        return None

    def multiple_spec(self, raw: Mapping[str, Any], where: str) -> dict[str, Any] | None:
        before = len(self.problems)
        options = self.options(raw.get("options"), where, "", at_least=1)
        limit = len(options) if options else None
        low = self.count(raw.get("min_choices"), "min_choices", where, limit)
        high = self.count(raw.get("max_choices"), "max_choices", where, limit)
        if low is not None and high is not None and low > high:
            self.problem(where, f"min_choices ({low}) is greater than max_choices ({high})",
                         f"số lựa chọn tối thiểu ({low}) lớn hơn số lựa chọn tối đa ({high})")
        if len(self.problems) > before:
            return None
        return {"options": options, "min_choices": low, "max_choices": high}

    def count(self, value: object, key: str, where: str, limit: int | None) -> int | None:
        """A choice count in 1..limit; None when absent or wrong (wrong is noted)."""
        if value is None:
            return None
        if not _is_int(value) or value < 1:
            self.problem(where, f"{key} must be a whole number of at least 1, got {_describe(value)}",
                         f"{key} phải là số nguyên từ 1 trở lên, không phải {_describe(value)}")
            return None
        if limit is not None and value > limit:
            self.problem(where, f"{key} ({value}) is more than the number of options ({limit})",
                         f"{key} ({value}) lớn hơn số lựa chọn ({limit})")
            return None
        return value

    def number_spec(self, raw: Mapping[str, Any], where: str) -> dict[str, Any] | None:
        bounds: dict[str, int] = {}
        for key in ("min", "max"):
            value = raw.get(key)
            if value is None:
                self.problem(where, f"a number item needs {key}", f"câu hỏi số cần {key}")
            elif not _is_int(value):
                self.problem(where, f"{key} must be an integer, got {_describe(value)}",
                             f"{key} phải là số nguyên, không phải {_describe(value)}")
            else:
                bounds[key] = value
        if len(bounds) < 2:
            return None
        if bounds["min"] > bounds["max"]:
            self.problem(where, f"min ({bounds['min']}) is greater than max ({bounds['max']})",
                         f"giá trị nhỏ nhất ({bounds['min']}) lớn hơn giá trị lớn nhất ({bounds['max']})")
            return None
        return bounds

    def decimal_spec(self, raw: Mapping[str, Any], where: str) -> dict[str, Any] | None:
        """Optional ``min``/``max`` (numbers) and ``places`` (digits after the separator, 1 to 6)."""
        before = len(self.problems)
        places = raw.get("places")
        if places is not None and (not _is_int(places) or not 1 <= places <= MAX_DECIMAL_PLACES):
            self.problem(where, f"places must be a whole number from 1 to {MAX_DECIMAL_PLACES}, got {_describe(places)}",
                         f"places (số chữ số sau dấu phẩy) phải từ 1 đến {MAX_DECIMAL_PLACES}, không phải {_describe(places)}")
        bounds: dict[str, int | float | None] = {}
        for key in ("min", "max"):
            value = raw.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or value != value or value in (float("inf"), float("-inf"))):
                self.problem(where, f"{key} must be a number such as 0.5, got {_describe(value)}",
                             f"{key} phải là một số, ví dụ 0.5, không phải {_describe(value)}")
            elif value is not None and _is_int(places) and _places_of(value) > places:
                self.problem(where, f"{key} ({value}) has more than {places} digits after the decimal point",
                             f"{key} ({value}) có quá {places} chữ số sau dấu phẩy")
            else:
                bounds[key] = value
        low, high = bounds.get("min"), bounds.get("max")
        if low is not None and high is not None and low > high:
            self.problem(where, f"min ({low}) is greater than max ({high})",
                         f"giá trị nhỏ nhất ({low}) lớn hơn giá trị lớn nhất ({high})")
        if len(self.problems) > before:
            return None
        return {"min": low, "max": high, "places": places}

    def text_spec(self, value: object, where: str) -> dict[str, Any] | None:
        if not _is_int(value) or value < 1:
            self.problem(where, f"max_length must be a whole number of at least 1, got {_describe(value)}",
                         f"max_length (độ dài tối đa) phải là số nguyên từ 1 trở lên, không phải {_describe(value)}")
            return None
        return {"max_length": value}

    # -- skip logic --------------------------------------------------------

    def condition(self, raw: object, where: str, code: object, depth: int = 0) -> Condition | None:
        """``{item: X, equals: v}``, ``{item: X, in: [v, ...]}``, or ``{all: [...]}`` / ``{any: [...]}`` of those.

        An ``all`` may hold an ``any`` and the other way round (``a and (b or
        c)``), up to MAX_CONDITION_DEPTH levels; the same join directly inside
        itself is refused, since it says nothing the outer list does not.
        """
        if raw is None:
            return None
        if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("all", "any"):
            return self.combined(raw, where, code, depth)
        if not isinstance(raw, dict):
            self.problem(where, "relevant must be a mapping such as {item: j_feedback_given, equals: 1} "
                                "(or {all: [...]} / {any: [...]} of such mappings)",
                         "relevant phải có dạng {item: j_feedback_given, equals: 1} "
                         "(hoặc {all: [...]} / {any: [...]} của các điều kiện như vậy)")
            return None
        self.unknown_keys(raw, CONDITION_KEYS, where, "relevant: ")
        values = self.condition_values(raw, where)
        target = self.condition_target(raw.get("item"), where, code)
        if values is None or target is None:
            return None
        if target in self.items:
            referred = self.items[target]
            if referred.type in (ItemType.TEXT, ItemType.DECIMAL):
                self.problem(where, f"relevant refers to {referred.type} item '{target}', which has no codes",
                             f"điều kiện hiển thị dựa vào câu hỏi '{target}' kiểu {referred.type}, không có mã trả lời")
                return None
            for value in values:
                if not referred.can_take(value):
                    self.problem(where, f"relevant: item '{target}' cannot take the value {value}",
                                 f"điều kiện hiển thị: câu hỏi '{target}' không thể có giá trị {value}")
        return Condition(target, values)

    def combined(self, raw: Mapping[str, Any], where: str, code: object, depth: int) -> Condition | None:
        join, parts_raw = next(iter(raw.items()))
        if not isinstance(parts_raw, list) or len(parts_raw) < 2:
            self.problem(where, f"relevant: {join} must be a list of at least two conditions",
                         f"điều kiện hiển thị: {join} cần ít nhất hai điều kiện")
            return None
        if depth >= MAX_CONDITION_DEPTH:
            self.problem(where, f"relevant: conditions nested more than {MAX_CONDITION_DEPTH} levels deep",
                         f"điều kiện hiển thị lồng nhau quá {MAX_CONDITION_DEPTH} cấp: hãy viết đơn giản hơn")
            return None
        parts = [self.condition(part, where, code, depth + 1) for part in parts_raw]
        if any(part is not None and not part.is_leaf and part.join == join for part in parts):
            self.problem(where, f"relevant: {join} directly inside {join}: put its conditions in the outer list",
                         f"điều kiện hiển thị: {join} nằm ngay trong {join}: hãy đưa các điều kiện vào danh sách bên ngoài")
            return None
        if any(part is None for part in parts):
            return None
        first, *rest = (part for part in parts if part is not None)
        if first.is_leaf:
            return Condition(first.item, first.values, join, tuple(rest))
        return Condition("", (), join, (first, *rest))

    def condition_values(self, raw: Mapping[str, Any], where: str) -> tuple[int, ...] | None:
        if ("equals" in raw) == ("in" in raw):
            self.problem(where, "relevant needs exactly one of equals or in",
                         "điều kiện hiển thị cần đúng một trong equals hoặc in")
            return None
        values = [raw["equals"]] if "equals" in raw else raw["in"]
        if not isinstance(values, list) or not values:
            self.problem(where, "relevant: in must be a non-empty list of codes",
                         "điều kiện hiển thị: in phải là danh sách mã không rỗng")
            return None
        bad = [value for value in values if not _is_int(value)]
        if bad:
            self.problem(where, f"relevant: values must be integer codes, got {_describe(bad[0])}",
                         f"điều kiện hiển thị: giá trị phải là mã số nguyên, không phải {_describe(bad[0])}")
            return None
        return tuple(values)

    def condition_target(self, target: object, where: str, code: object) -> str | None:
        if target is None:
            self.problem(where, "relevant: missing item", "điều kiện hiển thị: thiếu câu hỏi (item)")
        elif not isinstance(target, str) or target not in self.all_codes:
            self.problem(where, f"relevant refers to unknown item {_describe(target)}",
                         f"điều kiện hiển thị dựa vào câu hỏi không có {_describe(target)}")
        elif target == code:
            self.problem(where, "relevant refers to the item itself", "điều kiện hiển thị dựa vào chính câu hỏi này")
        elif target not in self.code_sections:
            self.problem(where, f"relevant refers to item '{target}', which comes later: "
                                "it must refer to an earlier item",
                         f"điều kiện hiển thị dựa vào câu hỏi '{target}' đứng sau: phải dựa vào một câu hỏi đứng trước")
        else:
            return target
        return None
