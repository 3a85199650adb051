"""Ranking units with their uncertainty: intervals of plausible ranks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RankedUnit:
    """A unit's rank and the interval of ranks compatible with the data."""

    label: str
    estimate: float
    rank: int
    rank_low: int
    rank_high: int


def plausible_ranks(
    labels: Sequence[str],
    estimates: Sequence[float],
    covariance: np.ndarray,
    *,
    level: float = 0.95,
    draws: int = 4000,
    seed: int = 12345,
    higher_is_better: bool = True,
) -> list[RankedUnit]:
    """Rank units and give each an interval of plausible ranks.

    Draws the vector of unit estimates from its approximate sampling
    distribution, Normal with the design-based covariance (units share the
    design, and calibration makes their estimates correlated), ranks every
    draw, and reports the central ``level`` range of each unit's rank
    (Goldstein and Spiegelhalter 1996; Marshall and Spiegelhalter 1998). Two
    units whose intervals overlap should not be told apart. The seed makes
    a report reproducible.

    Parameters
    ----------
    labels, estimates:
        Units and their point estimates (units without an estimate, NaN,
        are left out).
    covariance:
        Covariance matrix of the estimates (same order).
    level:
        Coverage of the rank intervals.
    draws:
        Number of simulated draws.
    seed:
        Random seed.
    higher_is_better:
        Rank 1 goes to the highest estimate.
    """
    estimates = np.asarray(estimates, dtype=float)
    keep = np.flatnonzero(np.isfinite(estimates))
    if len(keep) == 0:
        return []
    mu = estimates[keep]
    cov = np.asarray(covariance, dtype=float)[np.ix_(keep, keep)]
    sign = -1.0 if higher_is_better else 1.0
    rng = np.random.default_rng(seed)
    sample = rng.multivariate_normal(mu, cov, size=draws, method="eigh", check_valid="ignore")
    ranks = np.argsort(np.argsort(sign * sample, axis=1, kind="stable"), axis=1) + 1
    alpha = (1.0 - level) / 2.0
    low = np.quantile(ranks, alpha, axis=0, method="lower")
    high = np.quantile(ranks, 1.0 - alpha, axis=0, method="higher")
    point = np.argsort(np.argsort(sign * mu, kind="stable"), kind="stable") + 1
    return [
        RankedUnit(str(labels[i]), float(mu[j]), int(point[j]), int(low[j]), int(high[j]))
        for j, i in enumerate(keep)
    ]
