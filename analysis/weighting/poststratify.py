"""Post-stratification: scale the weights of each cell to its known total."""

from __future__ import annotations

import numpy as np

from analysis.weighting.auxiliary import Auxiliary
from analysis.weighting.result import WeightingResult, make_result


def poststratify(auxiliary: Auxiliary, base_weights: np.ndarray, targets: np.ndarray) -> WeightingResult:
    """Post-stratify on a single categorical variable.

    Each respondent's weight in post-stratum h becomes ``d_i N_h / N-hat_h``,
    where ``N-hat_h`` is the sum of base weights in the cell (Holt and Smith
    1979; Lohr 2022, section 4.4). Rows outside the factor's scope keep their
    base weights.

    Parameters
    ----------
    auxiliary:
        Exactly one factor, no numeric variables.
    base_weights:
        Weights before post-stratification, positive.
    targets:
        Population total per level of the factor.

    Raises
    ------
    ValueError
        If the design is not a single factor, or a level with a positive
        target has no respondents.
    """
    if len(auxiliary.factors) != 1 or auxiliary.numeric is not None:
        raise ValueError("post-stratification needs exactly one categorical variable; use rake or calibrate")
    factor = auxiliary.factors[0]
    d = np.asarray(base_weights, dtype=float)
    targets = np.asarray(targets, dtype=float)
    inside = factor.codes >= 0
    estimated = np.bincount(factor.codes[inside], d[inside], minlength=len(factor.levels))
    empty = (estimated <= 0) & (targets > 0)
    if empty.any():
        level = factor.levels[int(np.flatnonzero(empty)[0])]
        raise ValueError(f"variable {factor.name!r}: category {level!r} has a target but no respondents")
    ratio = np.divide(targets, estimated, out=np.zeros_like(targets), where=estimated > 0)
    weights = d.copy()
    weights[inside] *= ratio[factor.codes[inside]]
    return make_result(
        weights,
        "poststratify",
        converged=True,
        iterations=1,
        auxiliary=auxiliary,
        base_weights=d,
        targets=targets,
    )
