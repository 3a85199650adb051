"""Responses in the project's export format, and weights files.

Read with Arrow's multi-threaded CSV reader into columns of text; a column is
turned into numbers once, by Arrow, the first time it is asked for
(:meth:`ResponseTable.numeric`), and kept. pandas is not imported on this
path: it cost more than the reading itself (a per-column ``str.strip`` and
``to_numeric`` took about 3 s of a 300,000-response ``estimate``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from analysis.io.codes import all_distinct, arrow_call, arrow_cast, arrow_mask, arrow_numbers, arrow_options, coded_text

if TYPE_CHECKING:
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


class ResponseTable:
    """Responses as text, one row a response, ``""`` for no answer.

    Parameters
    ----------
    data:
        An Arrow table (or a pandas DataFrame) whose columns are all text.
    source:
        Where the responses came from (file path or database URL and round).
    unit_names:
        Unit code to display name, when known (from the database).
    """

    def __init__(self, data: pa.Table | pd.DataFrame, source: str = "",
                 unit_names: Mapping[str, str] | None = None) -> None:
        if not isinstance(data, pa.Table):
            data = pa.Table.from_pandas(data.astype(str), preserve_index=False)
        self.data = data
        self.source = source
        self.unit_names: Mapping[str, str] = dict(unit_names or {})
        self._numeric: dict[str, np.ndarray] = {}
        self._text: dict[str, np.ndarray] = {}
        if "response_id" not in data.column_names:
            raise ResponsesError(f"{source}: no response_id column")
        ids = data.column("response_id")
        if not all_distinct(ids):
            values = self.text("response_id")
            unique, first, counts = np.unique(values, return_index=True, return_counts=True)
            repeated = sorted(first[counts > 1])
            later = np.flatnonzero(values == values[repeated[0]])[1]
            raise ResponsesError(f"{source}: response_id {values[later]!r} appears more than once")

    def __len__(self) -> int:
        return self.data.num_rows

    def __repr__(self) -> str:
        return f"ResponseTable({len(self)} responses from {self.source!r})"

    @property
    def frame(self) -> pd.DataFrame:
        """All columns as strings, as a pandas DataFrame (built on demand; not used by the commands)."""
        import pandas as pd

        return pd.DataFrame({name: self.text(name) for name in self.data.column_names})

    @property
    def ids(self) -> np.ndarray:
        """Response ids."""
        return self.text("response_id")

    @property
    def id_column(self) -> pa.ChunkedArray:
        """Response ids as read (Arrow), for writing them out without a Python string each."""
        return self.data.column("response_id")

    @property
    def lazy_ids(self) -> Sequence[str]:
        """Response ids for error messages: :attr:`ids`, made only when one is looked up."""
        return _LazyIds(self)

    @property
    def columns(self) -> list[str]:
        """All column names."""
        return list(self.data.column_names)

    def has(self, column: str) -> bool:
        """Whether the responses have ``column``."""
        return column in self.data.column_names

    def text(self, column: str) -> np.ndarray:
        """Values of ``column`` as strings (``""`` = no answer)."""
        if column not in self._text:
            self._require(column)
            self._text[column] = coded_text(self.data.column(column))
        return self._text[column]

    def numeric(self, column: str) -> np.ndarray:
        """Values of ``column`` as floats, NaN for no answer.

        Raises
        ------
        ResponsesError
            If a non-empty value is not a number (text or multiple choice).
        """
        values = self._numbers(column)
        if values is None:
            raw = arrow_call("utf8_trim_whitespace", self.data.column(column).combine_chunks())
            raise ResponsesError(
                f"{self.source}: column {column!r} holds a non-numeric value {_first_non_number(raw)!r}"
            )
        return values

    def is_numeric(self, column: str) -> bool:
        """Whether every answer in ``column`` is a number."""
        return self._numbers(column) is not None

    def _numbers(self, column: str) -> np.ndarray | None:
        """:meth:`numeric`'s values, or None when a value is not a number (kept once made)."""
        if column not in self._numeric:
            self._require(column)
            raw = self.data.column(column).combine_chunks()
            values = _single_digits(raw)
            if values is None:
                if not _first_value_is_number(raw):
                    return None  # a text column: no need to cast the rest to find out
                try:
                    values = arrow_numbers(_cast_numbers(raw), np.float64, np.nan)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raw = arrow_call("utf8_trim_whitespace", raw)  # " 4" is 4, as before; trimmed only when needed
                    try:
                        values = arrow_numbers(_cast_numbers(raw), np.float64, np.nan)
                    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                        return None
            self._numeric[column] = values
        return self._numeric[column]

    def item_columns(self) -> list[str]:
        """Columns that are questionnaire items (everything but the metadata)."""
        return [c for c in self.data.column_names if c not in META_COLUMNS]

    def subset(self, mask: np.ndarray) -> ResponseTable:
        """The responses where ``mask`` is true."""
        return ResponseTable(arrow_call("filter", self.data, arrow_mask(mask)), self.source, self.unit_names)

    def _require(self, column: str) -> None:
        if column not in self.data.column_names:
            raise ResponsesError(f"{self.source}: no column {column!r}")


class _LazyIds(Sequence[str]):
    """``table.ids[i]`` without converting the 300,000 ids until an error message needs one."""

    def __init__(self, table: ResponseTable) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        return self._table.ids[index]


def _single_digits(raw: pa.Array) -> np.ndarray | None:
    """A text column whose every value is empty or one digit (rating answers) as floats, NaN
    for empty, read from Arrow's buffers; None for any other column (then Arrow casts it).

    The same numbers as the cast ("4" is 4.0), five times quicker: no text is parsed. The
    one-byte values lie in the data buffer in row order, so its bytes are the answers.
    """
    n = len(raw)
    if raw.type != pa.string() or raw.null_count or n == 0:
        return None
    offsets = np.frombuffer(raw.buffers()[1], dtype=np.int32, count=n + 1, offset=raw.offset * 4)
    first, size = int(offsets[0]), int(offsets[-1] - offsets[0])
    if size > n:
        return None  # more bytes than values: some value is longer than one
    lengths = np.diff(offsets)
    if size and lengths.max() > 1:
        return None
    data = np.frombuffer(raw.buffers()[2], dtype=np.uint8, count=size, offset=first) if size else np.zeros(0, np.uint8)
    digits = _DIGIT_VALUES[data]
    if np.isnan(digits).any():
        return None  # a byte that is not 0-9
    if size == n:
        return digits  # every row answered
    values = np.full(n, np.nan)
    values[lengths == 1] = digits
    return values


_DIGIT_VALUES = np.full(256, np.nan)
_DIGIT_VALUES[ord("0"):ord("9") + 1] = np.arange(10)


def _first_value_is_number(raw: pa.Array) -> bool:
    """Whether the first non-empty value of a text column, trimmed, casts to a number.

    If it does not, neither does the column (Arrow's cast fails on any value
    that does not), which is known here without casting 300,000 comments.
    """
    if raw.type != pa.string() or raw.null_count:
        return True  # not judged here: the cast decides
    offsets = np.frombuffer(raw.buffers()[1], dtype=np.int32, count=len(raw) + 1, offset=raw.offset * 4)
    filled = np.flatnonzero(np.diff(offsets) > 0)
    if len(filled) == 0:
        return True
    try:
        _cast_numbers(arrow_call("utf8_trim_whitespace", raw.slice(int(filled[0]), 1)))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _cast_numbers(raw: pa.Array) -> pa.Array:
    """Trimmed text to float64, empty text as null (no Python value converted: see arrow_numbers)."""
    present = arrow_cast(arrow_call("utf8_length", raw), pa.bool_())
    return arrow_cast(arrow_call("if_else", present, raw, pa.nulls(len(raw), pa.string())), pa.float64())


def _first_non_number(values: pa.Array) -> str:
    """The first non-empty value that is not a number (for the error message)."""
    for value in values.to_pylist():
        if value:
            try:
                float(value)
            except ValueError:
                return value
    return ""


def _read_text_csv(path: Path, columns: Iterable[str] | None = None, skip: Iterable[str] = ()) -> pa.Table:
    """Every column of a UTF-8 CSV (BOM or not) as text, empty cells as ``""``.

    With ``columns``, only those of them the file has are converted (the others
    are still checked for the CSV's shape but not kept): ``weight`` needs five
    or six columns of an export that has dozens. Columns in ``skip`` are not kept either.
    """
    import pyarrow.csv as pv

    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise ResponsesError(f"{path}: cannot read responses (empty file)")
    if len(set(header)) != len(header):
        repeated = next(name for name in header if header.count(name) > 1)
        raise ResponsesError(f"{path}: cannot read responses (column {repeated!r} appears twice)")
    header[0] = header[0].removeprefix("\ufeff")
    wanted, skipped = None if columns is None else set(columns), set(skip)
    include = [name for name in header if (wanted is None or name in wanted) and name not in skipped]
    try:
        return pv.read_csv(
            path,
            read_options=pv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pv.ConvertOptions(column_types={name: pa.string() for name in include},
                                              include_columns=include,
                                              strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (OSError, pa.ArrowInvalid) as exc:
        raise ResponsesError(f"{path}: cannot read responses ({exc})") from None


def load_responses(path: str | Path, columns: Iterable[str] | None = None, skip: Iterable[str] = ()) -> ResponseTable:
    """Read a responses CSV in the export format (UTF-8, with or without BOM).

    Every cell is kept as text; an empty cell is a missing answer. ``columns``
    limits the table to those columns, ``skip`` leaves those out (``response_id``
    is always read; names the file does not have are ignored, so a later
    :meth:`ResponseTable.has` is false for them as for a file without them).
    """
    path = Path(path)
    if columns is not None:
        columns = {"response_id", *columns}
    try:
        table = _read_text_csv(path, columns, set(skip) - {"response_id"})
    except UnicodeDecodeError as exc:
        raise ResponsesError(f"{path}: cannot read responses ({exc})") from None
    return ResponseTable(table, str(path))


def load_weights(path: str | Path, table: ResponseTable) -> np.ndarray:
    """Read a ``response_id,weight`` file and align it with ``table``.

    Raises
    ------
    ResponsesError
        A response without a weight, or a weight that is not a positive number.
    """
    path = Path(path)
    try:
        data = _read_text_csv(path)
    except (ResponsesError, UnicodeDecodeError):
        raise ResponsesError(f"{path}: needs columns response_id and weight") from None
    if not {"response_id", "weight"} <= set(data.column_names):
        raise ResponsesError(f"{path}: needs columns response_id and weight")
    ids = data.column("response_id")
    if not all_distinct(ids):
        values = np.array(ids.to_pylist(), dtype=str)
        _unique, first, counts = np.unique(values, return_index=True, return_counts=True)
        raise ResponsesError(f"{path}: response_id {values[sorted(first[counts > 1])[0]]!r} appears twice")
    weights = _numbers_or_nan(data.column("weight"))
    position = arrow_call("index_in", table.data.column("response_id"),
                          options=arrow_options("SetLookupOptions", ids.combine_chunks()))
    index = arrow_numbers(position, np.int32, -1).astype(np.int64)
    known = index >= 0
    aligned = np.where(known, weights[index] if len(weights) else np.nan, np.nan)
    missing = np.isnan(aligned)
    if missing.any():
        raise ResponsesError(f"{path}: no weight for response {table.ids[np.flatnonzero(missing)[0]]!r}")
    if (aligned < 0).any():
        raise ResponsesError(f"{path}: negative weight for response {table.ids[np.flatnonzero(aligned < 0)[0]]!r}")
    return aligned


def _numbers_or_nan(values: pa.ChunkedArray) -> np.ndarray:
    """Numbers of a text column, NaN where a value is empty or not a number (``to_numeric(errors="coerce")``)."""
    raw = arrow_call("utf8_trim_whitespace", values.combine_chunks())
    try:
        return arrow_numbers(_cast_numbers(raw), np.float64, np.nan)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        out = np.full(len(raw), np.nan)
        for i, value in enumerate(raw.to_pylist()):
            try:
                out[i] = float(value)
            except (TypeError, ValueError):
                pass
        return out


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows as UTF-8 CSV (floats at full precision, NaN as empty)."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if isinstance(v, float) and v != v else v for v in row] for row in rows)


def write_weights(path: str | Path, ids: np.ndarray | pa.Array | pa.ChunkedArray, weights: np.ndarray) -> None:
    """``response_id,weight`` at full precision (``repr``): the bytes :func:`write_csv` writes.

    With ``ids`` as an Arrow column (:attr:`ResponseTable.id_column`) Arrow's
    CSV writer writes the file, each weight formatted by :func:`float_strings`
    (the text of ``repr``): no Python string per response (those took 0.3 s of
    a 300,000-response ``weight``). Otherwise, or with ids that need quoting, or
    weights Arrow cannot format as repr does, Python writes them.
    """
    values = np.asarray(weights, dtype=float)
    if isinstance(ids, (pa.Array, pa.ChunkedArray)):
        column = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
        text = float_strings(values) if len(column) == len(values) and not column.null_count else None
        if text is not None and not _has_any_byte(column, b'",\r\n'):
            import pyarrow.csv as pv

            table = pa.Table.from_arrays([column, text], names=["response_id", "weight"])
            with Path(path).open("wb") as handle:
                handle.write(b"response_id,weight\r\n")
                pv.write_csv(table, handle, pv.WriteOptions(include_header=False, quoting_style="none", eol="\r\n"))
            return
        ids = coded_text(column)  # the ids as ResponseTable.ids gives them
    id_list = np.asarray(ids).tolist()
    value_list = values.tolist()
    if any(map(_NEEDS_QUOTES.search, id_list)) or any(v != v for v in value_list):
        write_csv(path, ("response_id", "weight"), zip(id_list, value_list))
        return
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        handle.write("response_id,weight\r\n")
        handle.write("".join([f"{i},{w!r}\r\n" for i, w in zip(id_list, value_list)]))


_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def float_strings(values: np.ndarray) -> pa.Array | None:
    """Floats as an Arrow string array, each exactly Python's ``repr``, or
    ``None`` when some value needs repr's own formatting.

    Arrow's cast writes the same shortest round-trip digits as ``repr`` but
    its own notation (``1`` for ``1.0``; ``1e+15`` and ``0.00001`` where repr
    writes ``1000000000000000.0`` and ``1e-05``). Its text is repr's when it
    has a decimal point and no exponent and ``1e-4 <= |x| < 1e16``; whole
    numbers in that range get repr's ``.0``. Any other value (tiny, huge,
    zero, NaN) gives ``None``.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    magnitude = np.abs(values)
    if not ((magnitude >= 1e-4) & (magnitude < 1e16)).all():
        return None
    array = pa.Array.from_buffers(pa.float64(), len(values), [None, pa.py_buffer(values)])
    text = arrow_cast(array, pa.string())
    if _has_any_byte(text, b"e"):
        return None
    has_point = arrow_call("match_substring", text, options=arrow_options("MatchSubstringOptions", "."))
    point = arrow_numbers(arrow_cast(has_point, pa.int8()), np.int8) == 1
    if not point.all():
        if not (values[~point] == np.floor(values[~point])).all():
            return None
        with_zero = arrow_call("binary_join_element_wise", text, _scalar(".0"), _scalar(""))
        text = arrow_call("if_else", arrow_mask(~point), with_zero, text)
    return text


def _has_any_byte(array: pa.Array, characters: bytes) -> bool:
    """Whether any value of a string array holds one of the (ASCII) ``characters``."""
    wide = array.type == pa.large_string()
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64 if wide else np.int32, count=len(array) + 1,
                            offset=array.offset * (8 if wide else 4))
    if len(array) == 0 or offsets[-1] == offsets[0]:
        return False
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    return any(bool((data == byte).any()) for byte in characters)  # a pass per byte: quicker than np.isin


def _scalar(text: str, kind: pa.DataType | None = None) -> pa.Scalar:
    """An Arrow string scalar built from its bytes (``pa.scalar`` imports pandas to check the type)."""
    kind = kind or pa.string()
    data = text.encode()
    offsets = np.array([0, len(data)], dtype=np.int64 if kind == pa.large_string() else np.int32)
    return pa.Array.from_buffers(kind, 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])[0]
