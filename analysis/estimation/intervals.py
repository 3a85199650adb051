"""Confidence intervals: t with design degrees of freedom, and for proportions
Wilson, Korn-Graubard and logit."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

INTERVALS = ("t", "normal", "wilson", "korn-graubard", "logit")

# Below this many degrees of freedom the t quantile is scipy.special.stdtrit's; from here up,
# the Normal quantile with its Cornish-Fisher terms in 1/df (see t_quantile).
EXPANSION_DF = 10_000.0


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (Normal for ``df = inf``).

    The Normal quantile is :class:`statistics.NormalDist`'s: Wichura's AS 241, the
    algorithm of R's ``qnorm``, and the same bits. From :data:`EXPANSION_DF` degrees
    of freedom up, the t quantile adds the Cornish-Fisher terms to ``1/df**4``
    (Abramowitz and Stegun 1964, 26.7.5); the terms left out are below ``1e-20`` of
    the value there, and the result is within two units in the last place of R's
    ``qt`` (``tests/analysis/test_quantiles.py``), nearer than ``stdtrit``. Fewer
    degrees of freedom take ``scipy.special.stdtrit`` (the function ``scipy.stats.t.ppf``
    calls); importing it costs 0.1 s (SciPy's array-API layer), which the commands
    on a large survey therefore do not pay.
    """
    z = NormalDist().inv_cdf(p)
    if not np.isfinite(df):
        return z
    if df < EXPANSION_DF:
        from scipy.special import stdtrit

        return float(stdtrit(df, p))
    z2 = z * z
    g1 = (z2 + 1) * z / 4
    g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


def _quantile(level: float, df: float) -> float:
    """The upper quantile of a two-sided interval at ``level``."""
    return t_quantile(1.0 - (1.0 - level) / 2.0, df)


def t_interval(value: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """``value -/+ t(df) se``; ``df = inf`` gives the Normal interval."""
    q = _quantile(level, df) if df > 0 else np.nan
    return value - q * se, value + q * se


def _effective_n(p: float, se: float, n: int) -> float:
    """Design-effective sample size ``p (1 - p) / V``; the actual ``n`` when the
    variance is zero (an estimate of 0 or 1), as Korn and Graubard advise."""
    var = se * se
    return p * (1.0 - p) / var if var > 0 and 0 < p < 1 else float(n)


def wilson(p: float, se: float, df: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score interval with the design-effective sample size.

    Uses ``n* = p (1 - p) / V`` in the Wilson formula and the t quantile with
    the design degrees of freedom (Normal when ``df`` is infinite).
    """
    m = _effective_n(p, se, n)
    q = _quantile(level, df)
    q2 = q * q
    centre = (p + q2 / (2 * m)) / (1 + q2 / m)
    half = q / (1 + q2 / m) * np.sqrt(p * (1 - p) / m + q2 / (4 * m * m))
    return max(0.0, centre - half), min(1.0, centre + half)


def korn_graubard(p: float, se: float, df: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Korn and Graubard (1998) Clopper-Pearson interval for survey proportions.

    The effective sample size ``p (1 - p) / V`` is multiplied by
    ``(t_{n-1} / t_df)^2`` before the exact binomial (beta) limits, as R's
    ``svyciprop(method = "beta")``. Here ``n`` is the number of respondents
    the estimate uses; R takes the rows of the design, which is the same for
    the whole sample and larger for a domain.
    """
    from scipy import stats

    alpha = 1.0 - level
    m = _effective_n(p, se, n)
    if np.isfinite(df) and df > 0 and n > 1:
        m *= (t_quantile(alpha / 2, n - 1) / t_quantile(alpha / 2, df)) ** 2
    x = m * p
    low = 0.0 if x <= 0 else float(stats.beta.ppf(alpha / 2, x, m - x + 1))
    high = 1.0 if m - x <= 0 else float(stats.beta.ppf(1 - alpha / 2, x + 1, m - x))
    return low, high


def logit_interval(p: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Wald interval on the logit scale, back-transformed (R ``svyciprop``
    default): ``expit(logit p -/+ t(df) se / (p (1 - p)))``."""
    from scipy.special import expit, logit

    if not 0 < p < 1:
        return p, p
    q = _quantile(level, df)
    half = q * se / (p * (1 - p))
    return float(expit(logit(p) - half)), float(expit(logit(p) + half))


def interval(
    method: str, value: float, se: float, df: float, n: int, level: float = 0.95
) -> tuple[float, float]:
    """Dispatch to one of :data:`INTERVALS`."""
    if not np.isfinite(value) or not np.isfinite(se) or (method != "normal" and not df > 0):
        return float("nan"), float("nan")
    if method == "t":
        return t_interval(value, se, df, level)
    if method == "normal":
        return t_interval(value, se, np.inf, level)
    if method == "wilson":
        return wilson(value, se, df, n, level)
    if method in ("korn-graubard", "beta"):
        return korn_graubard(value, se, df, n, level)
    if method == "logit":
        return logit_interval(value, se, df, level)
    raise ValueError(f"unknown interval {method!r}; choose one of {', '.join(INTERVALS)}")
