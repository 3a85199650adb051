"""XLSForm workbooks in and out: the survey world's spreadsheet format for questionnaires.

Import reads a workbook with pyxform's own reader (the reference
implementation of XLSForm, used by KoboToolbox and ODK), so that what counts
as a row, a header, a blank cell or a type alias is exactly what those tools
think.  pyxform's ``workbook_to_json`` then checks the form as an XLSForm (a
workbook it refuses is refused here, with its message).  Our own rules follow:
each row is mapped to our model and everything the product cannot honour
(repeats, calculations, media, GPS ...) is refused naming the sheet, row and
column, with a sentence in Vietnamese and English saying what to do.

The result of an import is the canonical YAML text of the questionnaire,
written deterministically from the rows: the questionnaire loader then checks
it like any file and its hash identifies the version.  The same workbook
always gives the same text, so importing it twice stores nothing new.

Export writes any version as a workbook that imports back to the same
questionnaire (same items, texts, options, conditions, ``feeds`` and
``profile``); see :func:`same_content`.

Mapping (also in README.md, "Questionnaires in Excel (XLSForm)"):

========================  ==============================================
XLSForm                   questionnaire model
========================  ==============================================
``select_one L``          ``single`` (``satisfaction5``, ``expectation4``,
                          ``yes_no`` when L holds exactly those options;
                          ``scale`` L when the appearance is ``likert``)
``select_multiple L``     ``multiple`` (``count-selected(.)`` constraint
                          gives min/max choices)
``integer``               ``number`` (``. >= a and . <= b`` gives the range)
``decimal``               ``decimal`` (``. >= 0.5 and . <= 99.9`` gives the
                          range, ``round(., n) = .`` the places)
``text``                  ``text`` (``string-length(.) <= n``)
``note``                  the form's introduction (first row only)
``begin/end group``       sections
``relevant``              ``${x} = 'c'``, ``selected(${x}, 'c')`` joined
                          by ``and``/``or`` (XPath precedence, brackets)
``feeds``, ``profile``    our extra columns (other tools ignore them)
========================  ==============================================
"""

from __future__ import annotations

import copy
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pyxform import aliases, constants
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import Definition, DefinitionData, SupportedFileTypes, definition_to_dict

from analysis.problems import Problem, Refused
from analysis.uploads import MB, Limits, check_file
from survey_app.questionnaire.answers import format_decimal
from survey_app.questionnaire.loader import ITEM_CODE, SECTION_CODE, QuestionnaireError, parse_questionnaire_text
from survey_app.questionnaire.loader import Problem as LoaderProblem
from survey_app.questionnaire.model import (
    BUILTIN_OPTIONS,
    DEFAULT_TEXT_LENGTH,
    Condition,
    Item,
    ItemType,
    Option,
    Questionnaire,
    Text,
)

# Limits checked before any parsing, by the bounds every upload shares (analysis.uploads): a zip
# bomb, a sheet declaring a million rows or a million cells is refused without being expanded.
# No real questionnaire comes near them. A whole-sheet dimension (A1:AMJ1048576) is believed only
# for a sheet with content to match: spreadsheet programs declare it for formatting alone, and
# pyxform stops reading at a run of blank rows.
LIMITS = Limits(max_bytes=2 * MB, max_uncompressed=8 * MB, max_member=8 * MB, max_shared_strings=4 * MB,
                max_rows=2500, max_columns=200, max_cells=200_000, max_seconds=20.0,
                trust_dimension_above=512 * 1024)
MAX_UPLOAD_BYTES = LIMITS.max_bytes
MAX_COLUMNS = LIMITS.max_columns

# What a damaged archive or sheet raises inside openpyxl, pyxform or xlrd (a corrupted upload
# must be a message, never a server error).
DAMAGED = (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, EOFError, KeyError, ValueError, OSError,
           IndexError, TypeError, AttributeError, NotImplementedError)

VI_COLUMN = "Tiếng Việt (vi)"
EN_COLUMN = "English (en)"
SUFFIXES = (".xlsx", ".xls", ".csv")

# Types pyxform knows that carry no question: device and time metadata. We record
# the submission time ourselves and never the device, so they are left out.
METADATA_TYPES = frozenset({
    "start", "end", "today", "deviceid", "phonenumber", "username", "email", "simserial",
    "subscriberid", "audit", "imei", "uri:deviceid", "uri:email", "uri:phonenumber",
    "uri:simserial", "uri:subscriberid", "uri:username",
})
# What to do instead, for the XLSForm features staff are most likely to meet.
UNSUPPORTED_TYPES: Mapping[str, tuple[str, str]] = {
    "repeat": ("nhóm lặp (repeat) chưa được hỗ trợ: hãy viết từng câu hỏi riêng",
               "repeats are not supported: write each question out"),
    "calculate": ("phép tính (calculate) chưa được hỗ trợ: hãy bỏ dòng này, phần phân tích sẽ tính",
                  "calculations are not supported: remove the row, the analysis computes results"),
    "geopoint": ("vị trí GPS không được thu thập (phiếu ẩn danh): hãy bỏ dòng này",
                 "GPS locations are not collected (the survey is anonymous): remove the row"),
    "range": ("kiểu range chưa được hỗ trợ: hãy dùng integer với ràng buộc . >= a and . <= b",
              "range is not supported: use integer with the constraint . >= a and . <= b"),
    "rank": ("xếp hạng (rank) chưa được hỗ trợ: hãy dùng select_multiple",
             "rank is not supported: use select_multiple"),
    "date": ("ngày tháng chưa được hỗ trợ: hãy hỏi bằng select_one hoặc integer (ví dụ năm)",
             "dates are not supported: ask with select_one or integer (e.g. a year)"),
}
MEDIA_TYPES = frozenset({"image", "photo", "audio", "video", "file", "background-audio",
                         "background-video", "barcode", "signature", "drawing", "annotate"})
GPS_TYPES = frozenset({"geopoint", "geotrace", "geoshape", "start-geopoint"})
DATE_TYPES = frozenset({"date", "time", "datetime"})
# Survey columns that change what the form does; a value in one of them is refused.
REFUSED_COLUMNS: Mapping[str, tuple[str, str]] = {
    "calculation": ("phép tính chưa được hỗ trợ", "calculations are not supported"),
    "default": ("câu trả lời mặc định chưa được hỗ trợ: hãy để trống", "default answers are not supported: leave empty"),
    "choice_filter": ("lọc lựa chọn (choice_filter) chưa được hỗ trợ: hãy tách thành các câu hỏi riêng",
                      "choice filters are not supported: split into separate questions"),
    "repeat_count": ("nhóm lặp chưa được hỗ trợ", "repeats are not supported"),
    "parameters": ("tham số (parameters) chưa được hỗ trợ: hãy để trống", "parameters are not supported: leave empty"),
    "trigger": ("trigger chưa được hỗ trợ: hãy để trống", "triggers are not supported: leave empty"),
    "read_only": ("câu hỏi chỉ đọc chưa được hỗ trợ: hãy để trống", "read-only questions are not supported: leave empty"),
    "image": ("hình ảnh, âm thanh, video trong câu hỏi chưa được hỗ trợ: hãy xóa cột này",
              "media in questions are not supported: delete this column"),
}
for _media in ("audio", "video", "big-image"):
    REFUSED_COLUMNS = {**REFUSED_COLUMNS, _media: REFUSED_COLUMNS["image"]}
# Columns read, or harmless and ignored (messages shown by our own form, display hints).
KNOWN_COLUMNS = frozenset({"type", "name", "label", "hint", "required", "relevant", "constraint",
                           "appearance", "feeds", "profile", "constraint_message", "required_message",
                           "guidance_hint", "media::image", "caption"})
SURVEY_SHEETS = frozenset({"survey", "choices", "settings"})
REFUSED_SHEETS: Mapping[str, tuple[str, str]] = {
    "external_choices": ("danh sách lựa chọn bên ngoài (external_choices) chưa được hỗ trợ: hãy chuyển vào trang choices",
                         "external choices are not supported: move the lists to the choices sheet"),
    "entities": ("entities chưa được hỗ trợ: hãy xóa trang này", "entities are not supported: delete this sheet"),
    "osm": ("bản đồ OSM chưa được hỗ trợ: hãy xóa trang này", "OSM questions are not supported: delete this sheet"),
}


class WorkbookError(ValueError):
    """A workbook was refused; ``problems`` lists every reason (nothing was stored).

    Each is the one problem type of every upload (:class:`analysis.problems.Problem`):
    sheet, row, column and a sentence in Vietnamese and English saying what to do.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Converted:
    """A workbook turned into questionnaire source text, with the notes worth reading."""

    source: str
    questionnaire: Questionnaire
    warnings: tuple[Problem, ...] = ()


# -- bounds ------------------------------------------------------------------

def check_bounds(data: bytes, filename: str, limits: Limits = LIMITS) -> None:
    """Refuse, before parsing, a file whose size, expanded size, declared sheet size or cells have no place
    in a questionnaire (:func:`analysis.uploads.check_file`: a compressed bomb is never expanded)."""
    try:
        check_file(data, filename, limits)
    except Refused as exc:
        raise WorkbookError(exc.problems) from None


# -- reading ---------------------------------------------------------------


def read_workbook(data: bytes, filename: str, group: str) -> Converted:
    """Turn an XLSForm workbook into a questionnaire of ``group``; :class:`WorkbookError` on any problem."""
    try:
        check_bounds(data, filename)
    except WorkbookError:
        raise
    except DAMAGED:
        raise WorkbookError([Problem.at("file", None, None, "tệp bị hỏng: hãy lưu lại bằng Excel",
                                          "the file is damaged: save it again from Excel")]) from None
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ".xlsx"
    if suffix not in SUFFIXES + (".xlsm",):
        raise WorkbookError([Problem.at("file", None, None, "hãy tải lên tệp .xlsx, .xls hoặc .csv",
                                          "upload an .xlsx, .xls or .csv file")])
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (extensions, data validation): irrelevant here.
        warnings.simplefilter("ignore", UserWarning)
        try:
            return _read(data, filename, group, suffix)
        except WorkbookError:
            raise
        except DAMAGED as exc:
            raise WorkbookError([Problem.at("file", None, None,
                                              f"tệp bị hỏng hoặc không phải tệp Excel ({type(exc).__name__}): hãy lưu lại "
                                              "bằng Excel", f"the file is damaged or not a workbook "
                                              f"({type(exc).__name__}): save it again from Excel")]) from None


def _read(data: bytes, filename: str, group: str, suffix: str) -> Converted:
    try:
        definition = Definition(io.BytesIO(data), SupportedFileTypes(suffix), filename.rsplit(".", 1)[0] or "form")
        book = definition_to_dict(definition, file_type=suffix)
        workbook_to_json(copy.deepcopy(book), form_name="data", warnings=[])
    except PyXFormError as exc:
        raise WorkbookError([_pyxform_problem(str(exc))]) from None
    letters = _column_letters(data) if suffix in (".xlsx", ".xlsm") else {}
    return _Reader(book, group, letters).convert()


_ROW_IN_MESSAGE = re.compile(r"\[row\s*:\s*(\d+)\]|row (?:number )?(\d+)", re.IGNORECASE)


def _pyxform_problem(message: str) -> Problem:
    match = _ROW_IN_MESSAGE.search(message)
    row = int(match.group(1) or match.group(2)) if match else None
    sheet = "choices" if "choices" in message.lower() and "survey" not in message.lower() else "survey"
    return Problem.at(sheet, row, None, f"pyxform (trình đọc chuẩn của XLSForm) không chấp nhận tệp: {message}",
                        f"pyxform (the reference XLSForm reader) refuses the workbook: {message}")


def _column_letters(data: bytes) -> dict[str, dict[str, str]]:
    """Header -> column letter for each sheet, so problems point at the cell."""
    letters: dict[str, dict[str, str]] = {}
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            headers: dict[str, str] = {}
            for row in sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True):
                for position, value in enumerate(row, start=1):
                    if isinstance(value, str) and value.strip():
                        headers[_header(re.sub(r"( )+", " ", value.strip()))] = get_column_letter(position)
            letters[sheet.title.lower()] = headers
    finally:
        book.close()
    return letters


_LANG_CODE = re.compile(r"\((\w+)\)\s*\Z")
_LANG_NAMES = {"vi": "vi", "vn": "vi", "vietnamese": "vi", "tiếng việt": "vi", "tieng viet": "vi",
               "en": "en", "english": "en", "tiếng anh": "en"}


def column_language(header: str, base: str, default: str) -> str | None:
    """``vi``/``en`` for a ``label``-like column (``label::Tiếng Việt (vi)``), ``''`` for another language.

    None when the column is not a ``base`` column at all; ``default`` for the
    plain column (Vietnamese unless the settings say English).
    """
    # ``label::English (en)``; older forms write a single colon (``label:english``), which pyxform still reads.
    name, _sep, lang = header.partition("::") if "::" in header else header.partition(":")
    if name.strip().lower() != base:
        return None
    if not _sep:
        return default
    lang = lang.strip()
    code = _LANG_CODE.search(lang)
    key = code.group(1).lower() if code else lang.lower()
    return _LANG_NAMES.get(key, "")


@dataclass
class _List:
    name: str
    row: int
    options: list[Option] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)  # choice name -> code
    renumbered: bool = False


class _Reader:
    """Walks the rows of one workbook, building the YAML data and noting every problem."""

    def __init__(self, book: DefinitionData, group: str, letters: Mapping[str, Mapping[str, str]]) -> None:
        # Headers are case-insensitive in XLSForm (``TYPE``, ``Label::English (en)``): the part before
        # the language is lowered, the language kept as written.
        book = copy.copy(book)
        for sheet in ("survey", "choices", "settings"):
            rows = getattr(book, sheet)
            if rows:
                setattr(book, sheet, [{_header(k): v for k, v in row.items()} for row in rows])
            header = getattr(book, f"{sheet}_header")
            if header:
                setattr(book, f"{sheet}_header", [{_header(k): v for k, v in row.items()} for row in header])
        self.book = book
        self.group = group
        self.letters = letters
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.settings = {str(k).strip().lower(): str(v) for k, v in ((book.settings or [{}])[0]).items()}
        default = self.settings.get("default_language", "")
        lang = column_language(f"label::{default}", "label", "vi") if default else "vi"
        self.default_lang: str = lang if lang is not None and lang in ("vi", "en") else "vi"
        self.rows: dict[str, int] = {}  # item or section code -> survey row, to place loader problems
        self.kinds: dict[str, ItemType] = {}
        self.item_lists: dict[str, _List] = {}
        self.scales: dict[str, list[dict[str, Any]]] = {}

    def problem(self, sheet: str, row: int | None, column: str | None, vi: str, en: str) -> None:
        self.problems.append(Problem.at(sheet, row, self.letter(sheet, column), vi, en))

    def warn(self, sheet: str, row: int | None, column: str | None, vi: str, en: str) -> None:
        self.warnings.append(Problem.at(sheet, row, self.letter(sheet, column), vi, en))

    def letter(self, sheet: str, column: str | None) -> str | None:
        if column is None:
            return None
        letter = self.letters.get(sheet, {}).get(column)
        return f"{letter} ({column})" if letter else column

    # -- whole workbook ---------------------------------------------------

    def convert(self) -> Converted:
        for name in self.book.sheet_names or ():
            if name.lower() == "external_choices":
                # Harmless unless a question reads it (select_one_external), which is refused on its row.
                self.warn(name, None, None, "trang external_choices không được dùng", "the external_choices sheet is "
                          "not used")
            elif name.lower() in REFUSED_SHEETS:
                vi, en = REFUSED_SHEETS[name.lower()]
                self.problem(name, 2, None, vi, en)
        self.lists = self.choice_lists()
        data = self.survey()
        if self.problems:
            raise WorkbookError(sorted(self.problems, key=_reading_order))
        source = dump_source(data)
        try:
            questionnaire = parse_questionnaire_text(source, f"{self.group}.yaml")
        except QuestionnaireError as exc:
            raise WorkbookError([self.from_loader(p) for p in exc.problems]) from None
        return Converted(source, questionnaire, tuple(self.warnings))

    def from_loader(self, problem: LoaderProblem) -> Problem:
        row = self.rows.get(problem.item or "")
        return Problem.at("survey" if row else "settings", row, None, problem.text("vi"), problem.message)

    # -- choices ----------------------------------------------------------

    def choice_lists(self) -> dict[str, _List]:
        lists: dict[str, _List] = {}
        headers = list((self.book.choices_header or [{}])[0])
        for header in headers:
            base = header.partition("::")[0].strip().lower()
            if base in ("image", "audio", "video", "big-image", "media::image"):
                rows = [i for i, row in enumerate(self.book.choices or (), start=2) if row.get(header)]
                if rows:
                    self.problem("choices", rows[0], header, "hình ảnh, âm thanh trong lựa chọn chưa được hỗ trợ: hãy xóa cột",
                                 "media in choices are not supported: delete the column")
        for index, row in enumerate(self.book.choices or (), start=2):
            if not row:
                continue
            list_name = (row.get("list_name") or row.get("list name") or "").strip()
            name = (row.get("name") or row.get("value") or "").strip()
            if not list_name or not name:
                self.problem("choices", index, "list_name" if not list_name else "name",
                             "thiếu list_name hoặc name", "missing list_name or name")
                continue
            texts = self.texts(row, "label", "choices", index, required=True)
            current = lists.setdefault(list_name, _List(list_name, index))
            if name in current.codes:
                self.problem("choices", index, "name", f"lựa chọn '{name}' bị lặp trong danh sách {list_name}",
                             f"choice '{name}' appears twice in list {list_name}")
                continue
            current.codes[name] = len(current.codes) + 1  # provisional; see below
            current.options.append(Option(0, Text(texts.get("vi", ""), texts.get("en", ""))))
        for current in lists.values():
            names = list(current.codes)
            if all(re.fullmatch(r"-?\d{1,9}", n) for n in names):
                current.codes = {n: int(n) for n in names}
            else:
                current.renumbered = True
                self.warn("choices", current.row, "name",
                          f"danh sách {current.name}: tên lựa chọn không phải là số; đã đánh mã 1, 2, 3... theo thứ tự",
                          f"list {current.name}: choice names are not numbers; codes 1, 2, 3... given in order")
            current.options = [Option(code, option.label) for code, option in zip(current.codes.values(),
                                                                                   current.options, strict=True)]
        return lists

    def texts(self, row: Mapping[str, str], base: str, sheet: str, index: int, *, required: bool) -> dict[str, str]:
        """The ``vi``/``en`` texts of a label or hint; a missing language is copied from the other with a warning."""
        texts: dict[str, str] = {}
        for header, value in row.items():
            lang = column_language(header, base, self.default_lang)
            if lang and value.strip():
                texts.setdefault(lang, value.strip())
        if not texts:
            if required:
                self.problem(sheet, index, base, f"thiếu {base} (nhãn tiếng Việt)", f"missing {base} (Vietnamese label)")
            return {}
        for lang, other in (("vi", "en"), ("en", "vi")):
            if lang not in texts:
                texts[lang] = texts[other]
                self.warn(sheet, index, base, f"không có {base} bằng {'tiếng Việt' if lang == 'vi' else 'tiếng Anh'}: "
                          "đã dùng văn bản của ngôn ngữ kia", f"no {'Vietnamese' if lang == 'vi' else 'English'} "
                          f"{base}: the other language's text is used")
        return texts

    # -- survey -------------------------------------------------------------

    def survey(self) -> dict[str, Any]:
        title_vi = self.settings.get("form_title", "").strip()
        title_en = next((v.strip() for k, v in self.settings.items()
                         if column_language(k, "form_title", "vi") == "en" and "::" in k), "")
        if not title_vi:
            title_vi = title_en or self.book.fallback_form_name or self.group
            self.warn("settings", None, "form_title", "không có form_title: đã dùng tên tệp",
                      "no form_title: the file name is used")
        title = {"vi": title_vi, "en": title_en or title_vi}
        self.check_columns()
        sections: list[dict[str, Any]] = []
        section: dict[str, Any] | None = None
        intro: dict[str, str] | None = None
        seen_question = False
        for index, row in enumerate(self.book.survey or (), start=2):
            if not row:
                continue
            kind = re.sub(r"\s+", " ", (row.get("type") or "").strip())
            lowered = kind.lower()
            if lowered in ("begin group", "begin_group"):
                if section is not None and section.get("open") is True:
                    self.problem("survey", index, "type", "nhóm lồng trong nhóm chưa được hỗ trợ: hãy kết thúc nhóm trước "
                                 "(end group)", "groups inside groups are not supported: end the outer group first")
                    continue
                section = self.begin_section(row, index, {s["code"] for s in sections})
                if section is not None:
                    sections.append(section)
                continue
            if lowered in ("end group", "end_group"):
                if section is not None:
                    section.pop("open", None)
                section = None
                continue
            if lowered in METADATA_TYPES:
                self.warn("survey", index, "type", f"dòng '{kind}' (thông tin thiết bị) được bỏ qua",
                          f"the '{kind}' row (device metadata) is left out")
                continue
            if lowered == "note":
                if seen_question:
                    self.problem("survey", index, "type",
                                 "ghi chú (note) chỉ được dùng trước câu hỏi đầu tiên, làm lời giới thiệu: hãy đưa nội dung "
                                 "vào gợi ý (hint) của câu hỏi sau", "a note is only accepted before the first question "
                                 "(as the introduction): put its text in the hint of the next question")
                    continue
                # Notes before the first question make the introduction, one paragraph each.
                texts = self.texts(row, "label", "survey", index, required=True)
                if texts:
                    intro = texts if intro is None else {lang: f"{intro[lang]}\n\n{texts[lang]}" for lang in texts}
                continue
            item = self.item(row, index, kind)
            seen_question = True
            if item is None:
                continue
            if section is None or not section.get("open"):
                section = self.implicit_section(sections, index, title)
            section["items"].append(item)
        clean = not self.problems  # an empty or unclosed group is often the echo of a refused row inside it
        for current in sections:
            if current.pop("open", None) is True and clean:
                self.problem("survey", self.rows.get(current["code"]), "type",
                             f"nhóm {current['code']} không có dòng end group", f"group {current['code']} has no end group")
            if not current["items"] and clean:
                self.problem("survey", self.rows.get(current["code"]), "type",
                             f"nhóm {current['code']} không có câu hỏi nào", f"group {current['code']} has no questions")
        data: dict[str, Any] = {"group": self.group, "title": title}
        if intro:
            data["intro"] = {"vi": intro["vi"], "en": intro["en"]}
        if self.scales:
            data["scales"] = self.scales
        data["sections"] = sections
        return data

    def check_columns(self) -> None:
        for header in (self.book.survey_header or [{}])[0]:
            base = header.partition("::")[0].strip().lower()
            values = [(i, row[header]) for i, row in enumerate(self.book.survey or (), start=2) if row.get(header)]
            if base in REFUSED_COLUMNS and values:
                if base == "read_only" and all(v.strip().lower() in ("no", "false", "false()") for _i, v in values):
                    continue
                vi, en = REFUSED_COLUMNS[base]
                self.problem("survey", values[0][0], header, vi, en)
            elif base not in KNOWN_COLUMNS and values and not base.startswith(("bind::", "body::", "instance::")):
                self.warn("survey", None, header, f"cột {header} không dùng đến, được bỏ qua",
                          f"column {header} is not used and is left out")
            elif base.startswith(("bind::", "body::", "instance::")) and values:
                self.problem("survey", values[0][0], header, "cột bind::/body::/instance:: chưa được hỗ trợ: hãy xóa cột",
                             "bind::/body::/instance:: columns are not supported: delete the column")

    def begin_section(self, row: Mapping[str, str], index: int, taken: set[str]) -> dict[str, Any] | None:
        code = (row.get("name") or "").strip()
        if not SECTION_CODE.match(code) or code in taken:
            self.problem("survey", index, "name", f"tên nhóm '{code}' không hợp lệ hoặc bị lặp: dùng chữ, số và _ (ví dụ A, B1)",
                         f"group name '{code}' is missing, invalid or repeated: use letters, digits and _ (e.g. A, B1)")
            return None
        if (row.get("relevant") or "").strip():
            self.problem("survey", index, "relevant", "điều kiện hiển thị của cả nhóm chưa được hỗ trợ: hãy đặt điều kiện "
                         "cho từng câu hỏi", "a condition on a whole group is not supported: put it on each question")
        texts = self.texts(row, "label", "survey", index, required=False) or {"vi": code, "en": code}
        self.rows[code] = index
        return {"code": code, "title": {"vi": texts["vi"], "en": texts["en"]}, "items": [], "open": True}

    def implicit_section(self, sections: list[dict[str, Any]], index: int, title: Mapping[str, str]) -> dict[str, Any]:
        taken = {s["code"] for s in sections}
        number = len(sections) + 1
        while f"S{number}" in taken:
            number += 1
        self.warn("survey", index, "type", f"câu hỏi ngoài nhóm: đã đặt vào phần S{number}",
                  f"questions outside a group: put in section S{number}")
        section = {"code": f"S{number}", "title": dict(title), "items": [], "open": "implicit"}
        sections.append(section)
        return section

    # -- one question -------------------------------------------------------

    def item(self, row: Mapping[str, str], index: int, kind: str) -> dict[str, Any] | None:
        code = (row.get("name") or "").strip()
        if not ITEM_CODE.match(code):
            self.problem("survey", index, "name", f"tên câu hỏi '{code}' không hợp lệ: dùng chữ thường, số và _, bắt đầu "
                         "bằng chữ", f"question name '{code}' is not valid: use lowercase letters, digits and _, "
                         "starting with a letter")
            return None
        self.rows[code] = index
        lowered = kind.lower()
        words = lowered.split(" ")
        if words[-1] == "or_other" or lowered.endswith(" or specify other"):
            self.refuse(index, "lựa chọn 'khác' (or_other) chưa được hỗ trợ: hãy thêm một lựa chọn 'Khác' và "
                        "một câu hỏi text", "or_other is not supported: add an 'Other' choice and a text question")
            return None
        if lowered.endswith(" or specify other"):
            words = words[:-3]
        if len(words) > 1 and " ".join(words[:-1]) in aliases.select:
            prefix = " ".join(words[:-1])
            base = aliases.select[prefix]
            if prefix in aliases.select_from_file or base == constants.SELECT_ONE_EXTERNAL:
                self.refuse(index, "danh sách lựa chọn từ tệp ngoài chưa được hỗ trợ: hãy đưa vào trang choices",
                            "choices from an external file are not supported: put them in the choices sheet")
                return None
            if base == constants.RANK:
                vi, en = UNSUPPORTED_TYPES["rank"]
                self.refuse(index, vi, en)
                return None
            list_name = kind.rsplit(" ", 1)[1]
            return self.select(row, index, code, list_name, multiple=base != constants.SELECT_ONE)
        if lowered in ("integer", "int"):
            return self.number(row, index, code)
        if lowered == "decimal":
            return self.decimal(row, index, code)
        if lowered in ("text", "string"):
            return self.text(row, index, code)
        self.refuse_type(index, lowered)
        return None

    def refuse(self, index: int, vi: str, en: str) -> None:
        self.problem("survey", index, "type", vi, en)

    def refuse_type(self, index: int, lowered: str) -> None:
        key = ("geopoint" if lowered in GPS_TYPES else "date" if lowered in DATE_TYPES else
               "repeat" if lowered in ("begin repeat", "begin_repeat", "end repeat", "end_repeat") else lowered)
        if key in UNSUPPORTED_TYPES:
            vi, en = UNSUPPORTED_TYPES[key]
        elif lowered in MEDIA_TYPES:
            vi, en = ("ảnh, âm thanh, tệp, mã vạch, chữ ký chưa được hỗ trợ: hãy bỏ dòng này",
                      "photos, sound, files, barcodes and signatures are not supported: remove the row")
        else:
            vi, en = (f"kiểu '{lowered}' chưa được hỗ trợ: dùng select_one, select_multiple, integer, decimal, text, "
                      "note hoặc begin/end group", f"type '{lowered}' is not supported: use select_one, select_multiple, "
                      "integer, decimal, text, note or begin/end group")
        self.refuse(index, vi, en)

    def finish(self, item: dict[str, Any], row: Mapping[str, str], index: int, item_type: ItemType) -> dict[str, Any]:
        """The keys every type shares, in the canonical order (type-specific keys already in ``item``)."""
        required = (row.get("required") or "").strip()
        if required:
            flag = aliases.yes_no.get(required)
            if flag is None:
                self.problem("survey", index, "required", "required chỉ nhận yes hoặc no (không nhận biểu thức)",
                             "required takes yes or no (not an expression)")
            elif flag:
                item["required"] = True
        relevant = (row.get("relevant") or "").strip()
        if relevant:
            condition = self.condition(relevant, index)
            if condition is not None:
                item["relevant"] = condition
        feeds = (row.get("feeds") or "").strip()
        if feeds:
            item["feeds"] = feeds
        profile = (row.get("profile") or "").strip()
        if profile:
            flag = aliases.yes_no.get(profile)
            if flag is None:
                self.problem("survey", index, "profile", "profile chỉ nhận yes hoặc no", "profile takes yes or no")
            elif flag:
                item["profile"] = True
        texts = self.texts(row, "label", "survey", index, required=True)
        if texts:
            item["text"] = {"vi": texts["vi"], "en": texts["en"]}
        hint = self.texts(row, "hint", "survey", index, required=False)
        if hint:
            item["help"] = {"vi": hint["vi"], "en": hint["en"]}
        appearance = (row.get("appearance") or "").strip().lower()
        if "search(" in appearance:
            self.problem("survey", index, "appearance", "search() lấy lựa chọn từ tệp ngoài, chưa được hỗ trợ",
                         "search() reads choices from an external file, which is not supported")
        self.kinds[item["code"]] = item_type
        return item

    def select(self, row: Mapping[str, str], index: int, code: str, list_name: str, *, multiple: bool) -> dict[str, Any] | None:
        choices = self.lists.get(list_name)
        if choices is None:
            self.refuse(index, f"danh sách lựa chọn '{list_name}' không có trong trang choices",
                        f"list '{list_name}' is not in the choices sheet")
            return None
        self.item_lists[code] = choices
        options = tuple(choices.options)
        item: dict[str, Any] = {"code": code}
        constraint = (row.get("constraint") or "").strip()
        if multiple:
            item["type"] = "multiple"
            item["options"] = _option_rows(options)
            bounds = self.bounds(constraint, index, "count-selected(.)")
            if bounds is not None:
                if bounds[0] is not None:
                    item["min_choices"] = bounds[0]
                if bounds[1] is not None:
                    item["max_choices"] = bounds[1]
            return self.finish(item, row, index, ItemType.MULTIPLE)
        if constraint:
            self.problem("survey", index, "constraint", "câu hỏi chọn một không dùng constraint: hãy để trống",
                         "a select_one question takes no constraint: leave it empty")
        builtin = next((t for t, opts in BUILTIN_OPTIONS.items() if opts == options), None)
        if builtin is not None:
            item["type"] = builtin.value
            return self.finish(item, row, index, builtin)
        if "likert" in (row.get("appearance") or "").lower():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", list_name):
                self.problem("choices", choices.row, "list_name", "tên thang đo: dùng chữ thường, số và _",
                             "scale names: use lowercase letters, digits and _")
                return None
            item["type"] = "scale"
            item["scale"] = list_name
            self.scales.setdefault(list_name, _option_rows(options))
            return self.finish(item, row, index, ItemType.SCALE)
        item["type"] = "single"
        item["options"] = _option_rows(options)
        return self.finish(item, row, index, ItemType.SINGLE)

    def number(self, row: Mapping[str, str], index: int, code: str) -> dict[str, Any] | None:
        item: dict[str, Any] = {"code": code, "type": "number"}
        bounds = self.bounds((row.get("constraint") or "").strip(), index, ".")
        low, high = bounds if bounds is not None else (None, None)
        if low is None or high is None:
            self.warn("survey", index, "constraint", "không có khoảng giá trị (. >= a and . <= b): đã dùng 0 đến 1000000",
                      "no range (. >= a and . <= b): 0 to 1000000 is used")
        item["min"] = 0 if low is None else low
        item["max"] = 1_000_000 if high is None else high
        return self.finish(item, row, index, ItemType.NUMBER)

    _DECIMAL_BOUND = re.compile(r"\.\s*(?P<op><=|>=|<|>)\s*(?P<value>-?\d{1,12}(?:\.\d{1,6})?)\Z")
    _PLACES = re.compile(r"round\(\s*\.\s*,\s*(?P<places>\d)\s*\)\s*=\s*\.|\.\s*=\s*round\(\s*\.\s*,\s*(?P<p2>\d)\s*\)")

    def decimal(self, row: Mapping[str, str], index: int, code: str) -> dict[str, Any] | None:
        """``decimal``: ``. >= 0.5 and . <= 99.9`` (either bound may be left out), ``round(., 1) = .`` for the places.

        Strict bounds (``<``, ``>``) have no exact decimal equivalent and are refused.
        """
        item: dict[str, Any] = {"code": code, "type": "decimal"}
        constraint = (row.get("constraint") or "").strip()
        found: dict[str, int | float] = {}
        for part in re.split(r"\s+and\s+", constraint) if constraint else ():
            text = _unwrap(part)
            bound, places = self._DECIMAL_BOUND.fullmatch(text), self._PLACES.fullmatch(text)
            if bound is not None and bound["op"] in ("<=", ">="):
                value = bound["value"]
                found["min" if bound["op"] == ">=" else "max"] = float(value) if "." in value else int(value)
            elif places is not None:
                found["places"] = int(places["places"] or places["p2"])
            else:
                self.problem("survey", index, "constraint",
                             "số thập phân chỉ nhận ràng buộc khoảng giá trị và số chữ số lẻ, ví dụ "
                             ". >= 0.5 and . <= 99.9 and round(., 1) = .",
                             "a decimal question takes only a range and its decimal places, e.g. "
                             ". >= 0.5 and . <= 99.9 and round(., 1) = .")
                return None
        for key in ("min", "max", "places"):
            if key in found:
                item[key] = found[key]
        return self.finish(item, row, index, ItemType.DECIMAL)

    def text(self, row: Mapping[str, str], index: int, code: str) -> dict[str, Any] | None:
        item: dict[str, Any] = {"code": code, "type": "text"}
        bounds = self.bounds((row.get("constraint") or "").strip(), index, "string-length(.)")
        if bounds is not None and bounds[1] is not None and bounds[1] != DEFAULT_TEXT_LENGTH:
            item["max_length"] = bounds[1]
        return self.finish(item, row, index, ItemType.TEXT)

    _BOUND = re.compile(r"(?P<what>\.|string-length\(\s*\.\s*\)|count-selected\(\s*\.\s*\))\s*"
                        r"(?P<op><=|>=|<|>|=)\s*(?P<value>-?\d{1,9})\Z")

    def bounds(self, constraint: str, index: int, subject: str) -> tuple[int | None, int | None] | None:
        """``(min, max)`` of a constraint like ``. >= 1 and . <= 20``; None (noted) for anything else."""
        if not constraint:
            return None
        low: int | None = None
        high: int | None = None
        for part in re.split(r"\s+and\s+", constraint.strip()):
            match = self._BOUND.fullmatch(_unwrap(part)) if part.strip() else None
            if match is None or re.sub(r"\s", "", match["what"]) != subject:
                example = {".": ". >= 1 and . <= 20", "string-length(.)": "string-length(.) <= 200",
                           "count-selected(.)": "count-selected(.) <= 3"}[subject]
                self.problem("survey", index, "constraint", f"chỉ hỗ trợ ràng buộc khoảng giá trị, ví dụ {example}",
                             f"only range constraints are supported, e.g. {example}")
                return None
            value, op = int(match["value"]), match["op"]
            if op in (">=", ">", "="):
                low = value + (1 if op == ">" else 0)
            if op in ("<=", "<", "="):
                high = value - (1 if op == "<" else 0)
        return low, high

    # -- skip logic -----------------------------------------------------------

    def condition(self, expression: str, index: int) -> dict[str, Any] | None:
        """XLSForm ``relevant`` -> our rule.

        Atoms are ``${x} = 'c'`` and ``selected(${x}, 'c')``, combined with
        ``and`` and ``or`` under XPath's precedence (``and`` binds tighter)
        and brackets, to any depth the loader accepts.  The rule is written in
        one canonical form, so the same expression always gives the same text:
        a bracket joined by the operator around it is merged into it, and
        within an ``or`` the atoms on one question become one list of codes.
        """
        try:
            tree = parse_relevant(expression)
        except RelevantSyntaxError as error:
            self.bad_condition(index, expression, error.unbalanced)
            return None
        return self.rule(_canonical(tree), index)

    def rule(self, node: RelevantNode, index: int) -> dict[str, Any] | None:
        if isinstance(node, RelevantAtom):
            return self.atom_condition(node.target, node.values, index)
        parts = [self.rule(part, index) for part in node.parts]
        if any(part is None for part in parts):
            return None
        return {node.join: parts}

    def atom_condition(self, target: str, values: Sequence[str], index: int) -> dict[str, Any] | None:
        if target not in self.kinds:
            self.problem("survey", index, "relevant", f"điều kiện nhắc đến '{target}', không phải một câu hỏi đứng trước",
                         f"the condition refers to '{target}', which is not an earlier question")
            return None
        codes: list[int] = []
        choices = self.item_lists.get(target)
        for value in values:
            if choices is not None and value in choices.codes:
                codes.append(choices.codes[value])
            elif choices is None and re.fullmatch(r"-?\d{1,9}", value):
                codes.append(int(value))
            else:
                self.problem("survey", index, "relevant", f"câu hỏi {target} không có lựa chọn '{value}'",
                             f"question {target} has no choice '{value}'")
                return None
        if len(codes) == 1:
            return {"item": target, "equals": codes[0]}
        return {"item": target, "in": codes}

    def bad_condition(self, index: int, expression: str, unbalanced: bool) -> None:
        if unbalanced:
            self.problem("survey", index, "relevant",
                         f"điều kiện '{expression}' có dấu ngoặc không khớp: mỗi '(' cần một ')' đi sau",
                         f"the condition '{expression}' has brackets that do not match: each '(' needs a ')' after it")
        else:
            self.problem("survey", index, "relevant",
                         f"không hiểu điều kiện '{expression}': dùng ${{câu_hỏi}} = 'mã' hoặc selected(${{câu_hỏi}}, 'mã'), "
                         "nối bằng and, or và dấu ngoặc",
                         f"the condition '{expression}' is not understood: use ${{question}} = 'code' or "
                         "selected(${question}, 'code'), joined by and, or and brackets")


def _header(key: str) -> str:
    name, sep, lang = key.partition("::") if "::" in key else key.partition(":")
    return f"{name.strip().lower()}{sep}{lang}"


def _reading_order(problem: Problem) -> tuple[int, int]:
    """Problems as someone reading the workbook meets them: survey first, then choices, then the rest."""
    order = {"survey": 0, "choices": 1, "settings": 2}.get(problem.sheet or "", 3)
    return order, problem.row or 0


# -- relevant expressions ------------------------------------------------------


@dataclass(frozen=True)
class RelevantAtom:
    """``${target} = 'v'`` or ``selected(${target}, 'v')`` (several values once atoms are merged)."""

    target: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class RelevantGroup:
    """Parts joined by ``all`` (XPath ``and``) or ``any`` (``or``)."""

    join: str
    parts: tuple[RelevantNode, ...]


RelevantNode = RelevantAtom | RelevantGroup


class RelevantSyntaxError(ValueError):
    """A ``relevant`` expression outside what we read; ``unbalanced`` when its brackets do not match."""

    def __init__(self, unbalanced: bool = False) -> None:
        super().__init__("unbalanced brackets" if unbalanced else "not understood")
        self.unbalanced = unbalanced


_TOKEN = re.compile(r"\s*(?:(?P<ref>\$\{[A-Za-z_][\w.-]*\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?![\w.]))"
                    r"|(?P<word>and(?![\w-])|or(?![\w-])|selected(?=\s*\())|(?P<sym>[=(),]))")


def _tokens(expression: str) -> list[tuple[str, str]]:
    """(kind, text) tokens; RelevantSyntaxError at anything else (``!=``, ``not(``, typographic quotes...)."""
    tokens: list[tuple[str, str]] = []
    position, depth = 0, 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise RelevantSyntaxError(unbalanced=text.count("(") != text.count(")"))
        kind = match.lastgroup or ""
        value = match.group(kind)
        depth += (value == "(") - (value == ")") if kind == "sym" else 0
        if depth < 0:
            raise RelevantSyntaxError(unbalanced=True)
        tokens.append((kind, value))
        position = match.end()
    if depth:
        raise RelevantSyntaxError(unbalanced=True)
    return tokens


def parse_relevant(expression: str) -> RelevantNode:
    """An XLSForm ``relevant`` expression as a tree, with XPath's precedence: ``and`` before ``or``.

    ``${a}='1' or ${b}='2' and ${c}='3'`` is ``a or (b and c)``.  Raises
    :class:`RelevantSyntaxError` for anything outside the atoms we honour.
    """
    tokens = _tokens(expression)
    position = 0

    def peek(kind: str, text: str | None = None) -> bool:
        return position < len(tokens) and tokens[position][0] == kind and (text is None or tokens[position][1] == text)

    def take(kind: str, text: str | None = None) -> str:
        nonlocal position
        if not peek(kind, text):
            raise RelevantSyntaxError()
        position += 1
        return tokens[position - 1][1]

    def joined(word: str, join: str, operand: Callable[[], RelevantNode]) -> RelevantNode:
        parts = [operand()]
        while peek("word", word):
            take("word", word)
            parts.append(operand())
        return parts[0] if len(parts) == 1 else RelevantGroup(join, tuple(parts))

    def either() -> RelevantNode:
        return joined("or", "any", both)

    def both() -> RelevantNode:
        return joined("and", "all", primary)

    def primary() -> RelevantNode:
        if peek("sym", "("):
            take("sym", "(")
            inner = either()
            take("sym", ")")
            return inner
        if peek("word", "selected"):
            take("word", "selected")
            take("sym", "(")
            target = take("ref")
            take("sym", ",")
            value = take("str")
            take("sym", ")")
            return RelevantAtom(target[2:-1], (value[1:-1],))
        target = take("ref")
        take("sym", "=")
        value = take("str") if peek("str") else take("num")
        return RelevantAtom(target[2:-1], (value.strip("'\""),))

    tree = either()
    if position != len(tokens):
        raise RelevantSyntaxError()
    return tree


def _canonical(node: RelevantNode) -> RelevantNode:
    """One form per meaning the workbook can write: same-join brackets merged, atoms on one question merged in ``or``."""
    if isinstance(node, RelevantAtom):
        return node
    parts: list[RelevantNode] = []
    for part in (_canonical(p) for p in node.parts):
        parts.extend(part.parts if isinstance(part, RelevantGroup) and part.join == node.join else (part,))
    if node.join == "any":
        merged: list[RelevantNode] = []
        places: dict[str, int] = {}
        for part in parts:
            if isinstance(part, RelevantAtom) and part.target in places:
                first = merged[places[part.target]]
                assert isinstance(first, RelevantAtom)
                values = first.values + tuple(v for v in part.values if v not in first.values)
                merged[places[part.target]] = RelevantAtom(part.target, values)
            else:
                if isinstance(part, RelevantAtom):
                    places[part.target] = len(merged)
                merged.append(part)
        parts = merged
    return parts[0] if len(parts) == 1 else RelevantGroup(node.join, tuple(parts))


def _unwrap(text: str) -> str:
    """``text`` without the brackets around all of it: ``((${a} = '1'))`` -> ``${a} = '1'``."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def _option_rows(options: Sequence[Option]) -> list[dict[str, Any]]:
    return [{"code": o.code, "vi": o.label.vi, "en": o.label.en} for o in options]


def dump_source(data: Mapping[str, Any]) -> str:
    """The canonical YAML text: same data, same text, byte for byte (hence the same version hash)."""
    # libyaml's emitter when PyYAML has it: the same text, forty times faster than the pure-Python one.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(dict(data), Dumper=dumper, allow_unicode=True, sort_keys=False, width=100_000,
                     default_flow_style=False)


def same_content(a: Questionnaire, b: Questionnaire) -> bool:
    """Whether two versions ask the same things in the same words (their source text may differ)."""
    return (a.group, a.title, a.intro, a.sections) == (b.group, b.title, b.intro, b.sections)


# -- writing -------------------------------------------------------------------

SURVEY_HEADERS = ("type", "name", f"label::{VI_COLUMN}", f"label::{EN_COLUMN}", f"hint::{VI_COLUMN}",
                  f"hint::{EN_COLUMN}", "required", "relevant", "constraint", "appearance", "feeds", "profile")
CHOICE_HEADERS = ("list_name", "name", f"label::{VI_COLUMN}", f"label::{EN_COLUMN}")
SETTINGS_HEADERS = ("form_title", f"form_title::{EN_COLUMN}", "form_id", "version", "default_language")


def write_workbook(questionnaire: Questionnaire) -> bytes:
    """The questionnaire as an XLSForm workbook (survey, choices, settings) that imports back to it."""
    scale_names = _scale_names(questionnaire.source)
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    choices = book.create_sheet("choices")
    settings = book.create_sheet("settings")
    survey.append(SURVEY_HEADERS)
    choices.append(CHOICE_HEADERS)
    settings.append(SETTINGS_HEADERS)
    settings.append((questionnaire.title.vi, questionnaire.title.en, questionnaire.group,
                     questionnaire.short_version, VI_COLUMN))
    written: dict[str, tuple[Option, ...]] = {}
    if questionnaire.intro is not None:
        survey.append(("note", "intro", questionnaire.intro.vi, questionnaire.intro.en))
    items = questionnaire.items
    for section in questionnaire.sections:
        survey.append(("begin group", section.code, section.title.vi, section.title.en))
        for item in section.items:
            list_name, appearance = _list_for(item, scale_names, {i.code for i in items}, written)
            if list_name is not None and list_name not in written:
                written[list_name] = item.options
                for option in item.options:
                    choices.append((list_name, str(option.code), option.label.vi, option.label.en))
            survey.append(_survey_row(item, list_name, appearance, questionnaire))
        survey.append(("end group", section.code))
    for sheet in (survey, choices, settings):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKL", (22, 22, 60, 60, 40, 40, 10, 30, 30, 12, 10, 8), strict=True):
        survey.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _scale_names(source: str) -> dict[str, str]:
    """Item code -> named scale, from the version's text (the model keeps only the options)."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError:
        return {}
    names: dict[str, str] = {}
    for section in (data or {}).get("sections") or ():
        for raw in section.get("items") or ():
            if isinstance(raw, dict) and raw.get("type") == "scale" and isinstance(raw.get("scale"), str):
                names[str(raw.get("code"))] = raw["scale"]
    return names


def _list_for(item: Item, scale_names: Mapping[str, str], codes: set[str],
              written: Mapping[str, tuple[Option, ...]]) -> tuple[str | None, str]:
    if item.type in BUILTIN_OPTIONS:
        return item.type.value, "likert" if item.type is not ItemType.YES_NO else ""
    if item.type is ItemType.SCALE:
        name = scale_names.get(item.code, f"scale_{item.code}")
        while name in written and written[name] != item.options:
            name += "_"
        return name, "likert"
    if item.type in (ItemType.SINGLE, ItemType.MULTIPLE):
        name = item.code
        reserved = {t.value for t in BUILTIN_OPTIONS} | set(scale_names.values())
        while name in reserved or (name in written and written[name] != item.options):
            name += "_"
        return name, ""
    return None, ""


def _survey_row(item: Item, list_name: str | None, appearance: str, q: Questionnaire) -> tuple[Any, ...]:
    if item.type is ItemType.NUMBER:
        kind, constraint = "integer", f". >= {item.min} and . <= {item.max}"
    elif item.type is ItemType.DECIMAL:
        kind = "decimal"
        parts = [f". {op} {format_decimal(bound, 'en')}" for op, bound in ((">=", item.min), ("<=", item.max))
                 if bound is not None]
        if item.places is not None:
            parts.append(f"round(., {item.places}) = .")
        constraint = " and ".join(parts)
    elif item.type is ItemType.TEXT:
        kind = "text"
        constraint = f"string-length(.) <= {item.max_length}" if item.max_length != DEFAULT_TEXT_LENGTH else ""
    elif item.type is ItemType.MULTIPLE:
        kind = f"select_multiple {list_name}"
        bounds = []
        if item.min_choices is not None:
            bounds.append(f"count-selected(.) >= {item.min_choices}")
        if item.max_choices is not None:
            bounds.append(f"count-selected(.) <= {item.max_choices}")
        constraint = " and ".join(bounds)
    else:
        kind, constraint = f"select_one {list_name}", ""
    help_text = item.help or Text("", "")
    return (kind, item.code, item.text.vi, item.text.en, help_text.vi or None, help_text.en or None,
            "yes" if item.required else None, _relevant(item.relevant, q) or None, constraint or None,
            appearance or None, item.feeds, "yes" if item.profile else None)


def _relevant(condition: Condition | None, q: Questionnaire) -> str:
    """The rule as an XLSForm expression that reads back to it: every inner combination in brackets."""
    if condition is None:
        return ""
    return _expression(condition, q, None)


def _expression(condition: Condition, q: Questionnaire, around: str | None) -> str:
    if condition.is_leaf:
        multiple = q.item(condition.item).type is ItemType.MULTIPLE
        atoms = [f"selected(${{{condition.item}}}, '{v}')" if multiple else f"${{{condition.item}}} = '{v}'"
                 for v in condition.values]
        text = " or ".join(atoms)
        return f"({text})" if len(atoms) > 1 and around == "all" else text
    word = " and " if condition.join == "all" else " or "
    text = word.join(_expression(part, q, condition.join) for part in condition.parts)
    return f"({text})" if around is not None else text
