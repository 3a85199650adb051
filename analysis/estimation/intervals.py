"""Confidence intervals: t with design degrees of freedom, and for proportions
Wilson, Korn-Graubard and logit."""

from __future__ import annotations

import numpy as np

# t and Normal quantiles come straight from scipy.special (the functions scipy.stats'
# t.ppf and norm.ppf call, so the values are the same): importing scipy.stats takes
# longer than a whole estimate. It is imported only for the beta limits (Korn-Graubard).
# scipy.special itself (0.15 s of CPU to import) is imported on the first interval, so
# that commands which compute none (``weight``) do not pay for it.

INTERVALS = ("t", "normal", "wilson", "korn-graubard", "logit")


def _quantile(level: float, df: float) -> float:
    from scipy.special import ndtri, stdtrit

    upper = 1.0 - (1.0 - level) / 2.0
    return float(ndtri(upper) if not np.isfinite(df) else stdtrit(df, upper))


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
    from scipy.special import stdtrit

    alpha = 1.0 - level
    m = _effective_n(p, se, n)
    if np.isfinite(df) and df > 0 and n > 1:
        m *= (stdtrit(n - 1, alpha / 2) / stdtrit(df, alpha / 2)) ** 2
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
