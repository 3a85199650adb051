"""Responses as SPSS (.sav) and Stata (.dta) files, with labels, for analysts.

The same rows as the CSV export; every variable carries its question in
Vietnamese as its label, and every coded answer its Vietnamese answer text as
a value label, so the file reads without the codebook. pyreadstat (ReadStat)
writes both formats; it needs the whole table as a DataFrame, so the file is
built in memory: about 1 KB a response, a few hundred MB for the largest
round, which is why the console offers CSV for very large rounds.

Stata limits: names of at most 32 characters, variable labels of 80, value
labels only on whole numbers; strings are UTF-8 (Stata 14 and later, file
version 15).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from survey_app.services.codebook import FIXED_COLUMN_TEXT
from survey_app.services.export import FORMULA_PREFIXES, ExportPlan

FORMATS = ("sav", "dta")
STATA_LABEL = 80


def labels(plan: ExportPlan) -> tuple[dict[str, str], dict[str, dict[int | float, str]]]:
    """Variable labels (question text) and value labels (answer texts), in Vietnamese.

    When versions differ, the first version that has the item gives its texts.
    """
    variable = {column: vi for column, vi, _ in FIXED_COLUMN_TEXT}
    values: dict[str, dict[int | float, str]] = {}
    numeric = {plan.header[i] for i in plan.numeric_columns}
    for q in plan.questionnaires.values():
        for item in q.items:
            variable.setdefault(item.code, item.text.vi)
            if item.options and item.code in numeric and item.code not in values:
                values[item.code] = {int(o.code): o.label.vi for o in item.options}
    return variable, values


def frame(plan: ExportPlan, rows: Iterable[list[str]]) -> pd.DataFrame:
    """The export rows as a typed table: whole-number columns as numbers (missing = NaN), the rest as text."""
    data = pd.DataFrame(list(rows), columns=plan.header, dtype=object)
    for i in sorted(plan.numeric_columns):
        column = plan.header[i]
        data[column] = pd.to_numeric(data[column].replace("", np.nan), errors="coerce").astype(float)
    for column in data.columns:
        if data[column].dtype == object:
            data[column] = data[column].fillna("").astype(str).map(_unneutralise)
    return data


def _unneutralise(cell: str) -> str:
    """Undo the CSV export's protective apostrophe: statistics programs run no formulas."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_PREFIXES) else cell


def write_stats(path: str | Path, fmt: str, plan: ExportPlan, rows: Iterable[list[str]]) -> int:
    """Write ``.sav`` or ``.dta``; returns the number of responses."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    data = frame(plan, rows)
    variable, values = labels(plan)
    values = {k: v for k, v in values.items() if k in data.columns}
    column_labels = {c: variable.get(c, c) for c in data.columns}
    if fmt == "sav":
        pyreadstat.write_sav(data, str(path), file_label="Khảo sát CCHC", column_labels=column_labels,
                             variable_value_labels=values or None)
    else:
        data = data.rename(columns={c: c[:32] for c in data.columns})
        column_labels = {c[:32]: text[:STATA_LABEL] for c, text in column_labels.items()}
        pyreadstat.write_dta(data, str(path), file_label="Khảo sát CCHC", column_labels=column_labels,
                             variable_value_labels={k[:32]: v for k, v in values.items()} or None)
    return len(data)

