"""Survey designs and Taylor-linearised variances.

A design is the weights plus how the sample was drawn: strata, clusters at
one or more stages, and the population sizes behind each stage (finite
population corrections). Estimators reduce to influence values ``z`` per row
(one column per estimate); :meth:`SurveyDesign.covariance` turns them into a
design-based covariance matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from analysis.io.codes import unique_inverse
from analysis.weighting.auxiliary import Calibration, Residualizer, sum_by

LONELY_PSU = ("fail", "remove", "certainty", "adjust")


class DesignError(ValueError):
    """A design that cannot give variances (a lonely PSU, an inconsistent fpc)."""


@dataclass(frozen=True)
class Stage:
    """One stage of selection.

    Attributes
    ----------
    unit:
        Index of the sampled unit (cluster) of every row at this stage; units
        are numbered uniquely across strata and parents.
    parent:
        For every unit, the group it was drawn within: its stratum at the
        first stage, its parent unit at later stages.
    n:
        Number of units drawn within each group.
    popsize:
        Number of units in each group's population (``inf`` without a finite
        population correction).
    multiplier:
        Product of the sampling fractions of the group's ancestors (1 at the
        first stage); a later stage's variance enters multiplied by it.
    labels:
        Group labels (strata at the first stage), for error messages.
    """

    unit: np.ndarray
    parent: np.ndarray
    n: np.ndarray
    popsize: np.ndarray
    multiplier: np.ndarray
    labels: tuple[str, ...]
    identity: bool = False

    def totals(self, z: np.ndarray) -> np.ndarray:
        """Sum ``z`` within the units of this stage."""
        return z if self.identity else sum_by(self.unit, z, len(self.parent))

    def group_sums(self, totals: np.ndarray) -> np.ndarray:
        """Sum unit totals within the groups (strata or parent units)."""
        if len(self.n) == 1:
            return totals.sum(axis=0, keepdims=True)
        return sum_by(self.parent, totals, len(self.n))

    def centred(self, z: np.ndarray, lonely_psu: str, stage_number: int) -> tuple[np.ndarray, np.ndarray]:
        """Unit totals centred within their group, and the scale of each unit.

        The scale is ``(1 - f_h) n_h / (n_h - 1)`` times the ancestors'
        sampling fractions (Wolter 2007, eq. 1.4.5 and section 2.4; R
        ``survey:::onestrat``).
        """
        totals = self.totals(z)
        n = self.n.astype(float)
        keep = np.where(np.isfinite(self.popsize), 1.0 - n / self.popsize, 1.0)
        keep = np.where(keep < 1e-7, 0.0, keep)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n > 1, keep * n / (n - 1), keep) * self.multiplier
        means = self.group_sums(totals) / n[:, None]
        single = len(self.n) == 1
        if single:
            centred = totals - means[0]
        else:  # the gathered group means, overwritten by the difference (one (n, k) array, not two)
            centred = means[self.parent]
            np.subtract(totals, centred, out=centred)
        lonely = (self.n == 1) & (scale > 0)
        if lonely.any():
            if lonely_psu == "fail":
                group = int(np.flatnonzero(lonely)[0])
                label = self.labels[group] if self.labels else f"#{group + 1}"
                raise DesignError(
                    f"stratum {label} has only one PSU at stage {stage_number}; "
                    "choose lonely_psu='remove', 'certainty' or 'adjust'"
                )
            if lonely_psu == "adjust":
                rows = lonely[self.parent]
                centred[rows] = totals[rows]
            else:
                scale = np.where(lonely, 0.0, scale)
        return centred, (np.full(len(centred), scale[0]) if single else scale[self.parent])


@dataclass(frozen=True)
class SurveyDesign:
    """Weights, stages of selection and calibration of a sample.

    Build it with :meth:`build`. Rows are never dropped for a domain or a
    missing answer: estimators give those rows zero influence instead, which
    keeps the whole design in the variance (R ``survey``'s ``subset``).

    Attributes
    ----------
    weights:
        Final analysis weight of every row.
    stages:
        Stages of selection, first (PSU) stage first.
    strata:
        First-stage stratum of every row (integer codes).
    calibrations:
        Calibrations the weights went through, applied in order to the
        influence values before the variance (residual method).
    lonely_psu:
        What to do with a stratum holding a single PSU: ``fail`` (default, as
        R), ``remove``/``certainty`` (no contribution) or ``adjust`` (centre
        at the grand mean).
    """

    weights: np.ndarray
    stages: tuple[Stage, ...]
    strata: np.ndarray
    calibrations: tuple[Calibration, ...] = ()
    lonely_psu: str = "fail"

    @classmethod
    def build(
        cls,
        weights: np.ndarray | None = None,
        *,
        strata: Sequence[object] | None = None,
        ids: Sequence[Sequence[object]] | None = None,
        fpc: Sequence[Sequence[float] | None] | None = None,
        calibration: Calibration | Sequence[Calibration] | None = None,
        lonely_psu: str = "fail",
    ) -> SurveyDesign:
        """Describe a stratified multistage design (R's ``svydesign``).

        Parameters
        ----------
        weights:
            Sampling (or final) weights. When omitted they are computed from
            ``fpc`` as the product over stages of N / n.
        strata:
            First-stage stratum of every row; none means one stratum.
        ids:
            Cluster identifiers per stage (first stage first). Clusters are
            taken as nested in strata and in earlier stages. ``None`` means
            every row is its own PSU.
        fpc:
            Per stage, the population size of the row's stratum (stage 1) or
            of its parent cluster (later stages), or the sampling fraction
            when every value is at most 1; ``None`` for no finite population
            correction at a stage.
        calibration:
            Calibration(s) of the weights, for residual-based variances.
        lonely_psu:
            See the class attributes.
        """
        if lonely_psu not in LONELY_PSU:
            raise DesignError(f"lonely_psu must be one of {', '.join(LONELY_PSU)}")
        stage_ids = list(ids) if ids is not None else [None]
        fpcs = list(fpc) if fpc is not None else []
        fpcs += [None] * (len(stage_ids) - len(fpcs))
        n_rows = _length(weights, strata, stage_ids, fpcs)
        strata_codes, strata_labels = _codes(strata, n_rows)
        parent_row, labels = strata_codes, strata_labels
        multiplier = np.ones(len(labels))
        stages, factors = [], np.ones(n_rows)
        for number, (ids_k, fpc_k) in enumerate(zip(stage_ids, fpcs), start=1):
            stage = _stage(parent_row, ids_k, fpc_k, multiplier, labels, number)
            stages.append(stage)
            factors *= (stage.popsize / stage.n)[stage.parent[stage.unit]]
            fraction = np.where(np.isfinite(stage.popsize), stage.n / stage.popsize, 0.0)
            multiplier = (stage.multiplier * fraction)[stage.parent]
            parent_row = stage.unit
            labels = ()
        if weights is None:
            if not np.all(np.isfinite(factors)):
                raise DesignError("weights are needed unless every stage has a finite population correction")
            weights = factors
        if isinstance(calibration, Calibration):
            calibration = (calibration,)
        return cls(
            weights=np.asarray(weights, dtype=float),
            stages=tuple(stages),
            strata=strata_codes,
            calibrations=tuple(calibration or ()),
            lonely_psu=lonely_psu,
        )

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.weights)

    @cached_property
    def _residualizers(self) -> tuple[Residualizer, ...]:
        return tuple(c.residualizer(self.weights) for c in self.calibrations)

    def residuals(self, z: np.ndarray) -> np.ndarray:
        """Influence values after the calibration residual step(s)."""
        for residualize in self._residualizers:
            z = residualize(z)
        return z

    def covariance(self, z: np.ndarray) -> np.ndarray:
        """Design-based covariance of the estimates whose influence values are ``z``.

        Parameters
        ----------
        z:
            ``(n, k)`` matrix: for a total, ``w y``; for a mean or ratio,
            ``w (y - R x) / X-hat``; zero outside a domain.

        Returns
        -------
        ``(k, k)`` covariance matrix: calibration residuals first (Deville and
        Sarndal 1992), then the stratified multistage ultimate-cluster sum of
        squares with finite population corrections at each stage that has one
        (Wolter 2007; R ``survey:::svyrecvar``).
        """
        centred = self._centred(_as_matrix(z))
        return sum(c.T @ (c * scale[:, None]) for c, scale in centred)

    def variance(self, z: np.ndarray) -> np.ndarray:
        """Diagonal of :meth:`covariance`, computed a few columns at a time so
        that a million rows and many estimates stay within modest memory."""
        z = _as_matrix(z)
        out = np.zeros(z.shape[1])
        for cols in column_blocks(z.shape[0], z.shape[1]):
            for centred, scale in self._centred(z[:, cols]):
                out[cols] += np.einsum("ij,ij,i->j", centred, centred, scale)
        return out

    def _centred(self, z: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        z = self.residuals(z)
        parts = []
        for number, stage in enumerate(self.stages, start=1):
            if not np.any(stage.multiplier > 0):
                break
            parts.append(stage.centred(z, self.lonely_psu, number))
        return parts

    def degrees_of_freedom(self, rows: np.ndarray | None = None) -> np.ndarray | float:
        """Design degrees of freedom: first-stage PSUs minus strata.

        Parameters
        ----------
        rows:
            Boolean mask of the rows an estimate uses (a domain, the
            respondents who answered), or an ``(n, k)`` matrix of such masks;
            PSUs and strata without such rows do not count, as R's ``degf``
            on a subset design.

        Returns
        -------
        A float for the whole design or a single mask, an array for ``(n, k)``.
        """
        first = self.stages[0]
        if rows is None:
            return float(len(first.parent) - len(np.unique(self.strata)))
        rows = np.asarray(rows, dtype=bool)
        single = rows.ndim == 1
        if single:
            rows = rows[:, None]
        df = np.zeros(rows.shape[1])
        for j in range(rows.shape[1]):  # counts, one column at a time (no float copy of the masks)
            psus = rows[:, j] if first.identity else np.bincount(first.unit, rows[:, j], len(first.parent)) > 0
            count = np.count_nonzero(psus)
            if len(first.n) == 1:
                strata = int(count > 0)
            else:
                strata = np.count_nonzero(np.bincount(first.parent, psus, len(first.n)))
            df[j] = count - strata
        return float(df[0]) if single else df


def column_blocks(n_rows: int, n_cols: int, cells: int = 1 << 22) -> list[slice]:
    """Slices of columns holding about ``cells`` values each (bounds temporaries)."""
    step = max(1, cells // max(n_rows, 1))
    return [slice(j, min(j + step, n_cols)) for j in range(0, n_cols, step)]


def _as_matrix(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return z[:, None] if z.ndim == 1 else z


def _length(weights, strata, ids, fpcs) -> int:
    for candidate in (weights, strata, *ids, *fpcs):
        if candidate is not None:
            return len(candidate)
    raise ValueError("a design needs weights, strata, ids or fpc")


def _codes(values: Sequence[object] | None, n_rows: int) -> tuple[np.ndarray, tuple[str, ...]]:
    if values is None:
        return np.zeros(n_rows, dtype=np.int64), ("1",)
    uniq, inverse = unique_inverse(values)
    return inverse.astype(np.int64), tuple(str(u) for u in uniq)


def _stage(
    parent_row: np.ndarray,
    ids: Sequence[object] | None,
    fpc: Sequence[float] | None,
    multiplier: np.ndarray,
    labels: tuple[str, ...],
    number: int,
) -> Stage:
    n_rows = len(parent_row)
    if ids is None:
        unit = np.arange(n_rows)
        parent = parent_row
        identity = True
    else:
        id_codes, _ = _codes(ids, n_rows)
        key = parent_row * (int(id_codes.max()) + 1) + id_codes
        _, first, unit = np.unique(key, return_index=True, return_inverse=True)
        unit = unit.ravel()
        parent = parent_row[first]
        identity = False
    groups = len(multiplier)
    n = np.bincount(parent, minlength=groups)
    popsize = np.full(groups, np.inf)
    if fpc is not None:
        values = np.asarray(fpc, dtype=float)
        per_group = np.full(groups, np.nan)
        per_group[parent_row] = values
        if not np.allclose(per_group[parent_row], values):
            raise DesignError(f"the finite population correction varies within a stratum or cluster at stage {number}")
        popsize = n / per_group if np.all(values <= 1) else per_group
        if np.any(popsize < n - 1e-9):
            raise DesignError(f"population size smaller than the sample at stage {number}")
    return Stage(unit, parent, n, popsize, multiplier, labels, identity)
