"""From population margins and response columns to a checked auxiliary design."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from analysis.io.codes import unique_inverse
from analysis.io.margins import Margin
from analysis.weighting.auxiliary import Auxiliary, Factor


class MarginError(ValueError):
    """Margins that cannot be used with these responses; the message names the
    variable and category at fault."""


def design_from_margins(
    columns: Mapping[str, np.ndarray],
    margins: Sequence[Margin],
    *,
    groups: np.ndarray | None = None,
    ids: Sequence[str] | np.ndarray | None = None,
    rel_tol: float = 1e-6,
) -> tuple[Auxiliary, np.ndarray]:
    """Build the auxiliary design and target vector for calibrating to margins.

    Parameters
    ----------
    columns:
        Response values per variable (strings; empty string = no answer).
    margins:
        Known totals per variable and category, optionally for one
        respondent group only.
    groups:
        Respondent group of every row; needed when a margin names a group.
    ids:
        Response ids, used to point at offending rows in messages.
    rel_tol:
        Relative tolerance when checking that variables agree on the total.

    Returns
    -------
    auxiliary, targets
        One factor per margin variable (rows outside a group-scoped margin get
        code -1) and the targets aligned with its columns.

    Raises
    ------
    MarginError
        A margin variable missing from the data or empty for some responses,
        a category in the data without a target, a target category without
        respondents, negative totals, or variables whose totals disagree.
    """
    if not margins:
        raise MarginError("the margins file has no rows")
    factors, targets, totals = [], [], []
    for margin in margins:
        factor, target = _factor(columns, margin, groups, ids)
        factors.append(factor)
        targets.append(target)
        totals.append((margin, float(target.sum())))
    _check_totals(totals, rel_tol)
    return Auxiliary(factors=tuple(factors)), np.concatenate(targets)


def _factor(
    columns: Mapping[str, np.ndarray], margin: Margin, groups: np.ndarray | None, ids: Sequence[str] | np.ndarray | None
) -> tuple[Factor, np.ndarray]:
    name = margin.variable
    if name not in columns:
        raise MarginError(f"margin variable {name!r} is not a column of the responses")
    values = columns[name]
    if not (isinstance(values, np.ndarray) and values.dtype.kind == "U"):
        values = np.asarray(values).astype(str)
    scope = np.ones(len(values), dtype=bool)
    if margin.group is not None:
        if groups is None:
            raise MarginError(f"margins for variable {name!r} name group {margin.group!r} but the responses have no group column")
        scope = np.asarray(groups).astype(str) == margin.group
        if not scope.any():
            raise MarginError(f"margins for variable {name!r} name group {margin.group!r}, which has no responses")
    where = _scope_text(margin.group)
    distinct, inverse = unique_inverse(values)  # then counted within the scope: np.unique(values[scope])
    blank = np.char.strip(distinct) == ""  # stripped once per distinct value, not per response
    if blank.any():
        empty = scope & blank[inverse]
        if empty.any():
            example = f" (e.g. response {ids[int(np.flatnonzero(empty)[0])]})" if ids is not None else ""
            raise MarginError(
                f"variable {name!r}: {int(empty.sum())} response(s){where} have no value{example}; "
                "weighting needs a category for every response"
            )
    counts = np.bincount(inverse[scope], minlength=len(distinct))
    present, counts = distinct[counts > 0], counts[counts > 0]
    present = [str(p) for p in present]
    known = dict(margin.totals)
    for category, count in zip(present, counts):
        if category not in known:
            raise MarginError(
                f"variable {name!r}: category {category!r} occurs in {int(count)} response(s){where} "
                "but has no target in the margins"
            )
    for category, total in known.items():
        if total < 0:
            raise MarginError(f"variable {name!r}: category {category!r} has a negative target ({total:g})")
        if total > 0 and category not in set(present):
            raise MarginError(
                f"variable {name!r}: category {category!r} has a target ({total:g}) but no respondents{where}"
            )
    levels = [c for c in known if c in set(present)]
    codes = Factor.from_values(name, values, levels).codes
    codes[~scope] = -1
    return Factor(name, codes, tuple(levels)), np.array([known[c] for c in levels], dtype=float)


def _check_totals(totals: list[tuple[Margin, float]], rel_tol: float) -> None:
    first: dict[str | None, tuple[Margin, float]] = {}
    for margin, total in totals:
        if margin.group not in first:
            first[margin.group] = (margin, total)
            continue
        ref, ref_total = first[margin.group]
        if abs(total - ref_total) > rel_tol * max(abs(ref_total), 1.0):
            raise MarginError(
                f"margins disagree{_scope_text(margin.group)}: variable {ref.variable!r} totals "
                f"{ref_total:g} but variable {margin.variable!r} totals {total:g}"
            )


def _scope_text(group: str | None) -> str:
    return "" if group is None else f" of group {group!r}"
