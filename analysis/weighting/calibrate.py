"""Calibration estimators: linear (GREG), raking and logit distances, with bounds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis.weighting.auxiliary import Auxiliary, _pinv_psd
from analysis.weighting.result import WeightingResult, make_result, margin_error

DISTANCES = ("linear", "raking", "logit")


@dataclass(frozen=True)
class _Distance:
    """The calibration function g = F(u) and its derivative, for u = x'lambda."""

    g: Callable[[np.ndarray], np.ndarray]
    dg: Callable[[np.ndarray], np.ndarray]


def _distance(name: str, bounds: tuple[float, float] | None) -> _Distance:
    """Calibration functions of Deville and Sarndal (1992), cases 1, 2 and 6.

    ``linear`` gives ``g = 1 + u`` (the GREG weights), truncated to the bounds
    when given; ``raking`` gives ``g = exp(u)``, truncated likewise; ``logit``
    gives the bounded logistic form, which stays strictly within
    ``(lower, upper)``.
    """
    low, up = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if not low < 1 < up:
        raise ValueError(f"bounds on g must satisfy lower < 1 < upper, got ({low}, {up})")
    if name == "linear":
        return _Distance(
            lambda u: np.clip(1.0 + u, low, up),
            lambda u: ((1.0 + u > low) & (1.0 + u < up)).astype(float),
        )
    if name == "raking":
        return _Distance(
            lambda u: np.clip(np.exp(u), low, up),
            lambda u: np.where((np.exp(u) > low) & (np.exp(u) < up), np.exp(u), 0.0),
        )
    if name == "logit":
        if not (np.isfinite(low) and np.isfinite(up)):
            raise ValueError("logit calibration needs finite bounds (lower, upper)")
        from scipy.special import expit  # imported here: only logit calibration needs SciPy

        a = (up - low) / ((up - 1.0) * (1.0 - low))
        c = np.log((1.0 - low) / (up - 1.0))

        def g(u: np.ndarray) -> np.ndarray:
            return low + (up - low) * expit(a * u + c)

        def dg(u: np.ndarray) -> np.ndarray:
            s = expit(a * u + c)
            return (up - low) * a * s * (1.0 - s)

        return _Distance(g, dg)
    raise ValueError(f"unknown calibration distance {name!r}; choose one of {', '.join(DISTANCES)}")


def calibrate(
    auxiliary: Auxiliary,
    base_weights: np.ndarray,
    targets: np.ndarray,
    *,
    distance: str = "linear",
    bounds: tuple[float, float] | None = None,
    max_iter: int = 50,
    tol: float = 1e-7,
) -> WeightingResult:
    """Calibrate weights to known totals of auxiliary variables.

    Finds ``w_i = d_i g(x_i' lambda)`` with ``sum w_i x_i = targets`` by
    Newton's method (Deville and Sarndal 1992; Deville, Sarndal and Sautory
    1993), as R's ``calibrate``: the Jacobian ``X' diag(d g'(u)) X`` is solved
    with a pseudo-inverse, so redundant columns (full dummy coding of several
    factors) are fine, and a step that gives non-finite weights is halved.
    With bounds ``(L, U)`` the ratio ``g = w / d`` is kept within them: the
    ``linear`` distance then gives the truncated linear weights (Kalton and
    Flores-Cervantes 2003), ``logit`` the smooth bounded ones.

    Rows with identical x are collapsed into cells first; with categorical
    variables only, the iterations never touch the full data.

    Parameters
    ----------
    auxiliary:
        Design matrix X (factors and numeric variables).
    base_weights:
        Weights before calibration ``d``, positive.
    targets:
        Population totals aligned with ``auxiliary.column_names``.
    distance:
        ``"linear"``, ``"raking"`` or ``"logit"``.
    bounds:
        ``(lower, upper)`` on ``g``; required for ``logit``.
    max_iter:
        Maximum number of Newton steps.
    tol:
        Tolerance on the worst relative margin error (default 1e-7, as R's
        ``calibrate``).

    Returns
    -------
    WeightingResult
        ``converged=False`` (and a logged warning) when the totals are not met,
        typically because the bounds are too tight for the targets.
    """
    dist = _distance(distance, bounds)
    d = np.asarray(base_weights, dtype=float)
    targets = np.asarray(targets, dtype=float)
    cells = auxiliary.cells
    x = cells.x
    dc = cells.sums(d)
    lam = np.zeros(x.shape[1])
    g = dist.g(x @ lam)
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        u = x @ lam
        jacobian = x.T @ (x * (dc * dist.dg(u))[:, None])
        misfit = targets - x.T @ (dc * dist.g(u))
        step = _pinv_psd(jacobian) @ misfit
        lam = _finite_step(dist, x, lam, step)
        g = dist.g(x @ lam)
        if margin_error(x.T @ (dc * g), targets) < tol:
            converged = True
            break
    name = distance if bounds is None else f"{distance}[{bounds[0]:g},{bounds[1]:g}]"
    return make_result(
        d * g[cells.index],
        f"calibrate:{name}",
        converged=converged,
        iterations=iterations,
        auxiliary=auxiliary,
        base_weights=d,
        targets=targets,
    )


def _finite_step(dist: _Distance, x: np.ndarray, lam: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Take the Newton step, halving it while it gives non-finite weights."""
    for _ in range(60):
        candidate = lam + step
        u = x @ candidate
        with np.errstate(over="ignore", invalid="ignore"):
            finite = np.all(np.isfinite(dist.g(u))) and np.all(np.isfinite(dist.dg(u)))
        if finite:
            return candidate
        step = step / 2.0
    return lam
