"""From a response table to weights, a design and a table of estimates.

The steps the command line and the report share: weight to margins (or take
weights as given), describe the design, choose the indicators (item means
and shares, scheme indices), and estimate them for the whole sample and per
domain.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.estimation import SurveyDesign
from analysis.indices.indicators import Catalogue, Data, Row, estimate
from analysis.indices.par import add_par
from analysis.indices.satisfaction import add_items, add_satisfaction
from analysis.indices.scheme import ParScheme, SatisfactionScheme
from analysis.io import Margin, ResponsesError, ResponseTable
from analysis.weighting import (
    MarginError,
    WeightingResult,
    calibrate,
    design_from_margins,
    poststratify,
    rake,
    trim,
)

METHODS = ("rake", "poststratify", "linear", "logit")
logger = logging.getLogger("analysis.weighting")


@dataclass(frozen=True)
class WeightingOptions:
    """How to weight to margins.

    ``method=None`` post-stratifies on a single margin variable and rakes on
    several. ``bounds`` limit ``g = w / d`` for linear and logit calibration;
    ``trim`` bounds the final weights (R's ``trimWeights``).
    """

    method: str | None = None
    bounds: tuple[float, float] | None = None
    trim: tuple[float, float] | None = None
    strict_trim: bool = False
    max_iter: int = 100
    tol: float = 1e-7
    base_weight: str | None = None


@dataclass(frozen=True)
class DesignOptions:
    """Columns describing the sample design (all optional)."""

    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: str = "fail"


@dataclass(frozen=True)
class EstimateOptions:
    """What to estimate.

    Attributes
    ----------
    satisfied:
        Answer codes counted as satisfied; adds ``satisfied:<item>`` rows.
    items:
        Item columns (glob patterns) for ``mean:``/``satisfied:`` rows;
        default every numeric item column not used by the design.
    by:
        Domain columns.
    schemes:
        Satisfaction and PAR schemes.
    proportion_interval:
        Interval for shares (``korn-graubard`` or ``wilson``, ``logit``).
    level:
        Confidence level.
    """

    satisfied: tuple[float, ...] | None = None
    items: tuple[str, ...] | None = None
    by: tuple[str, ...] = ()
    schemes: tuple[SatisfactionScheme | ParScheme, ...] = field(default=())
    proportion_interval: str = "korn-graubard"
    level: float = 0.95


def starting_weights(table: ResponseTable, column: str | None) -> np.ndarray:
    """Base weights from ``column`` (1 for everyone without it)."""
    if column is None:
        return np.ones(len(table))
    weights = table.numeric(column)
    bad = ~np.isfinite(weights) | (weights <= 0)
    if bad.any():
        raise ResponsesError(
            f"{table.source}: base weight column {column!r} is empty or not positive for response "
            f"{table.ids[np.flatnonzero(bad)[0]]!r}"
        )
    return weights


def weigh(table: ResponseTable, margins: Sequence[Margin], options: WeightingOptions) -> WeightingResult:
    """Weight the responses to the margins.

    Raises
    ------
    MarginError
        Inconsistent margins, categories without targets, targets without
        respondents, or a method that does not fit the margins.
    """
    columns = {m.variable: table.text(m.variable) for m in margins if table.has(m.variable)}
    groups = table.text("group") if table.has("group") else None
    auxiliary, targets = design_from_margins(columns, margins, groups=groups, ids=table.lazy_ids)
    d = starting_weights(table, options.base_weight)
    method = options.method or ("poststratify" if len(margins) == 1 else "rake")
    if method not in METHODS:
        raise MarginError(f"unknown weighting method {method!r}; choose one of {', '.join(METHODS)}")
    if options.bounds is not None and method not in ("linear", "logit"):
        raise MarginError("bounds apply to linear and logit calibration only")
    if method == "poststratify":
        if len(margins) != 1:
            raise MarginError(f"post-stratification needs one margin variable, the margins have {len(margins)}; use rake")
        result = poststratify(auxiliary, d, targets)
    elif method == "rake":
        result = rake(auxiliary, d, targets, max_iter=options.max_iter, tol=options.tol)
    else:
        if method == "logit" and options.bounds is None:
            raise MarginError("logit calibration needs bounds (--bounds L U)")
        result = calibrate(
            auxiliary, d, targets, distance=method, bounds=options.bounds, max_iter=options.max_iter, tol=options.tol
        )
    if options.trim is not None:
        result = trim(result, *options.trim, strict=options.strict_trim, max_iter=options.max_iter)
    notes = unweighted_groups(groups, margins)
    for note in notes:
        logger.warning("%s", note)
    return dataclasses.replace(result, notes=result.notes + notes) if notes else result


def unweighted_groups(groups: np.ndarray | None, margins: Sequence[Margin]) -> tuple[str, ...]:
    """A note for each respondent group that no margin covers: its rows keep their base weights.

    Margins with a ``group`` column weight each group to its own totals; an
    export of every group weighted with margins for some groups only is
    normal (the office knows the citizens' transactions, not the businesses'),
    so it is said, not refused.
    """
    if groups is None or any(m.group is None for m in margins):
        return ()
    covered = {m.group for m in margins}
    missing = sorted({str(g) for g in np.asarray(groups).astype(str)} - covered - {""})
    values = np.asarray(groups).astype(str)
    return tuple(
        f"nhóm {g!r} không có số liệu tổng thể: {int((values == g).sum())} phiếu giữ trọng số cơ sở / "
        f"group {g!r} has no margins: its {int((values == g).sum())} response(s) keep their base weights"
        for g in missing
    )


def build_design(table: ResponseTable, weighting: WeightingResult, options: DesignOptions) -> SurveyDesign:
    """The survey design of the responses: weights, strata, PSUs, fpc and calibration."""
    strata = table.text(options.strata) if options.strata else None
    ids = [table.text(options.psu)] if options.psu else None
    fpc = [table.numeric(options.fpc)] if options.fpc else None
    return SurveyDesign.build(
        np.asarray(weighting.weights),
        strata=strata,
        ids=ids,
        fpc=fpc,
        calibration=weighting.calibration,
        lonely_psu=options.lonely_psu,
    )


def design_columns(weighting: WeightingOptions, design: DesignOptions, margins: Sequence[Margin]) -> set[str]:
    """Columns that describe the sample rather than answers (not reported as items)."""
    used = {m.variable for m in margins}
    used |= {c for c in (weighting.base_weight, design.strata, design.psu, design.fpc) if c}
    return used


def select_items(table: ResponseTable, patterns: Sequence[str] | None, exclude: set[str]) -> list[str]:
    """Numeric item columns matching ``patterns`` (all numeric items by default)."""
    candidates = [c for c in table.item_columns() if c not in exclude]
    if patterns:
        chosen = [c for c in candidates if any(fnmatch.fnmatchcase(c, p) for p in patterns)]
        for column in chosen:
            table.numeric(column)  # raises a clear error for a text column asked for by name
        return chosen
    return [c for c in candidates if table.is_numeric(c) and np.isfinite(table.numeric(c)).any()]


def build_catalogue(table: ResponseTable, options: EstimateOptions, exclude: set[str]) -> Catalogue:
    """Item indicators and scheme indicators, in output order."""
    catalogue = Catalogue()
    items = select_items(table, options.items, exclude | set(options.by))
    add_items(catalogue, items, satisfied=options.satisfied, proportion_interval=options.proportion_interval)
    for scheme in options.schemes:
        if isinstance(scheme, ParScheme):
            add_par(catalogue, scheme)
        else:
            add_satisfaction(catalogue, scheme, proportion_interval=options.proportion_interval)
    return catalogue


def item_data(table: ResponseTable, catalogue: Catalogue) -> Data:
    """The answers the catalogue needs, as floats (items absent from the table are skipped)."""
    needed = dict.fromkeys(c.item for c in catalogue.components)
    items = {item: table.numeric(item) for item in needed if table.has(item)}
    groups = table.text("group") if table.has("group") else np.full(len(table), "", dtype=object)
    return Data(items, groups)


def domains(table: ResponseTable, by: Sequence[str]) -> list[tuple[str, np.ndarray | None]]:
    """``all`` and one ``<col>=<value>`` domain per non-empty value of each ``by`` column."""
    out: list[tuple[str, np.ndarray | None]] = [("all", None)]
    for column in by:
        values = table.text(column)
        for value in sorted(set(values) - {""}):
            out.append((f"{column}={value}", values == value))
    return out


def estimate_table(
    table: ResponseTable,
    design: SurveyDesign,
    options: EstimateOptions,
    exclude: set[str],
    step: Callable[[Iterable], Iterable] = lambda it: it,
) -> list[Row]:
    """Every indicator for ``all`` and each domain (``step`` wraps the loop over
    domains, e.g. in a progress bar)."""
    catalogue = build_catalogue(table, options, exclude)
    data = item_data(table, catalogue)
    rows, _ = estimate(design, data, catalogue, step(domains(table, options.by)), level=options.level)
    return rows
