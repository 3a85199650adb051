"""Index schemes: which items make which index, read from YAML into frozen data.

Two kinds of scheme live in ``questionnaires/schemes/``:

``kind: satisfaction``
    A tree item -> element -> part -> index (SIPAS). Every node aggregates
    its children (mean by default, optionally weighted, or sum); a leaf
    lists items, each scored as the share of answers in the satisfied set
    (default 4 and 5) or as its mean. Extra ``indicators`` are shares or
    means of single items (judgements, expectations).
``kind: par``
    The survey component of the PAR Index: criteria with maximum points,
    the respondent groups and items that assess each, the conversion from
    answers to points, how groups are pooled, and the total.

Errors name the file and the node at fault. Files (YAML or an Excel workbook) are read by
:func:`analysis.indices.scheme_files.load_scheme`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

AGGREGATIONS = ("mean", "sum")
MEASURES = ("satisfied", "mean")
POOLING = ("equal", "respondents")


class SchemeError(ValueError):
    """A scheme file that cannot be used; the message names the file and node."""


@dataclass(frozen=True)
class Node:
    """A node of a satisfaction tree: either children or items (a leaf).

    Attributes
    ----------
    code, title:
        Identifier and ``{vi, en}`` title.
    children:
        Sub-nodes (empty for a leaf).
    items:
        Item codes of a leaf.
    weights:
        Weight of each child or item in the aggregation (equal by default).
    aggregation:
        ``mean`` (weighted mean of the defined children) or ``sum``.
    """

    code: str
    title: Mapping[str, str]
    children: tuple[Node, ...] = ()
    items: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    aggregation: str = "mean"

    def walk(self) -> list[Node]:
        """This node and all below it, children before parents."""
        out: list[Node] = []
        for child in self.children:
            out.extend(child.walk())
        out.append(self)
        return out


@dataclass(frozen=True)
class ItemIndicator:
    """The share of answers in ``values`` (or the mean) of a single item."""

    code: str
    title: Mapping[str, str]
    item: str
    measure: str
    values: tuple[float, ...] = ()


@dataclass(frozen=True)
class SatisfactionScheme:
    """A satisfaction index (SIPAS by default)."""

    code: str
    title: Mapping[str, str]
    groups: tuple[str, ...]
    satisfied: tuple[float, ...]
    measure: str
    index: Node
    indicators: tuple[ItemIndicator, ...]
    source: str = ""

    @property
    def elements(self) -> list[Node]:
        """Leaves of the tree (nodes that list items)."""
        return [node for node in self.index.walk() if node.items]


@dataclass(frozen=True)
class Criterion:
    """A PAR criterion assessed by the survey."""

    code: str
    title: Mapping[str, str]
    area: int
    max_points: float
    items: Mapping[str, tuple[str, ...]]
    conversion: str


@dataclass(frozen=True)
class ParScheme:
    """The survey component of the PAR Index."""

    code: str
    title: Mapping[str, str]
    total: float
    scale_min: float
    scale_max: float
    satisfied: tuple[float, ...]
    pooling: str
    group_weights: Mapping[str, float]
    criteria: tuple[Criterion, ...]
    area_titles: Mapping[int, Mapping[str, str]]
    source: str = ""

    @property
    def groups(self) -> tuple[str, ...]:
        """Respondent groups assessing at least one criterion, in order of appearance."""
        seen: dict[str, None] = {}
        for criterion in self.criteria:
            seen.update(dict.fromkeys(criterion.items))
        return tuple(seen)


def parse_scheme(text: str, source: str = "scheme") -> SatisfactionScheme | ParScheme:
    """Read and validate a scheme from its YAML text (a scheme stored with a programme, or a file's).

    ``source`` only names the scheme in error messages.

    Raises
    ------
    SchemeError
        Unknown kind, missing keys, a leaf without items, weights that do not
        match the children, criteria maxima that do not add up to the total.
    """
    import yaml  # imported here: only commands given a YAML scheme need it

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError(f"{source}: cannot read scheme ({exc})") from None
    if not isinstance(data, dict):
        raise SchemeError(f"{source}: a scheme is a mapping")
    ctx = _Context(source)
    kind = data.get("kind")
    if kind == "satisfaction":
        return _satisfaction(data, ctx)
    if kind == "par":
        return _par(data, ctx)
    raise SchemeError(f"{source}: kind must be 'satisfaction' or 'par', got {kind!r}")


@dataclass(frozen=True)
class _Context:
    source: str

    def error(self, where: str, message: str) -> SchemeError:
        return SchemeError(f"{self.source}: {where}: {message}")

    def require(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data:
            raise self.error(where, f"missing {key!r}")
        return data[key]


def _title(data: Mapping[str, Any]) -> Mapping[str, str]:
    title = data.get("title") or {}
    if isinstance(title, str):
        return {"vi": title, "en": title}
    return {str(k): str(v) for k, v in title.items()}


def _codes(values: Any, ctx: _Context, where: str) -> tuple[float, ...]:
    if not isinstance(values, list) or not values:
        raise ctx.error(where, "expected a non-empty list of answer codes")
    try:
        return tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ctx.error(where, f"answer codes must be numbers, got {values!r}") from None


def _satisfaction(data: Mapping[str, Any], ctx: _Context) -> SatisfactionScheme:
    code = str(ctx.require(data, "code", "scheme"))
    measure = data.get("measure", "satisfied")
    if measure not in MEASURES:
        raise ctx.error("scheme", f"measure must be one of {', '.join(MEASURES)}")
    index = _node(ctx.require(data, "index", "scheme"), ctx, "index")
    codes = [node.code for node in index.walk()]
    indicators = tuple(_indicator(raw, ctx) for raw in data.get("indicators") or [])
    codes += [ind.code for ind in indicators]
    duplicated = {c for c in codes if codes.count(c) > 1}
    if duplicated:
        raise ctx.error("scheme", f"code {sorted(duplicated)[0]!r} is used twice")
    return SatisfactionScheme(
        code=code,
        title=_title(data),
        groups=tuple(str(g) for g in data.get("groups") or ()),
        satisfied=_codes(data.get("satisfied", [4, 5]), ctx, "satisfied"),
        measure=measure,
        index=index,
        indicators=indicators,
        source=ctx.source,
    )


def _node(raw: Any, ctx: _Context, where: str) -> Node:
    if not isinstance(raw, dict):
        raise ctx.error(where, "a node is a mapping with code and children or items")
    code = str(ctx.require(raw, "code", where))
    where = f"node {code}"
    children = tuple(_node(child, ctx, f"{where} child") for child in raw.get("children") or [])
    items = tuple(str(i) for i in raw.get("items") or [])
    if bool(children) == bool(items):
        raise ctx.error(where, "needs either children or items (not both)")
    aggregation = raw.get("aggregation", "mean")
    if aggregation not in AGGREGATIONS:
        raise ctx.error(where, f"aggregation must be one of {', '.join(AGGREGATIONS)}")
    parts = len(children) or len(items)
    weights = raw.get("weights")
    if weights is None:
        weights = [1.0] * parts
    if not isinstance(weights, list) or len(weights) != parts or any(float(w) < 0 for w in weights):
        raise ctx.error(where, f"weights must be {parts} non-negative numbers, one per child or item")
    return Node(code, _title(raw), children, items, tuple(float(w) for w in weights), aggregation)


def _indicator(raw: Any, ctx: _Context) -> ItemIndicator:
    if not isinstance(raw, dict):
        raise ctx.error("indicators", "each indicator is a mapping")
    code = str(ctx.require(raw, "code", "indicator"))
    where = f"indicator {code}"
    item = str(ctx.require(raw, "item", where))
    if "share_of" in raw:
        return ItemIndicator(code, _title(raw), item, "share", _codes(raw["share_of"], ctx, where))
    if raw.get("measure") == "mean":
        return ItemIndicator(code, _title(raw), item, "mean")
    raise ctx.error(where, "needs share_of: [codes] or measure: mean")


def _par(data: Mapping[str, Any], ctx: _Context) -> ParScheme:
    code = str(ctx.require(data, "code", "scheme"))
    scale = data.get("scale") or {"min": 1, "max": 5}
    low, high = float(scale["min"]), float(scale["max"])
    if not high > low:
        raise ctx.error("scale", "max must exceed min")
    default_conversion = data.get("conversion", "mean")
    pooling = data.get("pooling", "equal")
    if pooling not in POOLING:
        raise ctx.error("scheme", f"pooling must be one of {', '.join(POOLING)}")
    criteria = tuple(_criterion(raw, ctx, default_conversion) for raw in ctx.require(data, "criteria", "scheme"))
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        raise ctx.error("criteria", "a criterion code is used twice")
    total = float(data.get("total", 30))
    points = sum(c.max_points for c in criteria)
    if abs(points - total) > 1e-9 * max(total, 1.0):
        raise ctx.error("criteria", f"maximum points add up to {points:g}, not the total {total:g}")
    return ParScheme(
        code=code,
        title=_title(data),
        total=total,
        scale_min=low,
        scale_max=high,
        satisfied=_codes(data.get("satisfied", [4, 5]), ctx, "satisfied"),
        pooling=pooling,
        group_weights={str(k): float(v) for k, v in (data.get("group_weights") or {}).items()},
        criteria=criteria,
        area_titles={int(k): _title({"title": v}) for k, v in (data.get("areas") or {}).items()},
        source=ctx.source,
    )


def _criterion(raw: Any, ctx: _Context, default_conversion: str) -> Criterion:
    if not isinstance(raw, dict):
        raise ctx.error("criteria", "each criterion is a mapping")
    code = str(ctx.require(raw, "code", "criterion"))
    where = f"criterion {code}"
    items = ctx.require(raw, "items", where)
    if not isinstance(items, dict) or not items:
        raise ctx.error(where, "items maps each assessing group to its item codes")
    conversion = raw.get("conversion", default_conversion)
    if conversion not in ("mean", "satisfied"):
        raise ctx.error(where, "conversion must be 'mean' or 'satisfied'")
    max_points = float(ctx.require(raw, "max_points", where))
    if max_points <= 0:
        raise ctx.error(where, "max_points must be positive")
    return Criterion(
        code=code,
        title=_title(raw),
        area=int(raw.get("area", 0)),
        max_points=max_points,
        items={str(g): tuple(str(i) for i in (v if isinstance(v, list) else [v])) for g, v in items.items()},
        conversion=conversion,
    )
