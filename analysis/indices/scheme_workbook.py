"""Index schemes written as Excel workbooks, read and written like the YAML files.

The people who apply a decision's new points or criteria work in Excel, so a
scheme can be a workbook with one sheet of nodes (SIPAS) or criteria (PAR),
one of item assignments, one of settings (and, optionally, PAR areas and
SIPAS indicators).  Column headers carry Vietnamese and English
(``Mã / code``); either half alone is accepted.  The workbook is turned into
the same mapping a YAML file gives and built by :mod:`analysis.indices.scheme`,
so both forms obey the same rules; the checks that need a place in the sheet
(points not adding up to the total, an item not in the group's questionnaire,
a criterion no group assesses, a cycle in the tree) are made here first and
name sheet, row and column.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from analysis.indices.scheme import (
    Node,
    ParScheme,
    SatisfactionScheme,
    SchemeError,
    _Context,
    _par,
    _satisfaction,
)
from analysis.problems import Problem, Refused
from analysis.uploads import MB, Budget, Limits, check_file

# The bounds every upload shares (analysis.uploads), checked before openpyxl sees the file. The
# reader looks at most at MAX_ROWS rows and MAX_COLUMNS columns of each sheet, so a whole-sheet
# dimension declared for formatting alone cannot make it pad more; one is believed (and refused
# beyond these limits) only for a sheet with content to match, as for questionnaire workbooks.
MAX_ROWS = 5000
MAX_COLUMNS = 30
LIMITS = Limits(max_bytes=2 * MB, max_uncompressed=20 * MB, max_member=20 * MB, max_shared_strings=4 * MB,
                max_rows=MAX_ROWS, max_columns=200, max_cells=200_000, max_seconds=20.0,
                trust_dimension_above=512 * 1024)
MAX_BYTES = LIMITS.max_bytes

SETTINGS = "settings"
NODES = "nodes"
CRITERIA = "criteria"
AREAS = "areas"
ITEMS = "items"
INDICATORS = "indicators"

COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = {
    SETTINGS: (("key", "Khóa / key"), ("value", "Giá trị / value"), ("note", "Ghi chú / note")),
    NODES: (("code", "Mã / code"), ("parent", "Nút cha / parent"), ("vi", "Tên tiếng Việt / Vietnamese title"),
            ("en", "Tên tiếng Anh / English title"), ("weight", "Trọng số / weight"),
            ("aggregation", "Cách gộp / aggregation")),
    CRITERIA: (("code", "Mã / code"), ("area", "Lĩnh vực / area"), ("vi", "Tên tiếng Việt / Vietnamese title"),
               ("en", "Tên tiếng Anh / English title"), ("max_points", "Điểm tối đa / maximum points"),
               ("conversion", "Cách quy đổi / conversion")),
    AREAS: (("area", "Lĩnh vực / area"), ("vi", "Tên tiếng Việt / Vietnamese title"),
            ("en", "Tên tiếng Anh / English title")),
    ITEMS: (("node", "Tiêu chí / node or criterion"), ("group", "Nhóm / group"), ("item", "Mã câu hỏi / item"),
            ("weight", "Trọng số / weight")),
    INDICATORS: (("code", "Mã / code"), ("vi", "Tên tiếng Việt / Vietnamese title"),
                 ("en", "Tên tiếng Anh / English title"), ("item", "Mã câu hỏi / item"),
                 ("share_of", "Tỷ lệ các mã / share of codes"), ("measure", "Đo bằng / measure")),
}
SETTING_NOTES = {
    "code": ("Mã của bộ chỉ số", "Code of the scheme"),
    "kind": ("satisfaction (SIPAS) hoặc par (Chỉ số CCHC)", "satisfaction (SIPAS) or par (PAR Index)"),
    "title_vi": ("Tên tiếng Việt", "Vietnamese title"),
    "title_en": ("Tên tiếng Anh", "English title"),
    "groups": ("Nhóm đối tượng, cách nhau bởi dấu phẩy", "Respondent groups, comma separated"),
    "satisfied": ("Các mã trả lời tính là hài lòng", "Answer codes counted as satisfied"),
    "measure": ("satisfied (tỷ lệ hài lòng) hoặc mean (trung bình)", "satisfied (share) or mean"),
    "total": ("Tổng điểm của phần điều tra xã hội học", "Total points of the survey component"),
    "scale_min": ("Mã nhỏ nhất của thang đo", "Lowest code of the scale"),
    "scale_max": ("Mã lớn nhất của thang đo", "Highest code of the scale"),
    "conversion": ("mean hoặc satisfied: cách quy đổi câu trả lời ra điểm", "mean or satisfied: answers to points"),
    "pooling": ("equal (các nhóm như nhau) hoặc respondents (gộp người trả lời)", "equal or respondents"),
    "group_weights": ("Trọng số nhóm, ví dụ citizen=1; business=1", "Group weights, e.g. citizen=1; business=1"),
}


class SchemeWorkbookError(SchemeError):
    """A scheme workbook was refused; ``problems`` lists every problem found with its place."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# -- reading ------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


class _Sheets:
    """The rows of each known sheet, by column key, with the letters of the columns for messages."""

    def __init__(self, data: bytes) -> None:
        self.rows: dict[str, list[_Row]] = {}
        self.letters: dict[str, dict[str, str]] = {}
        self.problems: list[Problem] = []
        self.budget = Budget(LIMITS)  # the time budget; rows and cells are bounded by the window read
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                name = sheet.title.strip().lower()
                if name in COLUMNS:
                    self.read(name, sheet)
        finally:
            book.close()

    def read(self, name: str, sheet: Any) -> None:
        keys: dict[int, str] = {}
        rows: list[_Row] = []
        for number, values in enumerate(sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True),
                                        start=1):
            if number % 256 == 0:
                self.budget.check_time(name, number)
            if number == 1:
                for position, header in enumerate(values):
                    key = _column_key(name, header)
                    if key is not None:
                        keys[position] = key
                        self.letters.setdefault(name, {})[key] = f"{get_column_letter(position + 1)} ({header})"
                continue
            row = {keys[i]: _clean(v) for i, v in enumerate(values) if i in keys and _clean(v) is not None}
            if row:
                rows.append(_Row(number, row))
        self.rows[name] = rows
        missing = [header for key, header in COLUMNS[name] if key not in keys.values() and key not in (
            "note", "weight", "aggregation", "conversion", "parent", "group", "share_of", "measure", "en")]
        for header in missing:
            self.problems.append(Problem.at(name, 1, None, f"thiếu cột {header}", f"missing column {header}"))

    def column(self, sheet: str, key: str) -> str:
        return self.letters.get(sheet, {}).get(key, key)


def _column_key(sheet: str, header: object) -> str | None:
    if not isinstance(header, str):
        return None
    wanted = header.strip().lower()
    for key, label in COLUMNS[sheet]:
        parts = {part.strip().lower() for part in label.split(" / ")} | {label.lower(), key}
        if wanted in parts:
            return key
    return None


def _clean(value: object) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_scheme_workbook(path_or_data: str | Path | bytes, *,
                         questionnaire_items: Mapping[str, set[str]] | None = None,
                         name: str | None = None) -> SatisfactionScheme | ParScheme:
    """Read a scheme workbook; :class:`SchemeWorkbookError` lists every problem with sheet, row and column.

    ``questionnaire_items`` (group -> item codes of its questionnaire), when
    given, checks that every assigned item exists in its group's questionnaire.
    """
    if isinstance(path_or_data, bytes):
        data, label = path_or_data, name or "scheme.xlsx"
    else:
        label = str(path_or_data)
        try:
            data = Path(path_or_data).read_bytes()
        except OSError as exc:
            raise SchemeError(f"{label}: cannot read scheme ({exc.strerror})") from None
    _check_archive(data)
    try:
        sheets = _Sheets(data)
    except Refused as exc:
        raise SchemeWorkbookError(exc.problems) from None
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, EOFError, OSError, KeyError, ValueError,
            NotImplementedError) as exc:
        raise SchemeWorkbookError([Problem.at(None, None, None, f"không đọc được tệp .xlsx ({exc})",
                                                   f"not a readable .xlsx file ({exc})")]) from None
    builder = _Builder(sheets, questionnaire_items)
    mapping = builder.mapping()
    if builder.problems:
        raise SchemeWorkbookError(builder.problems)
    ctx = _Context(label)
    try:
        return _satisfaction(mapping, ctx) if mapping["kind"] == "satisfaction" else _par(mapping, ctx)
    except SchemeError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        # A value of the wrong kind that the sheet checks above do not cover (e.g. text where a number goes).
        raise SchemeWorkbookError([Problem.at(None, None, None, f"giá trị không hợp lệ: {exc}",
                                                   f"a value is not valid: {exc}")]) from None


def _check_archive(data: bytes) -> None:
    """Refuse before parsing a file whose size, expanded size, declared sheet size or cells have no place in a scheme."""
    try:
        check_file(data, "scheme.xlsx", LIMITS)
    except Refused as exc:
        raise SchemeWorkbookError(exc.problems) from None


def _codes_text(text: object) -> list[float]:
    parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    return [float(p) for p in parts]


class _Builder:
    def __init__(self, sheets: _Sheets, known: Mapping[str, set[str]] | None) -> None:
        self.sheets = sheets
        self.known = known
        self.problems: list[Problem] = list(sheets.problems)
        self.settings: dict[str, tuple[Any, int]] = {}

    def problem(self, sheet: str, row: int | None, key: str | None, vi: str, en: str) -> None:
        column = self.sheets.column(sheet, key) if key else None
        self.problems.append(Problem.at(sheet, row, column, vi, en))

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, (default, 0))[0]

    def mapping(self) -> dict[str, Any]:
        for row in self.sheets.rows.get(SETTINGS, []):
            key = str(row.values.get("key", "")).strip().lower()
            if key:
                self.settings[key] = (row.values.get("value"), row.number)
        kind = self.setting("kind")
        if kind not in ("satisfaction", "par"):
            self.problem(SETTINGS, self.settings.get("kind", (None, None))[1], "value",
                         "kind phải là satisfaction hoặc par", "kind must be satisfaction or par")
            return {"kind": kind}
        data: dict[str, Any] = {"code": self.setting("code"), "kind": kind,
                                "title": {"vi": self.setting("title_vi", ""), "en": self.setting("title_en", "")}}
        if self.setting("code") is None:
            self.problem(SETTINGS, None, "key", "thiếu dòng code", "missing the code row")
        if self.setting("satisfied") is not None:
            data["satisfied"] = self.number_list("satisfied")
        if kind == "satisfaction":
            self.satisfaction(data)
        else:
            self.par(data)
        return data

    def number_list(self, key: str) -> list[float]:
        try:
            return _codes_text(self.setting(key))
        except ValueError:
            self.problem(SETTINGS, self.settings[key][1], "value", f"{key}: cần các số cách nhau bởi dấu phẩy",
                         f"{key}: numbers separated by commas expected")
            return [0.0]

    def number(self, sheet: str, row: _Row, key: str, default: float | None = None) -> float | None:
        value = row.values.get(key, default)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            self.problem(sheet, row.number, key, f"cần một số, không phải {value!r}", f"a number is expected, not {value!r}")
            return default

    # -- SIPAS trees -----------------------------------------------------

    def satisfaction(self, data: dict[str, Any]) -> None:
        groups = [g.strip() for g in str(self.setting("groups", "")).split(",") if g.strip()]
        data["groups"] = groups
        data["measure"] = self.setting("measure", "satisfied")
        nodes = self.sheets.rows.get(NODES, [])
        if not nodes:
            self.problem(NODES, None, None, "cần trang nodes với ít nhất một nút", "a nodes sheet with nodes is needed")
            return
        by_code: dict[str, _Row] = {}
        for row in nodes:
            code = str(row.values.get("code", ""))
            if not code:
                self.problem(NODES, row.number, "code", "thiếu mã", "missing code")
            elif code in by_code:
                self.problem(NODES, row.number, "code", f"mã {code} bị lặp", f"code {code} is used twice")
            else:
                by_code[code] = row
        items = self.leaf_items(by_code, groups)
        roots = [code for code, row in by_code.items() if not row.values.get("parent")]
        for code, row in by_code.items():
            parent = row.values.get("parent")
            if parent and str(parent) not in by_code:
                self.problem(NODES, row.number, "parent", f"nút cha {parent} không có", f"parent {parent} does not exist")
        self.check_cycles(by_code)
        if len(roots) != 1:
            self.problem(NODES, None, "parent", f"cần đúng một nút gốc (không có nút cha), có {len(roots)}",
                         f"exactly one root (a node without parent) is needed, found {len(roots)}")
        if self.problems:
            return
        data["index"] = self.node(roots[0], by_code, items)
        data["indicators"] = self.indicators()

    def leaf_items(self, by_code: Mapping[str, _Row], groups: Sequence[str]) -> dict[str, list[tuple[str, float]]]:
        items: dict[str, list[tuple[str, float]]] = {}
        for row in self.sheets.rows.get(ITEMS, []):
            node, item = str(row.values.get("node", "")), str(row.values.get("item", ""))
            group = str(row.values.get("group") or (groups[0] if len(groups) == 1 else ""))
            if node not in by_code:
                self.problem(ITEMS, row.number, "node", f"nút {node} không có trong trang nodes",
                             f"node {node} is not in the nodes sheet")
                continue
            if groups and group not in groups:
                self.problem(ITEMS, row.number, "group", f"nhóm {group} không thuộc groups của bộ chỉ số",
                             f"group {group} is not one of the scheme's groups")
            self.check_item(row, group, item)
            items.setdefault(node, []).append((item, self.number(ITEMS, row, "weight", 1.0) or 0.0))
        return items

    def check_item(self, row: _Row, group: str, item: str) -> None:
        if not item:
            self.problem(ITEMS, row.number, "item", "thiếu mã câu hỏi", "missing item code")
        elif not group:
            return
        elif self.known is not None and group in self.known and item not in self.known[group]:
            self.problem(ITEMS, row.number, "item", f"câu hỏi {item} không có trong phiếu của nhóm {group}",
                         f"item {item} is not in the questionnaire of group {group}")
        elif self.known is not None and group not in self.known:
            self.problem(ITEMS, row.number, "group", f"nhóm {group} không có phiếu khảo sát",
                         f"group {group} has no questionnaire")

    def check_cycles(self, by_code: Mapping[str, _Row]) -> None:
        for code, row in by_code.items():
            seen = {code}
            parent = row.values.get("parent")
            while parent and str(parent) in by_code:
                parent = str(parent)
                if parent in seen:
                    self.problem(NODES, row.number, "parent", f"vòng lặp: {code} nằm dưới chính nó",
                                 f"cycle: {code} is below itself")
                    break
                seen.add(parent)
                parent = by_code[parent].values.get("parent")

    def node(self, code: str, by_code: Mapping[str, _Row], items: Mapping[str, list[tuple[str, float]]]) -> dict[str, Any]:
        row = by_code[code]
        children = [c for c, r in by_code.items() if str(r.values.get("parent") or "") == code]
        out: dict[str, Any] = {"code": code, "title": {"vi": row.values.get("vi", ""), "en": row.values.get("en", "")}}
        if row.values.get("aggregation"):
            out["aggregation"] = row.values["aggregation"]
        if children and code in items:
            self.problem(NODES, row.number, "code", f"nút {code} vừa có nút con vừa có câu hỏi",
                         f"node {code} has both children and items")
        if children:
            out["children"] = [self.node(child, by_code, items) for child in children]
            out["weights"] = [self.number(NODES, by_code[c], "weight", 1.0) for c in children]
        elif code in items:
            out["items"] = [item for item, _weight in items[code]]
            out["weights"] = [weight for _item, weight in items[code]]
        else:
            self.problem(NODES, row.number, "code", f"nút {code} không có nút con và không có câu hỏi (trang items)",
                         f"node {code} has neither children nor items (items sheet)")
        return out

    def indicators(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for row in self.sheets.rows.get(INDICATORS, []):
            entry = {"code": row.values.get("code"), "title": {"vi": row.values.get("vi", ""),
                                                               "en": row.values.get("en", "")},
                     "item": row.values.get("item")}
            if row.values.get("share_of") is not None:
                try:
                    entry["share_of"] = _codes_text(row.values["share_of"])
                except ValueError:
                    self.problem(INDICATORS, row.number, "share_of", "cần các mã cách nhau bởi dấu phẩy",
                                 "codes separated by commas expected")
            else:
                entry["measure"] = row.values.get("measure", "mean")
            out.append(entry)
        return out

    # -- PAR criteria ----------------------------------------------------

    def par(self, data: dict[str, Any]) -> None:
        total_row = self.settings.get("total", (None, None))[1]
        data["total"] = self.setting("total", 30)
        data["scale"] = {"min": self.setting("scale_min", 1), "max": self.setting("scale_max", 5)}
        data["conversion"] = self.setting("conversion", "mean")
        data["pooling"] = self.setting("pooling", "equal")
        weights = self.setting("group_weights")
        if weights:
            pairs = [p.split("=") for p in str(weights).split(";") if p.strip()]
            try:
                data["group_weights"] = {k.strip(): float(v) for k, v in pairs}
            except ValueError:
                self.problem(SETTINGS, self.settings["group_weights"][1], "value", "viết như citizen=1; business=1",
                             "write as citizen=1; business=1")
        data["areas"] = {int(r.values["area"]): {"vi": r.values.get("vi", ""), "en": r.values.get("en", "")}
                         for r in self.sheets.rows.get(AREAS, []) if isinstance(r.values.get("area"), int)}
        criteria_rows = self.sheets.rows.get(CRITERIA, [])
        assessed: dict[str, dict[str, list[str]]] = {}
        codes = {str(r.values.get("code")) for r in criteria_rows}
        for row in self.sheets.rows.get(ITEMS, []):
            node, group, item = (str(row.values.get(k, "")) for k in ("node", "group", "item"))
            if node not in codes:
                self.problem(ITEMS, row.number, "node", f"tiêu chí {node} không có trong trang criteria",
                             f"criterion {node} is not in the criteria sheet")
                continue
            if not group:
                self.problem(ITEMS, row.number, "group", "thiếu nhóm đối tượng", "missing respondent group")
                continue
            self.check_item(row, group, item)
            assessed.setdefault(node, {}).setdefault(group, []).append(item)
        criteria: list[dict[str, Any]] = []
        points = 0.0
        seen: set[str] = set()
        for row in criteria_rows:
            code = str(row.values.get("code", ""))
            if code in seen:
                self.problem(CRITERIA, row.number, "code", f"mã {code} bị lặp", f"code {code} is used twice")
            seen.add(code)
            max_points = self.number(CRITERIA, row, "max_points")
            if max_points is None:
                self.problem(CRITERIA, row.number, "max_points", "thiếu điểm tối đa", "missing maximum points")
                continue
            points += max_points
            if code not in assessed:
                self.problem(CRITERIA, row.number, "code", f"không nhóm nào đánh giá tiêu chí {code} (trang items)",
                             f"no group assesses criterion {code} (items sheet)")
            entry = {"code": code, "area": row.values.get("area", 0),
                     "title": {"vi": row.values.get("vi", ""), "en": row.values.get("en", "")},
                     "max_points": max_points, "items": assessed.get(code, {})}
            if row.values.get("conversion"):
                entry["conversion"] = row.values["conversion"]
            criteria.append(entry)
        try:
            total = float(data["total"])
        except (TypeError, ValueError):
            total = float("nan")
        if criteria and abs(points - total) > 1e-9 * max(abs(total), 1.0):
            self.problem(SETTINGS, total_row, "value",
                         f"điểm tối đa của các tiêu chí (trang criteria, cột Điểm tối đa) cộng lại là {points:g}, "
                         f"không bằng tổng {total:g}", f"the criteria's maximum points (criteria sheet) add up to "
                         f"{points:g}, not the total {total:g}")
        data["criteria"] = criteria


# -- writing -------------------------------------------------------------------


def write_scheme_workbook(scheme: SatisfactionScheme | ParScheme) -> bytes:
    """The scheme as a workbook that reads back to the same scheme."""
    book = Workbook()
    settings = book.active
    settings.title = SETTINGS
    sheets = {SETTINGS: settings}

    def sheet(name: str) -> Any:
        created = book.create_sheet(name)
        created.append([label for _key, label in COLUMNS[name]])
        sheets[name] = created
        return created

    settings.append([label for _key, label in COLUMNS[SETTINGS]])
    rows: list[tuple[str, Any]] = [("code", scheme.code), ("title_vi", scheme.title.get("vi", "")),
                                   ("title_en", scheme.title.get("en", ""))]
    satisfied = ", ".join(f"{v:g}" for v in scheme.satisfied)
    if isinstance(scheme, SatisfactionScheme):
        rows[1:1] = [("kind", "satisfaction")]
        rows += [("groups", ", ".join(scheme.groups)), ("satisfied", satisfied), ("measure", scheme.measure)]
        nodes, items = sheet(NODES), sheet(ITEMS)
        _write_node(scheme.index, None, None, nodes, items, scheme.groups)
        indicators = sheet(INDICATORS)
        for ind in scheme.indicators:
            share = ", ".join(f"{v:g}" for v in ind.values) if ind.measure == "share" else None
            indicators.append([ind.code, ind.title.get("vi", ""), ind.title.get("en", ""), ind.item, share,
                               None if share else "mean"])
    else:
        rows[1:1] = [("kind", "par")]
        rows += [("total", scheme.total), ("scale_min", scheme.scale_min), ("scale_max", scheme.scale_max),
                 ("satisfied", satisfied), ("pooling", scheme.pooling)]
        if scheme.group_weights:
            rows.append(("group_weights", "; ".join(f"{g}={w:g}" for g, w in scheme.group_weights.items())))
        criteria, areas, items = sheet(CRITERIA), sheet(AREAS), sheet(ITEMS)
        for area, title in sorted(scheme.area_titles.items()):
            areas.append([area, title.get("vi", ""), title.get("en", "")])
        for criterion in scheme.criteria:
            criteria.append([criterion.code, criterion.area, criterion.title.get("vi", ""),
                             criterion.title.get("en", ""), criterion.max_points, criterion.conversion])
            for group, codes in criterion.items.items():
                for code in codes:
                    items.append([criterion.code, group, code, None])
    for key, value in rows:
        vi, en = SETTING_NOTES.get(key, ("", ""))
        settings.append([key, value, f"{vi} / {en}"])
    for ws in sheets.values():
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for position in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(position)].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_node(node: Node, parent: str | None, weight: float | None, nodes: Any, items: Any,
                groups: Sequence[str]) -> None:
    nodes.append([node.code, parent, node.title.get("vi", ""), node.title.get("en", ""), weight,
                  node.aggregation if node.aggregation != "mean" else None])
    group = groups[0] if len(groups) == 1 else None
    if node.items:
        for item, item_weight in zip(node.items, node.weights, strict=True):
            items.append([node.code, group, item, item_weight])
    for child, child_weight in zip(node.children, node.weights if node.children else (), strict=True):
        _write_node(child, node.code, child_weight, nodes, items, groups)


def scheme_to_yaml(scheme: SatisfactionScheme | ParScheme, header: str = "") -> str:
    """The scheme as YAML text in the format of ``questionnaires/schemes/`` (what programmes store).

    Written from the parsed scheme, so a workbook checked here is stored as the
    same scheme: ``parse_scheme(scheme_to_yaml(s))`` equals ``s``.
    """
    import yaml

    def title(value: Mapping[str, str]) -> dict[str, str]:
        return {"vi": value.get("vi", ""), "en": value.get("en", "")}

    data: dict[str, Any] = {"code": scheme.code, "kind": "satisfaction" if isinstance(scheme, SatisfactionScheme)
                            else "par", "title": title(scheme.title)}
    if isinstance(scheme, SatisfactionScheme):
        data.update(groups=list(scheme.groups), satisfied=list(scheme.satisfied), measure=scheme.measure,
                    index=_node_data(scheme.index))
        data["indicators"] = [
            {"code": i.code, "title": title(i.title), "item": i.item,
             **({"share_of": list(i.values)} if i.measure == "share" else {"measure": "mean"})}
            for i in scheme.indicators]
    else:
        data.update(total=scheme.total, scale={"min": scheme.scale_min, "max": scheme.scale_max},
                    satisfied=list(scheme.satisfied), pooling=scheme.pooling)
        if scheme.group_weights:
            data["group_weights"] = dict(scheme.group_weights)
        data["areas"] = {area: title(value) for area, value in sorted(scheme.area_titles.items())}
        data["criteria"] = [
            {"code": c.code, "area": c.area, "title": title(c.title), "max_points": c.max_points,
             "conversion": c.conversion, "items": {g: list(items) for g, items in c.items.items()}}
            for c in scheme.criteria]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100_000)
    return f"{header}{text}"


def _node_data(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"code": node.code, "title": {"vi": node.title.get("vi", ""), "en": node.title.get("en", "")}}
    if node.aggregation != "mean":
        out["aggregation"] = node.aggregation
    if node.children:
        out["children"] = [_node_data(child) for child in node.children]
    else:
        out["items"] = list(node.items)
    out["weights"] = list(node.weights)
    return out
