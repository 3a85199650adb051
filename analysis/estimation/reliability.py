"""Internal consistency of multi-item scales."""

from __future__ import annotations

import numpy as np


def cronbach_alpha(weights: np.ndarray, items: np.ndarray) -> float:
    """Survey-weighted Cronbach's alpha (Cronbach 1951).

    ``K/(K-1) (1 - sum var(item_k) / var(sum of items))`` with weighted
    variances, as R's ``svycralpha``; only respondents who answered every
    item are used (the n/(n-1) factors cancel).

    Parameters
    ----------
    weights:
        Analysis weights.
    items:
        ``(n, K)`` answers, NaN where missing.
    """
    items = np.asarray(items, dtype=float)
    k = items.shape[1]
    if k < 2:
        return float("nan")
    complete = ~np.isnan(items).any(axis=1)
    w = np.asarray(weights, dtype=float)[complete]
    x = items[complete]
    if w.sum() <= 0 or len(w) < 2:
        return float("nan")

    def variance(values: np.ndarray) -> np.ndarray:
        centred = values - (w @ values) / w.sum()
        return (w @ (centred * centred)) / w.sum()

    total_var = float(variance(x.sum(axis=1)[:, None])[0])
    if total_var <= 0:
        return float("nan")
    return k / (k - 1) * (1.0 - float(variance(x).sum()) / total_var)
