"""Target sample sizes."""

from __future__ import annotations

import math


def sample_size(transactions: int, margin: float = 0.05) -> int:
    """Slovin's rule n = N / (1 + N e^2), rounded up (METHODOLOGY.md).

    The usual rule of Vietnamese survey plans; it is the sample size for a
    proportion near 0.5 at about 95% confidence under simple random sampling.
    """
    if transactions < 0:
        raise ValueError("the number of transactions cannot be negative")
    if not 0 < margin < 1:
        raise ValueError("the margin of error must be between 0 and 1")
    if transactions == 0:
        return 0
    return math.ceil(transactions / (1 + transactions * margin**2))
