"""``np.unique(values, return_inverse=True)`` for long text columns, by Arrow's hash table.

NumPy sorts the whole text column to find its few distinct values (a
category, a unit code): about 0.1 s per column of 300,000 responses. Arrow's
dictionary encoding finds them in one pass; only the distinct values are
then sorted, so the result is exactly NumPy's (same order, same dtype).

Also the few ways the analysis reads Arrow arrays: their numbers as NumPy
arrays, NumPy masks as Arrow arrays, and Arrow's compute kernels called by
name (:func:`arrow_call`, :func:`arrow_cast`, :func:`arrow_options`); and
:func:`all_distinct`, the response ids' check.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_SMALL = 20_000  # below this NumPy is as quick and no conversion is needed


class CodedText(np.ndarray):
    """A text column that remembers its sorted distinct values and each row's position among them.

    Made by :func:`coded_text` from an Arrow column; :func:`unique_inverse`
    returns the remembered coding. Anything computed from it (a slice, a
    comparison) is a plain array again as far as the coding goes.
    """

    coding: tuple[np.ndarray, np.ndarray] | None = None

    def __array_finalize__(self, obj: object) -> None:
        self.coding = None


def _compute() -> Any:
    """Arrow's function registry and option classes, without importing ``pyarrow.compute``.

    Importing ``pyarrow.compute`` builds a documented Python wrapper for each
    of Arrow's 300 functions: 0.04 to 0.05 s of every ``python -m analysis``
    command. ``pyarrow._compute`` is what those wrappers and
    ``pyarrow.compute.call_function`` call; should a pyarrow move it, the
    public module is used (``test_package_boundaries`` tells).
    """
    try:
        import pyarrow._compute as compute
    except ImportError:  # pragma: no cover - a pyarrow that reorganised its private modules
        import pyarrow.compute as compute
    return compute


def arrow_call(name: str, *args: object, options: object = None) -> Any:
    """Arrow's compute function ``name`` on ``args``: what ``pyarrow.compute.<name>(*args)`` does."""
    return _compute().call_function(name, list(args), options)


def arrow_options(kind: str, *args: object) -> Any:
    """An options object of Arrow's compute functions, ``pyarrow.compute.<kind>(*args)`` (e.g. ``SetLookupOptions``)."""
    return getattr(_compute(), kind)(*args)


def arrow_cast(array: object, kind: object) -> Any:
    """``pyarrow.compute.cast(array, kind)``: a safe cast, an error for a value that does not fit."""
    return arrow_call("cast", array, options=_compute().CastOptions.safe(kind))


def coded_text(column: object) -> np.ndarray:
    """An Arrow text column as a NumPy text array (:class:`CodedText`), through its dictionary encoding.

    Quicker than Arrow's ``to_numpy`` (which goes through pandas) for the
    usual few-valued columns, and the coding comes for free.
    """
    encoded = arrow_call("dictionary_encode", column)
    encoded = encoded.combine_chunks() if hasattr(encoded, "combine_chunks") else encoded
    if len(encoded.dictionary) > _SMALL and 2 * len(encoded.dictionary) > len(encoded):
        # mostly distinct (response ids): the plain values, without a coding nobody asks for
        return np.array(column.to_pylist(), dtype=str).view(CodedText)  # type: ignore[attr-defined]
    distinct = np.array(encoded.dictionary.to_pylist(), dtype=str)
    indices = arrow_numbers(encoded.indices, np.int32)
    values = distinct[indices].view(CodedText) if len(indices) else np.array([], dtype=str).view(CodedText)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    values.coding = (distinct[order], rank[indices])
    return values


def arrow_numbers(array: object, dtype: type, null: object = None) -> np.ndarray:
    """An Arrow array (or chunked array) of numbers as a NumPy array of ``dtype`` (a copy),
    nulls replaced by ``null`` (required when there are nulls).

    Read from the Arrow buffers directly: pyarrow's ``to_numpy``, like any
    conversion of a Python value to Arrow, imports pandas (half a second) to
    check for pandas types.
    """
    import pyarrow as pa

    if hasattr(array, "combine_chunks"):
        array = array.combine_chunks()  # type: ignore[attr-defined]
    n = len(array)  # type: ignore[arg-type]
    if n == 0:
        return np.array([], dtype=dtype)
    size = np.dtype(dtype).itemsize
    values = np.frombuffer(array.buffers()[1], dtype=dtype, count=n, offset=array.offset * size).copy()  # type: ignore[attr-defined]
    if array.null_count:  # type: ignore[attr-defined]
        if null is None:
            raise ValueError("arrow_numbers needs a value for the nulls")
        valid = arrow_cast(arrow_call("is_valid", array), pa.int8())
        flags = np.frombuffer(valid.buffers()[1], dtype=np.int8, count=n, offset=valid.offset)
        values[flags == 0] = null
    return values


def arrow_mask(mask: np.ndarray) -> object:
    """A NumPy boolean mask as an Arrow boolean array (without pyarrow's pandas check)."""
    import pyarrow as pa

    mask = np.asarray(mask, dtype=bool)
    bits = np.packbits(mask, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits.tobytes())])


def unique_inverse(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and, for each value, the position of its distinct value."""
    coding = getattr(values, "coding", None)
    if coding is not None:
        return coding
    array = np.asarray(values)
    if array.ndim != 1 or array.dtype.kind != "U" or len(array) < _SMALL:
        uniq, inverse = np.unique(array, return_inverse=True)
        return uniq, inverse.ravel()
    import pyarrow as pa

    encoded = arrow_call("dictionary_encode", pa.array(array))
    distinct = np.asarray(encoded.dictionary.to_pylist(), dtype=array.dtype)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return distinct[order], rank[encoded.indices.to_numpy(zero_copy_only=False)]


_ODD = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd: multiplying by it loses no bits
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def all_distinct(column: object) -> bool:
    """Whether no two values of an Arrow text column are the same (the response ids' check).

    Exact, and about twice as quick as Arrow's ``unique`` (0.08-0.12 s of
    every command on 300,000 ids, its hash table built value by value): each
    value's bytes, eight at a time, and its length are folded into one 64-bit
    number by NumPy, the numbers sorted, and neighbours compared. Different
    numbers mean different values; only when two numbers are equal (the same
    id twice, or two ids that fold alike) does Arrow's ``unique`` decide.
    """
    array = column.combine_chunks() if hasattr(column, "combine_chunks") else column  # type: ignore[attr-defined]
    n = len(array)  # type: ignore[arg-type]
    if n < 2 or array.null_count or str(array.type) not in ("string", "large_string"):  # type: ignore[attr-defined]
        return len(arrow_call("unique", array)) == n
    wide = str(array.type) == "large_string"  # type: ignore[attr-defined]
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64 if wide else np.int32, count=n + 1,  # type: ignore[attr-defined]
                            offset=array.offset * (8 if wide else 4)).astype(np.int64)  # type: ignore[attr-defined]
    first, size = int(offsets[0]), int(offsets[-1] - offsets[0])
    data = np.zeros(size + 8, dtype=np.uint8)  # eight spare bytes: a word read near the end stays inside
    if size:
        data[:size] = np.frombuffer(array.buffers()[2], dtype=np.uint8, count=size, offset=first)  # type: ignore[attr-defined]
    words = np.lib.stride_tricks.as_strided(data, shape=(size + 1, 8), strides=(1, 1))  # the 8 bytes from each position
    starts = offsets[:-1] - first
    lengths = np.diff(offsets)
    folded = lengths.astype(np.uint64)
    with np.errstate(over="ignore"):
        for at in range(0, int(lengths.max()), 8):
            # the value's bytes at..at+7 (byte k in bits 8k to 8k + 7 on any machine), then only its own
            word = words[np.minimum(starts + at, size)].view("<u8").ravel()
            word &= _LOW_BYTES[np.clip(lengths - at, 0, 8)]
            folded *= _ODD
            folded += word
    folded.sort()
    if not (folded[1:] == folded[:-1]).any():
        return True
    return len(arrow_call("unique", array)) == n
