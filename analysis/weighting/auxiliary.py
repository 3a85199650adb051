"""The auxiliary variables of a calibration: the sample's design matrix X.

Every weighting method of this package works on the same object: categorical
variables (factors, coded as integers) and numeric variables, which together
define the columns of X. A factor contributes one indicator column per level
(full dummy coding, as R's ``rake`` and ``postStratify`` use; the redundancy
between factors is harmless because every solve uses a pseudo-inverse). A row
whose code is -1 lies outside that factor's scope (for example a respondent
group that the margins do not describe) and has zeros in its columns.

Because calibration weights are functions of x alone (g = F(x'lambda)), rows
with identical x can be collapsed into cells before solving; with factors only
that turns a million rows into a few hundred cells, which is what makes the
raking and calibration here fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from analysis.io.codes import unique_inverse


def sum_by(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sums of the rows of ``values`` (``(n,)`` or ``(n, k)``) by group: row ``g`` of the
    result adds the rows ``i`` with ``index[i] == g``, in row order.

    One ``bincount`` per column: the same additions in the same order as a
    sparse summing matrix (0/1 entries) times ``values``, so the same numbers,
    without SciPy's sparse module or building the matrix.
    """
    if values.ndim == 1:
        return np.bincount(index, values, minlength=size)
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(index, values[:, j], minlength=size)
    return out


@dataclass(frozen=True)
class Factor:
    """A categorical auxiliary variable.

    Attributes
    ----------
    name:
        Variable name (the responses column).
    codes:
        Integer code per row, ``0 .. len(levels) - 1``, or -1 for rows outside
        the factor's scope.
    levels:
        Category labels, in code order.
    """

    name: str
    codes: np.ndarray
    levels: tuple[str, ...]

    @classmethod
    def from_values(cls, name: str, values: Sequence[object], levels: Sequence[object] | None = None) -> Factor:
        """Code ``values`` against ``levels`` (sorted distinct values by default).

        Values not among ``levels`` get code -1.
        """
        text = values if isinstance(values, np.ndarray) and values.dtype.kind == "U" else np.asarray(values).astype(str)
        uniq, inverse = unique_inverse(text)
        labels = tuple(str(level) for level in (uniq if levels is None else levels))
        index = {label: i for i, label in enumerate(labels)}
        codes = np.array([index.get(u, -1) for u in uniq], dtype=np.int64)[inverse.ravel()]
        return cls(name, codes, labels)


@dataclass(frozen=True)
class Auxiliary:
    """The design matrix X of a calibration, stored compactly.

    Parameters
    ----------
    factors:
        Categorical variables (one indicator column per level).
    numeric:
        ``(n, q)`` matrix of numeric auxiliary variables, or ``None``.
    numeric_names:
        Names of the numeric columns.
    """

    factors: tuple[Factor, ...] = ()
    numeric: np.ndarray | None = None
    numeric_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.factors and self.numeric is None:
            raise ValueError("an auxiliary design needs at least one factor or numeric variable")
        lengths = {len(f.codes) for f in self.factors}
        if self.numeric is not None:
            if self.numeric.ndim != 2 or len(self.numeric_names) != self.numeric.shape[1]:
                raise ValueError("numeric must be an (n, q) matrix with one name per column")
            lengths.add(self.numeric.shape[0])
        if len(lengths) != 1:
            raise ValueError("all auxiliary variables must have one value per row")

    @property
    def n(self) -> int:
        """Number of rows (respondents)."""
        return len(self.factors[0].codes) if self.factors else self.numeric.shape[0]

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of the columns of X: ``variable=level`` for factors, then numeric names."""
        names = [f"{f.name}={level}" for f in self.factors for level in f.levels]
        return tuple(names) + tuple(self.numeric_names)

    @property
    def p(self) -> int:
        """Number of columns of X."""
        return len(self.column_names)

    @cached_property
    def offsets(self) -> np.ndarray:
        """First column of each factor's block in X."""
        sizes = [len(f.levels) for f in self.factors]
        return np.concatenate([[0], np.cumsum(sizes)])[:-1].astype(np.int64)

    def totals(self, weights: np.ndarray) -> np.ndarray:
        """Weighted column totals ``X' w``."""
        parts = [
            np.bincount(f.codes[f.codes >= 0], weights[f.codes >= 0], minlength=len(f.levels))
            for f in self.factors
        ]
        if self.numeric is not None:
            parts.append(weights @ self.numeric)
        return np.concatenate(parts)

    @cached_property
    def cells(self) -> Cells:
        """Rows grouped by identical x (each row its own cell when there are
        numeric variables), computed once and shared by weighting and variance."""
        if self.numeric is not None:
            x = np.zeros((self.n, self.p))
            self._fill(x, np.arange(self.n))
            x[:, self.p - self.numeric.shape[1] :] = self.numeric
            index = np.arange(self.n)
            return Cells(index, index, x)
        combinations = np.prod([len(f.levels) + 1.0 for f in self.factors])
        if combinations <= 1 << 22:
            # few possible combinations (12 x 2 x 4 x 5 here): count them instead of sorting
            # the rows; the same cells in the same (key) order, first rows and indices as np.unique
            key = self._key()
            present = np.flatnonzero(np.bincount(key, minlength=int(combinations)))
            rank = np.zeros(int(combinations), dtype=np.int64)
            rank[present] = np.arange(len(present))
            first = np.full(int(combinations), self.n, dtype=np.int64)
            np.minimum.at(first, key, np.arange(self.n, dtype=np.int64))
            first, index = first[present], rank[key]
        else:
            key = self._key() if combinations < 2.0**62 else np.column_stack([f.codes for f in self.factors])
            _, first, index = np.unique(key, return_index=True, return_inverse=True, axis=0)
            index = index.ravel().astype(np.int64)
        x = np.zeros((len(first), self.p))
        self._fill(x, first)
        return Cells(index, first, x)

    def _key(self) -> np.ndarray:
        """One integer per combination of codes (mixed radix, codes + 1 so that -1 counts)."""
        key = np.zeros(self.n, dtype=np.int64)
        for f in self.factors:
            key = key * (len(f.levels) + 1) + (f.codes + 1)
        return key

    def _fill(self, x: np.ndarray, rows: np.ndarray) -> None:
        """Set the factor indicators of ``rows`` into ``x`` (one row of x per row)."""
        for offset, f in zip(self.offsets, self.factors):
            codes = f.codes[rows]
            inside = np.flatnonzero(codes >= 0)
            x[inside, offset + codes[inside]] = 1.0


@dataclass(frozen=True)
class Cells:
    """Rows grouped by identical x.

    Attributes
    ----------
    index:
        Cell of every row.
    first:
        One representative row per cell.
    x:
        Dense ``(cells, p)`` design matrix, one row per cell.
    """

    index: np.ndarray
    first: np.ndarray
    x: np.ndarray

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Sum ``values`` within each cell."""
        return np.bincount(self.index, values, minlength=len(self.first))

    def summing(self, factors: np.ndarray, z: np.ndarray) -> np.ndarray:
        """``(cells, k)`` sums of ``factors * z`` by cell (``z`` is ``(n, k)``), in row order."""
        out = np.empty((len(self.first), z.shape[1]))
        for j in range(z.shape[1]):
            out[:, j] = np.bincount(self.index, factors * z[:, j], minlength=len(self.first))
        return out


@dataclass(frozen=True)
class Calibration:
    """What a calibrated weight remembers for its standard errors.

    The residual method (Deville and Sarndal 1992) needs the auxiliary design
    matrix and the weights *before* calibration (the base weights ``d``).
    """

    auxiliary: Auxiliary
    base_weights: np.ndarray

    def residualizer(self, weights: np.ndarray) -> Residualizer:
        """The residual step for calibrated weights ``w``; see :class:`Residualizer`."""
        return Residualizer(self.auxiliary.cells, self.base_weights, np.asarray(weights, dtype=float))


class Residualizer:
    """Replace influence values by their calibration residuals.

    With calibrated weights ``w``, base weights ``d`` and influence matrix
    ``z`` (one column per estimate), regress ``z / w`` on X by least squares
    weighted with ``d`` and keep ``e = z - w (X b)`` (Deville and Sarndal 1992;
    Sarndal, Swensson and Wretman 1992, section 6.6). The normal equations
    are solved once for all columns, and everything runs on the cells of
    identical x: summing ``(d / w) z`` by cell, a tiny solve, and one gather
    of the fitted values back to the rows.
    """

    def __init__(self, cells: Cells, base_weights: np.ndarray, weights: np.ndarray) -> None:
        inside = weights > 0
        ratio = np.zeros_like(weights)
        ratio[inside] = base_weights[inside] / weights[inside]
        self._cells = cells
        self._weights = weights
        self._ratio = ratio
        gram = cells.x.T @ (cells.x * cells.sums(base_weights)[:, None])
        self._inverse = _pinv_psd(gram)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Residuals ``e`` for influence values ``z`` (``(n, k)``); a new array."""
        x = self._cells.x
        coef = self._inverse @ (x.T @ self._cells.summing(self._ratio, z))
        fitted = (x @ coef)[self._cells.index]
        fitted *= self._weights[:, None]
        np.subtract(z, fitted, out=fitted)
        return fitted


def _pinv_psd(gram: np.ndarray) -> np.ndarray:
    """Pseudo-inverse of a symmetric PSD matrix, columns scaled to unit diagonal
    first so that the rank decision does not depend on the variables' units."""
    diag = np.sqrt(np.clip(np.diag(gram), 0.0, None))
    scale = np.divide(1.0, diag, out=np.zeros_like(diag), where=diag > 0)
    inverse = np.linalg.pinv(gram * scale[:, None] * scale[None, :], rcond=1e-10, hermitian=True)
    return scale[:, None] * inverse * scale[None, :]
