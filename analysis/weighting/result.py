"""The one result shape every weighting method returns."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from analysis.weighting.auxiliary import Auxiliary, Calibration

logger = logging.getLogger("analysis.weighting")


def kish_effective_n(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` (Kish 1992)."""
    w = np.asarray(weights, dtype=float)
    sq = float(w @ w)
    return float(w.sum()) ** 2 / sq if sq > 0 else 0.0


def kish_deff(weights: np.ndarray) -> float:
    """Kish's weighting design effect ``n sum w^2 / (sum w)^2`` (Kish 1992)."""
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    return len(w) * float(w @ w) / total**2 if total > 0 else float("nan")


def margin_error(achieved: np.ndarray, targets: np.ndarray) -> float:
    """Worst relative gap between achieved and target totals.

    ``|achieved - target| / (1 + |target|)``, the criterion of R's
    ``calibrate``: relative for counts, absolute for targets near zero.
    """
    return float(np.max(np.abs(achieved - targets) / (1.0 + np.abs(targets)))) if len(targets) else 0.0


@dataclass(frozen=True)
class WeightingResult:
    """Weights and diagnostics, the same for every method.

    Attributes
    ----------
    weights:
        Final weight per row (read-only array).
    method:
        Name of the method that produced them.
    converged:
        Whether the method met its tolerance within its iteration limit.
    iterations:
        Iterations used (1 for closed-form methods).
    max_margin_error:
        Worst relative gap between the weighted totals and the targets.
    n_eff:
        Kish effective sample size of the weights.
    deff:
        Kish weighting design effect ``n sum w^2 / (sum w)^2``.
    calibration:
        Auxiliary design and base weights, for calibration-aware standard
        errors; ``None`` when the weights are not calibrated.
    targets:
        Target totals, aligned with the columns of the auxiliary design.
    notes:
        What a reader of the figures must know about the weighting, e.g. a
        respondent group left at its base weights because it has no margins.
    """

    weights: np.ndarray
    method: str
    converged: bool
    iterations: int
    max_margin_error: float
    n_eff: float
    deff: float
    calibration: Calibration | None = None
    targets: np.ndarray | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> dict[str, object]:
        """Diagnostics as plain values (for printing and reports)."""
        return {
            "method": self.method,
            "converged": self.converged,
            "iterations": self.iterations,
            "max_margin_error": self.max_margin_error,
            "n": len(self.weights),
            "n_eff": self.n_eff,
            "deff": self.deff,
            "min_weight": float(self.weights.min()) if len(self.weights) else float("nan"),
            "max_weight": float(self.weights.max()) if len(self.weights) else float("nan"),
        }


def make_result(
    weights: np.ndarray,
    method: str,
    *,
    converged: bool,
    iterations: int,
    auxiliary: Auxiliary | None = None,
    base_weights: np.ndarray | None = None,
    targets: np.ndarray | None = None,
) -> WeightingResult:
    """Assemble a :class:`WeightingResult`, logging non-convergence.

    A method that stops at its iteration limit says so here, once, through
    the ``analysis.weighting`` logger, and in the ``converged`` field.
    """
    weights = np.array(weights, dtype=float)
    weights.setflags(write=False)
    error = 0.0
    calibration = None
    if auxiliary is not None and targets is not None:
        error = margin_error(auxiliary.totals(weights), targets)
        calibration = Calibration(auxiliary, np.asarray(base_weights, dtype=float))
    if not converged:
        logger.warning(
            "%s weighting did not converge in %d iterations (worst margin error %.3g)",
            method,
            iterations,
            error,
        )
    return WeightingResult(
        weights=weights,
        method=method,
        converged=converged,
        iterations=iterations,
        max_margin_error=error,
        n_eff=kish_effective_n(weights),
        deff=kish_deff(weights),
        calibration=calibration,
        targets=None if targets is None else np.asarray(targets, dtype=float),
    )


def base_weights(weights: np.ndarray) -> WeightingResult:
    """Wrap given weights (design or base weights) in the common result shape."""
    return make_result(weights, "base", converged=True, iterations=0)
