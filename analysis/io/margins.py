"""Population margins: ``variable,category,total`` (optionally ``group``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Margin:
    """Known population totals of one variable.

    Attributes
    ----------
    variable:
        Response column the totals refer to.
    totals:
        Category (as written in the responses) to population total, in file order.
    group:
        Respondent group the margin describes, or ``None`` for all rows.
    """

    variable: str
    totals: dict[str, float] = field(default_factory=dict)
    group: str | None = None


class MarginsFileError(ValueError):
    """A margins file that cannot be read; the message names the file and line."""


def load_margins(path: str | Path) -> list[Margin]:
    """Read a margins CSV.

    Columns ``variable,category,total`` and an optional ``group`` (the margin
    then applies to that respondent group only). One variable means
    post-stratification; several mean raking or calibration.

    Raises
    ------
    MarginsFileError
        Missing columns, a total that is not a number, or a category listed
        twice for the same variable.
    """
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"variable", "category", "total"} - set(reader.fieldnames or ())
        if missing:
            raise MarginsFileError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        margins: dict[tuple[str | None, str], Margin] = {}
        for line, row in enumerate(reader, start=2):
            variable = row["variable"].strip()
            category = row["category"].strip()
            group = (row.get("group") or "").strip() or None
            try:
                total = float(row["total"])
            except ValueError:
                raise MarginsFileError(f"{path}:{line}: total {row['total']!r} is not a number") from None
            margin = margins.setdefault((group, variable), Margin(variable, {}, group))
            if category in margin.totals:
                raise MarginsFileError(f"{path}:{line}: variable {variable!r} lists category {category!r} twice")
            margin.totals[category] = total
    return list(margins.values())
