"""Loading responses, margins and weights (CSV files or the app's database)."""

from analysis.io.margins import Margin, MarginsFileError, load_margins
from analysis.io.responses import (
    META_COLUMNS,
    ResponsesError,
    ResponseTable,
    load_responses,
    load_weights,
    write_csv,
    write_weights,
)

__all__ = [
    "META_COLUMNS",
    "Margin",
    "MarginsFileError",
    "ResponseTable",
    "ResponsesError",
    "load_margins",
    "load_responses",
    "load_round",
    "load_weights",
    "write_csv",
    "write_weights",
]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    """``load_round`` imported on first use: it needs SQLAlchemy and pandas, reading a CSV does not."""
    if name == "load_round":
        from analysis.io.database import load_round

        return load_round
    raise AttributeError(f"module 'analysis.io' has no attribute {name!r}")
