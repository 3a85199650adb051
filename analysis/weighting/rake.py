"""Raking by iterative proportional fitting."""

from __future__ import annotations

import numpy as np

from analysis.weighting.auxiliary import Auxiliary
from analysis.weighting.result import WeightingResult, make_result, margin_error


def rake(
    auxiliary: Auxiliary,
    base_weights: np.ndarray,
    targets: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-7,
) -> WeightingResult:
    """Rake the weights to the margins of several categorical variables.

    Iterative proportional fitting (Deming and Stephan 1940): adjust the
    weights to each variable's margin in turn until every margin is met.
    The adjustment factor depends only on a respondent's combination of
    categories, so the iterations run on the cells of the cross-classification
    (at most a few thousand) rather than on the rows; the result is the same
    as R's ``rake`` or ``calibrate(calfun = "raking")`` at convergence.

    The result carries the calibration data for residual-based standard
    errors computed as R's ``calibrate`` does (regression weighted by the base
    weights). R's ``rake`` backfits *unweighted* cell means instead; the two
    coincide when base weights are constant within cells (as in the api
    examples) and differ slightly otherwise.

    Parameters
    ----------
    auxiliary:
        Categorical variables only (codes -1 mark rows outside a margin's
        scope; those rows are not adjusted for it).
    base_weights:
        Weights before raking, positive.
    targets:
        Population totals, aligned with ``auxiliary.column_names``.
    max_iter:
        Maximum number of full sweeps over the margins.
    tol:
        Convergence tolerance on the worst relative margin error.

    Returns
    -------
    WeightingResult
        With ``converged=False`` (and a logged warning) when the margins are
        not met within ``max_iter`` sweeps.
    """
    if auxiliary.numeric is not None:
        raise ValueError("raking by IPF needs categorical variables; use calibrate(distance='raking')")
    d = np.asarray(base_weights, dtype=float)
    targets = np.asarray(targets, dtype=float)
    cells = auxiliary.cells
    start = cells.sums(d)
    current = start.copy()
    blocks = []
    for offset, factor in zip(auxiliary.offsets, auxiliary.factors):
        codes = factor.codes[cells.first]
        inside = codes >= 0
        blocks.append((codes[inside], inside, targets[offset : offset + len(factor.levels)]))

    def achieved() -> np.ndarray:
        return np.concatenate(
            [np.bincount(codes, current[inside], minlength=len(t)) for codes, inside, t in blocks]
        )

    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        for codes, inside, t in blocks:
            total = np.bincount(codes, current[inside], minlength=len(t))
            factor = np.divide(t, total, out=np.ones_like(t), where=total > 0)
            current[inside] *= factor[codes]
        if margin_error(achieved(), targets) < tol:
            converged = True
            break
    weights = d * (current / start)[cells.index]
    return make_result(
        weights,
        "rake",
        converged=converged,
        iterations=iterations,
        auxiliary=auxiliary,
        base_weights=d,
        targets=targets,
    )
