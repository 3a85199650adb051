"""Means, proportions, totals and ratios with linearised standard errors.

The work is vectorised over estimates: :func:`ratios` takes matrices of
numerators and denominators (one column per estimate, zeros outside a domain
or where an answer is missing) and returns all estimates with their influence
values; :func:`summarise` adds standard errors in one pass over the data.
The single-estimate functions (:func:`mean`, :func:`proportion`,
:func:`total`, :func:`ratio`) are thin wrappers for interactive use and tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.estimation.design import SurveyDesign
from analysis.estimation.intervals import interval


@dataclass(frozen=True)
class Linearized:
    """Estimates with their influence values.

    Attributes
    ----------
    values:
        Point estimates, shape ``(k,)``.
    influence:
        ``(n, k)`` influence values (zero for rows an estimate does not use).
    used:
        ``(n, k)`` boolean: the rows each estimate uses.
    srs_variance:
        Variance of each estimate under simple random sampling of the same
        size, for the design effect (NaN where not defined).
    """

    values: np.ndarray
    influence: np.ndarray
    used: np.ndarray
    srs_variance: np.ndarray

    def combine(self, coefficients: np.ndarray, offsets: np.ndarray) -> Linearized:
        """Linear combinations ``offsets + values @ coefficients``.

        Undefined estimates (NaN) must have zero coefficients; a combination
        that is itself undefined has a NaN offset.

        The influence of a combination is the same combination of influences
        (linearisation of a composite per respondent), so composites carry the
        correlation between their parts into the variance.
        """
        coefficients = np.asarray(coefficients, dtype=float)
        nonzero = (coefficients != 0).astype(float)
        picks = _column_picks(coefficients)
        if (picks is not None and np.array_equal(picks, np.arange(len(self.values)))
                and self.influence.flags.c_contiguous and self.used.flags.c_contiguous):
            # the combinations are the estimates themselves, in order: the same arrays, no copy
            return Linearized(
                values=offsets + np.nan_to_num(self.values),
                influence=self.influence,
                used=self.used,
                srs_variance=np.full(coefficients.shape[1], np.nan),
            )
        if picks is not None:  # every combination is one estimate as it is: take the columns
            return Linearized(
                values=offsets + np.nan_to_num(self.values)[picks],
                # C order, as a product's result is: sums over rows then run in the same order
                influence=np.ascontiguousarray(self.influence[:, picks]),
                used=np.ascontiguousarray(self.used[:, picks]),
                srs_variance=np.full(coefficients.shape[1], np.nan),
            )
        return Linearized(
            values=offsets + np.nan_to_num(self.values) @ coefficients,
            influence=self.influence @ coefficients,
            used=(self.used.astype(float) @ nonzero) > 0,
            srs_variance=np.full(coefficients.shape[1], np.nan),
        )


def _column_picks(coefficients: np.ndarray) -> np.ndarray | None:
    """The row of the single 1 in every column, if each column is a unit vector (else None).

    Multiplying by such a matrix selects columns; selecting them is the same
    numbers (x * 1 + 0 * y = x) without an (n, k) x (k, m) product.
    """
    if coefficients.ndim != 2 or coefficients.shape[1] == 0:
        return None
    nonzero = coefficients != 0
    if not (nonzero.sum(axis=0) == 1).all():
        return None
    picks = nonzero.argmax(axis=0)
    if not (coefficients[picks, np.arange(coefficients.shape[1])] == 1.0).all():
        return None
    return picks


@dataclass(frozen=True)
class Estimate:
    """One estimate with its design-based uncertainty.

    Attributes
    ----------
    value, se:
        Estimate and linearised standard error.
    df:
        Design degrees of freedom (PSUs minus strata among the rows used).
    n:
        Rows used (respondents in the domain who answered).
    n_eff:
        Kish effective sample size of the weights of those rows.
    deff:
        Design effect: variance over the variance under simple random
        sampling of the same size (Kish 1965); NaN where not defined.
    """

    value: float
    se: float
    df: float
    n: int
    n_eff: float
    deff: float = float("nan")

    def confint(self, method: str = "t", level: float = 0.95) -> tuple[float, float]:
        """Confidence interval; see :mod:`analysis.estimation.intervals`."""
        return interval(method, self.value, self.se, self.df, self.n, level)


def ratios(
    weights: np.ndarray, numerators: np.ndarray, denominators: np.ndarray, *, proportion_like: bool = True
) -> Linearized:
    """Ratio estimates ``sum w y / sum w x`` for every column, with influences.

    ``z = w (y - R x) / X-hat`` (Woodruff 1971; Wolter 2007, section 6.5).
    A mean over a domain or over those who answered is the ratio with
    ``x = 1`` in the domain and 0 elsewhere.

    Parameters
    ----------
    weights:
        Analysis weights.
    numerators, denominators:
        ``(n, k)`` matrices ``y`` and ``x`` (``y`` zero where ``x`` is zero).
    proportion_like:
        ``x`` is a 0/1 indicator (means and proportions); enables the design
        effect's SRS variance.
    """
    w = np.asarray(weights, dtype=float)
    y = np.asarray(numerators, dtype=float)
    x = np.asarray(denominators, dtype=float)
    if y.ndim == 1:
        y, x = y[:, None], x[:, None]
    totals_x = w @ x
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (w @ y) / totals_x
    safe = np.where(totals_x != 0, values, 0.0)
    residual = y - x * safe
    influence = w[:, None] * residual
    influence /= np.where(totals_x != 0, totals_x, 1.0)
    used = (x != 0) & (w[:, None] != 0)
    srs = _srs_variance(w, residual, used, totals_x) if proportion_like else np.full(len(values), np.nan)
    return Linearized(values, influence, used, srs)


def means(weights: np.ndarray, values: np.ndarray, used: np.ndarray) -> Linearized:
    """Weighted means of every column over the rows marked ``used``, with influences.

    The common case of :func:`ratios` (denominator a 0/1 indicator: a domain,
    those who answered, those in a respondent group), done in place so that a
    million rows and dozens of estimates need one ``(n, k)`` array beyond the
    input: ``z = w (y - ybar) / N-hat`` on used rows, 0 elsewhere.

    Parameters
    ----------
    weights:
        Analysis weights.
    values:
        ``(n, k)`` values; ignored where not used (may hold NaN there).
    used:
        ``(n, k)`` boolean mask of the rows each mean is over.
    """
    w = np.asarray(weights, dtype=float)
    used = np.asarray(used, dtype=bool)
    if used.ndim == 1:
        used = used[:, None]
        values = np.asarray(values)[:, None]
    if not (w != 0).all():  # (the mask as given when every weight counts: no copy)
        used = used & (w[:, None] != 0)
    z = np.where(used, values, 0.0)
    n_hat = weighted_counts(w, used)
    sum_y = w @ z
    sum_y2 = np.einsum("i,ij,ij->j", w, z, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimates = sum_y / n_hat
        centre = np.where(n_hat > 0, estimates, 0.0)
        # sum of w (y - ybar)^2 over used rows, for the design effect
        sum_r2 = np.maximum(sum_y2 - 2 * centre * sum_y + centre**2 * n_hat, 0.0)
    np.subtract(z, centre, out=z, where=used)
    z *= w[:, None]
    z /= np.where(n_hat > 0, n_hat, 1.0)
    return Linearized(estimates, z, used, _srs_from_sums(sum_r2, np.count_nonzero(used, axis=0), n_hat))


def weighted_counts(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``weights @ mask`` for a boolean ``(n, k)`` mask, without a float copy of it."""
    return np.einsum("i,ij->j", weights, mask)


def _srs_variance(w: np.ndarray, residual: np.ndarray, used: np.ndarray, totals_x: np.ndarray) -> np.ndarray:
    """SRS variance of a mean of the same size, as R's ``svymean(deff = TRUE)``.

    ``s^2 / n (1 - n / N-hat)`` with the weighted ``s^2 = n/(n-1) sum w r^2 / N-hat``;
    without the finite population factor when the weights do not sum to more
    than ``n`` (weights not scaled to the population).
    """
    return _srs_from_sums(w @ (residual * residual), used.sum(axis=0), totals_x)


def _srs_from_sums(sum_r2: np.ndarray, n: np.ndarray, n_hat: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = sum_r2 / n_hat * n / (n - 1)
        fpc = np.where(n_hat > n, (n_hat - n) / n_hat, 1.0)
        return s2 / n * fpc


def totals(weights: np.ndarray, values: np.ndarray) -> Linearized:
    """Horvitz-Thompson totals ``sum w y`` with influences ``w y``.

    Missing values (NaN) count as zero, i.e. the total over those who answered.
    """
    w = np.asarray(weights, dtype=float)
    y = np.asarray(values, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    observed = ~np.isnan(y)
    y = np.where(observed, y, 0.0)
    estimates = w @ y
    influence = w[:, None] * y
    n_hat = w @ observed
    average = np.divide(estimates, n_hat, out=np.zeros_like(estimates), where=n_hat != 0)
    residual = np.where(observed, y - average, 0.0)
    srs = _srs_variance(w, residual, observed, n_hat) * n_hat**2
    return Linearized(estimates, influence, observed & (w[:, None] != 0), srs)


def summarise(design: SurveyDesign, lin: Linearized) -> list[Estimate]:
    """Standard errors, degrees of freedom, n and Kish n_eff for every estimate."""
    variances = design.variance(lin.influence)
    w = design.weights
    used = lin.used
    n = np.count_nonzero(used, axis=0)
    sum_w = weighted_counts(w, used)
    sum_w2 = weighted_counts(w * w, used)
    df = design.degrees_of_freedom(used)
    out = []
    for j in range(len(lin.values)):
        n_eff = sum_w[j] ** 2 / sum_w2[j] if sum_w2[j] > 0 else 0.0
        deff = variances[j] / lin.srs_variance[j] if lin.srs_variance[j] > 0 else float("nan")
        out.append(
            Estimate(
                value=float(lin.values[j]),
                se=float(np.sqrt(max(variances[j], 0.0))) if np.isfinite(lin.values[j]) else float("nan"),
                df=float(df[j]),
                n=int(n[j]),
                n_eff=float(n_eff),
                deff=float(deff),
            )
        )
    return out


def _domain(design: SurveyDesign, domain: np.ndarray | None) -> np.ndarray:
    return np.ones(design.n, dtype=bool) if domain is None else np.asarray(domain, dtype=bool)


def mean(design: SurveyDesign, y: Sequence[float], *, domain: np.ndarray | None = None) -> Estimate:
    """Weighted mean of ``y`` over the domain, among non-missing values (R ``svymean``)."""
    y = np.asarray(y, dtype=float)
    return summarise(design, means(design.weights, y, _domain(design, domain) & ~np.isnan(y)))[0]


def proportion(
    design: SurveyDesign, y: Sequence[float], values: Sequence[float] = (1,), *, domain: np.ndarray | None = None
) -> Estimate:
    """Share of non-missing answers in ``values`` (R ``svymean`` of an indicator)."""
    y = np.asarray(y, dtype=float)
    hit = np.isin(y, np.asarray(values, dtype=float)).astype(float)
    return summarise(design, means(design.weights, hit, _domain(design, domain) & ~np.isnan(y)))[0]


def total(design: SurveyDesign, y: Sequence[float], *, domain: np.ndarray | None = None) -> Estimate:
    """Estimated population total of ``y`` over the domain (R ``svytotal``)."""
    y = np.where(_domain(design, domain), np.asarray(y, dtype=float), np.nan)
    return summarise(design, totals(design.weights, y))[0]


def ratio(
    design: SurveyDesign,
    numerator: Sequence[float],
    denominator: Sequence[float],
    *,
    domain: np.ndarray | None = None,
) -> Estimate:
    """Ratio of two totals ``Y-hat / X-hat`` (R ``svyratio``); rows with a
    missing value in either variable are left out."""
    y = np.asarray(numerator, dtype=float)
    x = np.asarray(denominator, dtype=float)
    keep = _domain(design, domain) & ~np.isnan(y) & ~np.isnan(x)
    lin = ratios(design.weights, np.where(keep, y, 0.0), np.where(keep, x, 0.0), proportion_like=False)
    return summarise(design, lin)[0]
