"""Data-quality flags: very fast completion, straight-lining, item non-response.

The definitions and thresholds are :mod:`analysis.quality`'s, the ones the
console's dashboard counts with; this module applies them to arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.quality import QualityRules


@dataclass(frozen=True)
class QualityFlags:
    """Per-response flags (boolean arrays)."""

    fast: np.ndarray
    straightlining: np.ndarray
    nonresponse: np.ndarray

    @property
    def any(self) -> np.ndarray:
        """Responses with at least one flag."""
        return self.fast | self.straightlining | self.nonresponse

    def counts(self) -> dict[str, int]:
        """Number of responses with each flag."""
        return {
            "fast": int(self.fast.sum()),
            "straightlining": int(self.straightlining.sum()),
            "nonresponse": int(self.nonresponse.sum()),
            "any": int(self.any.sum()),
        }


def quality_flags(
    items: Mapping[str, np.ndarray],
    groups: np.ndarray,
    duration: np.ndarray | None,
    rating_items: Sequence[str],
    rules: QualityRules = QualityRules(),
) -> QualityFlags:
    """Flag responses whose answers deserve a second look.

    Parameters
    ----------
    items:
        Item code to answers (NaN = no answer).
    groups:
        Respondent group of every row.
    duration:
        ``duration_seconds`` (NaN when unknown), or ``None``.
    rating_items:
        The rating-scale items the straight-lining and non-response rules
        look at (for example a satisfaction scheme's items).
    rules:
        Thresholds.
    """
    n = len(groups)
    columns = [items[i] for i in rating_items if i in items]
    answers = np.column_stack(columns) if columns else np.full((n, 0), np.nan)
    answered = ~np.isnan(answers)
    asked = np.zeros_like(answered)
    for group in np.unique(groups):
        rows = groups == group
        asked[rows] = answered[rows].any(axis=0)
    if duration is None:
        fast = np.zeros(n, dtype=bool)
    else:
        fast = np.isfinite(duration) & (duration < rules.fast_seconds)
    count = answered.sum(axis=1)
    highest = np.where(answered, answers, -np.inf).max(axis=1, initial=-np.inf)
    lowest = np.where(answered, answers, np.inf).min(axis=1, initial=np.inf)
    spread = highest - lowest
    straight = (count >= rules.straightline_min_items) & (spread == 0)
    n_asked = asked.sum(axis=1)
    missing = np.divide(n_asked - count, n_asked, out=np.zeros(n), where=n_asked > 0)
    return QualityFlags(fast, straight, missing > rules.max_missing)
