"""Trimming extreme weights, with the trimmed amount given back."""

from __future__ import annotations

import numpy as np

from analysis.weighting.result import WeightingResult, make_result


def trim(
    result: WeightingResult,
    lower: float,
    upper: float,
    *,
    strict: bool = False,
    max_iter: int = 100,
) -> WeightingResult:
    """Trim weights to ``[lower, upper]`` and redistribute what was cut.

    As R's ``trimWeights``: weights outside the bounds are set to the bound and
    the total removed (or added) is shared equally among the weights that
    were inside, so the sum of weights is unchanged. That sharing can push
    some weights past a bound again; ``strict=True`` repeats the step until
    none is out of bounds (Potter 1990 describes the iterative version).

    Parameters
    ----------
    result:
        Weights to trim; its calibration data (if any) is kept so that the
        margin error is reported against the same targets and standard errors
        still use the calibration residuals.
    lower, upper:
        Bounds on the weights themselves (not on the ratio to base weights).
    strict:
        Repeat until all weights are within bounds.
    max_iter:
        Maximum number of passes in strict mode.

    Returns
    -------
    WeightingResult
        ``converged`` is ``False`` (with a logged warning) when strict trimming
        cannot bring every weight within bounds, for example because
        ``lower * n`` exceeds the total.
    """
    if not lower <= upper:
        raise ValueError(f"trimming bounds are reversed: lower {lower} > upper {upper}")
    weights = np.array(result.weights, dtype=float)
    iterations = 0
    converged = True
    while True:
        outside = (weights < lower) | (weights > upper)
        if not outside.any():
            break
        if outside.all() or iterations >= max_iter:
            converged = False
            break
        iterations += 1
        clipped = np.clip(weights, lower, upper)
        removed = float((weights - clipped).sum())
        clipped[~outside] += removed / int((~outside).sum())
        weights = clipped
        if not strict:
            break
    calibration = result.calibration
    return make_result(
        weights,
        f"{result.method}+trim{'(strict)' if strict else ''}",
        converged=converged and result.converged,
        iterations=result.iterations + iterations,
        auxiliary=None if calibration is None else calibration.auxiliary,
        base_weights=None if calibration is None else calibration.base_weights,
        targets=result.targets,
    )
