"""Responses in the project's export format, and weights files."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: Columns of the export that describe a response rather than answer an item.
META_COLUMNS = (
    "response_id",
    "round",
    "group",
    "unit",
    "desk",
    "channel",
    "submitted_on",
    "duration_seconds",
    "questionnaire_version",
)


class ResponsesError(ValueError):
    """Responses (or weights) that cannot be used; the message names the file."""


@dataclass(frozen=True)
class ResponseTable:
    """Responses as text, one row a response, ``""`` for no answer.

    Attributes
    ----------
    frame:
        All columns as strings.
    source:
        Where the responses came from (file path or database URL and round).
    unit_names:
        Unit code to display name, when known (from the database).
    """

    frame: pd.DataFrame
    source: str = ""
    unit_names: Mapping[str, str] = field(default_factory=dict)
    _numeric: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if "response_id" not in self.frame.columns:
            raise ResponsesError(f"{self.source}: no response_id column")
        duplicated = self.frame["response_id"].duplicated()
        if duplicated.any():
            first = self.frame["response_id"][duplicated].iloc[0]
            raise ResponsesError(f"{self.source}: response_id {first!r} appears more than once")

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def ids(self) -> np.ndarray:
        """Response ids."""
        return self.text("response_id")

    @property
    def columns(self) -> list[str]:
        """All column names."""
        return list(self.frame.columns)

    def has(self, column: str) -> bool:
        """Whether the responses have ``column``."""
        return column in self.frame.columns

    def text(self, column: str) -> np.ndarray:
        """Values of ``column`` as strings (``""`` = no answer)."""
        self._require(column)
        return self.frame[column].to_numpy(dtype=str)

    def numeric(self, column: str) -> np.ndarray:
        """Values of ``column`` as floats, NaN for no answer.

        Raises
        ------
        ResponsesError
            If a non-empty value is not a number (text or multiple choice).
        """
        if column not in self._numeric:
            self._require(column)
            raw = self.frame[column].str.strip()
            values = pd.to_numeric(raw.where(raw != "", None), errors="coerce").to_numpy(dtype=float)
            bad = np.isnan(values) & (raw.to_numpy(dtype=str) != "")
            if bad.any():
                example = raw[bad].iloc[0]
                raise ResponsesError(f"{self.source}: column {column!r} holds a non-numeric value {example!r}")
            self._numeric[column] = values
        return self._numeric[column]

    def is_numeric(self, column: str) -> bool:
        """Whether every answer in ``column`` is a number."""
        try:
            self.numeric(column)
        except ResponsesError:
            return False
        return True

    def item_columns(self) -> list[str]:
        """Columns that are questionnaire items (everything but the metadata)."""
        return [c for c in self.frame.columns if c not in META_COLUMNS]

    def subset(self, mask: np.ndarray) -> ResponseTable:
        """The responses where ``mask`` is true."""
        return ResponseTable(self.frame[np.asarray(mask, dtype=bool)].reset_index(drop=True), self.source, self.unit_names)

    def _require(self, column: str) -> None:
        if column not in self.frame.columns:
            raise ResponsesError(f"{self.source}: no column {column!r}")


def load_responses(path: str | Path) -> ResponseTable:
    """Read a responses CSV in the export format (UTF-8, with or without BOM).

    Every cell is kept as text; an empty cell is a missing answer.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ResponsesError(f"{path}: cannot read responses ({exc})") from None
    return ResponseTable(frame, str(path))


def load_weights(path: str | Path, table: ResponseTable) -> np.ndarray:
    """Read a ``response_id,weight`` file and align it with ``table``.

    Raises
    ------
    ResponsesError
        A response without a weight, or a weight that is not a positive number.
    """
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if not {"response_id", "weight"} <= set(frame.columns):
        raise ResponsesError(f"{path}: needs columns response_id and weight")
    weights = pd.to_numeric(frame["weight"], errors="coerce")
    lookup = pd.Series(weights.to_numpy(), index=frame["response_id"])
    if lookup.index.duplicated().any():
        raise ResponsesError(f"{path}: response_id {lookup.index[lookup.index.duplicated()][0]!r} appears twice")
    aligned = lookup.reindex(table.ids).to_numpy(dtype=float)
    missing = np.isnan(aligned)
    if missing.any():
        raise ResponsesError(f"{path}: no weight for response {table.ids[np.flatnonzero(missing)[0]]!r}")
    if (aligned < 0).any():
        raise ResponsesError(f"{path}: negative weight for response {table.ids[np.flatnonzero(aligned < 0)[0]]!r}")
    return aligned


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write rows as UTF-8 CSV (floats at full precision, NaN as empty)."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if isinstance(v, float) and np.isnan(v) else v for v in row])
