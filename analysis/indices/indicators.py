"""Indicators as linear functions of item means, estimated per domain.

Every published figure here is built from *components*, weighted means of
one item over the respondents of some groups (the mean answer, or the share
of answers in a set). Item indicators are single components; an element,
index or PAR score is a tree of weighted means and sums of components. The
tree is evaluated per domain, giving both the value and its gradient with
respect to the components, so the composite's influence values are the
same linear combination of the components' influences: its standard error
comes from linearising the composite per respondent (Woodruff 1971), which
keeps the correlation between items and elements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.estimation import Linearized, SurveyDesign, means, summarise


@dataclass(frozen=True)
class Component:
    """The weighted mean of ``item`` (or of its indicator of ``values``)
    among respondents of ``groups`` (all when empty) who answered it."""

    item: str
    values: tuple[float, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Term:
    """A node of a composite: a component (``component`` set) or an
    aggregation of sub-terms, followed by ``shift + scale * value``."""

    component: int | None = None
    children: tuple[Term, ...] = ()
    weights: tuple[float, ...] = ()
    aggregation: str = "mean"
    scale: float = 1.0
    shift: float = 0.0

    def evaluate(self, values: np.ndarray) -> tuple[float, np.ndarray]:
        """Value and gradient with respect to the component estimates.

        A weighted mean uses the children that are defined in this domain
        (weights renormalised); a sum is undefined if any child is.
        """
        if self.component is not None:
            grad = np.zeros(len(values))
            grad[self.component] = 1.0
            value, gradient = float(values[self.component]), grad
        else:
            parts = [child.evaluate(values) for child in self.children]
            defined = [(w, v, g) for w, (v, g) in zip(self.weights, parts) if np.isfinite(v)]
            if self.aggregation == "sum":
                if len(defined) < len(parts):
                    return float("nan"), np.zeros(len(values))
                value = sum(w * v for w, v, _ in defined)
                gradient = sum(w * g for w, _, g in defined)
            else:
                total = sum(w for w, _, _ in defined)
                if not defined or total <= 0:
                    return float("nan"), np.zeros(len(values))
                value = sum(w * v for w, v, _ in defined) / total
                gradient = sum(w * g for w, _, g in defined) / total
        return self.shift + self.scale * value, self.scale * np.asarray(gradient, dtype=float)


@dataclass(frozen=True)
class Indicator:
    """A published indicator.

    Attributes
    ----------
    name:
        ``mean:<item>``, ``satisfied:<item>``, ``<scheme>:<code>``, ...
    term:
        How it is computed from components.
    interval:
        Confidence interval method (``t`` for means and composites, a
        proportion method for shares).
    label:
        Display title ``{vi, en}``.
    """

    name: str
    term: Term
    interval: str = "t"
    label: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One line of an estimates table."""

    indicator: str
    domain: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    df: float
    deff: float


class Catalogue:
    """Components and indicators under construction (deduplicates components)."""

    def __init__(self) -> None:
        self.components: list[Component] = []
        self.indicators: list[Indicator] = []
        self._index: dict[Component, int] = {}

    def component(self, component: Component) -> Term:
        """A term for ``component``, registering it once."""
        if component not in self._index:
            self._index[component] = len(self.components)
            self.components.append(component)
        return Term(component=self._index[component])

    def add(self, indicator: Indicator) -> None:
        """Append an indicator to the output."""
        self.indicators.append(indicator)


@dataclass(frozen=True)
class Data:
    """Everything the estimation needs from the responses, as arrays.

    Attributes
    ----------
    items:
        Item code to answers (float, NaN = no answer).
    groups:
        Respondent group of every row (empty strings when unknown).
    """

    items: Mapping[str, np.ndarray]
    groups: np.ndarray


def component_arrays(data: Data, components: Sequence[Component]) -> tuple[np.ndarray, np.ndarray]:
    """Values ``(n, m)`` and the rows each component is over ``(n, m)``.

    A component whose item is absent from the data is over no rows (its
    estimate is undefined and composites skip it).
    """
    n, m = len(data.groups), len(components)
    # written straight into the (n, m) C-order arrays the estimators take, a block of rows at a
    # time: a column written down the whole array would touch every cache line of it once per
    # component (0.085 -> 0.05 s for 300,000 x 16); fresh pages for a transposed pair cost more
    values = np.zeros((n, m))
    used = np.zeros((n, m), dtype=bool)
    columns = []
    for j, comp in enumerate(components):
        answers = data.items.get(comp.item)
        if answers is not None:
            groups = np.isin(data.groups, comp.groups) if comp.groups else None
            columns.append((j, answers, groups, comp.values))
    step = max(1, (1 << 20) // (9 * max(m, 1)))  # rows whose values and flags fill about 1 MB
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        for j, answers, groups, codes in columns:
            part = answers[rows]
            observed = ~np.isnan(part)
            if groups is not None:
                observed &= groups[rows]
            used[rows, j] = observed
            values[rows, j] = np.isin(part, codes) if codes else np.where(observed, part, 0.0)
    return values, used


def estimate(
    design: SurveyDesign,
    data: Data,
    catalogue: Catalogue,
    domains: Iterable[tuple[str, np.ndarray | None]],
    *,
    level: float = 0.95,
    keep: Iterable[str] = (),
) -> tuple[list[Row], dict[str, dict[str, np.ndarray]]]:
    """Estimate every indicator of ``catalogue`` in every domain.

    Parameters
    ----------
    design:
        The survey design (weights, stages, calibration).
    data:
        Answers and groups.
    catalogue:
        Components and indicators.
    domains:
        ``(label, mask)`` pairs; ``None`` for the whole sample. Rows outside a
        domain stay in the design with zero influence.
    level:
        Confidence level.
    keep:
        Indicator names whose influence values to return per domain (for
        covariances between domains, as rankings need).

    Returns
    -------
    rows, influences
        Table rows (indicator order within each domain), and for each kept
        indicator a mapping domain label -> influence vector.
    """
    values, base_used = component_arrays(data, catalogue.components)
    keep = set(keep)
    rows: list[Row] = []
    influences: dict[str, dict[str, np.ndarray]] = {name: {} for name in keep}
    for label, mask in domains:
        used = base_used if mask is None else base_used & np.asarray(mask, dtype=bool)[:, None]
        parts = means(design.weights, values, used)
        lin = _indicators(parts, catalogue.indicators)
        for j, (ind, est) in enumerate(zip(catalogue.indicators, summarise(design, lin))):
            low, high = est.confint(ind.interval, level)
            rows.append(Row(ind.name, label, est.value, est.se, low, high, est.n, est.n_eff, est.df, est.deff))
            if ind.name in keep:
                influences[ind.name][label] = lin.influence[:, j].copy()
    return rows, influences


def _indicators(parts: Linearized, indicators: Sequence[Indicator]) -> Linearized:
    """Evaluate every indicator's term on the component estimates."""
    m = len(parts.values)
    coefficients = np.zeros((m, len(indicators)))
    offsets = np.zeros(len(indicators))
    direct = np.full(len(indicators), -1)
    for j, ind in enumerate(indicators):
        term = ind.term
        if term.component is not None and term.scale == 1.0 and term.shift == 0.0:
            direct[j] = term.component
        value, gradient = term.evaluate(parts.values)
        coefficients[:, j] = gradient
        offsets[j] = value - gradient @ np.nan_to_num(parts.values) if np.isfinite(value) else np.nan
    combined = parts.combine(coefficients, offsets)
    # plain item means keep their own SRS variance, for the design effect
    srs = np.where(direct >= 0, parts.srs_variance[np.maximum(direct, 0)], np.nan)
    return Linearized(combined.values, combined.influence, combined.used, srs)
