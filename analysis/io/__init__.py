"""Loading responses, margins and weights (CSV files or the app's database)."""

from analysis.io.database import load_round
from analysis.io.margins import Margin, MarginsFileError, load_margins
from analysis.io.responses import (
    META_COLUMNS,
    ResponsesError,
    ResponseTable,
    load_responses,
    load_weights,
    write_csv,
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
]
