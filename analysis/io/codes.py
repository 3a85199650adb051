"""``np.unique(values, return_inverse=True)`` for long text columns, by Arrow's hash table.

NumPy sorts the whole text column to find its few distinct values (a
category, a unit code): about 0.1 s per column of 300,000 responses. Arrow's
dictionary encoding finds them in one pass; only the distinct values are
then sorted, so the result is exactly NumPy's (same order, same dtype).
"""

from __future__ import annotations

import numpy as np

_SMALL = 20_000  # below this NumPy is as quick and no conversion is needed


def unique_inverse(values: object) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and, for each value, the position of its distinct value."""
    array = np.asarray(values)
    if array.ndim != 1 or array.dtype.kind != "U" or len(array) < _SMALL:
        uniq, inverse = np.unique(array, return_inverse=True)
        return uniq, inverse.ravel()
    import pyarrow as pa

    encoded = pa.array(array).dictionary_encode()
    distinct = np.asarray(encoded.dictionary.to_pylist(), dtype=array.dtype)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return distinct[order], rank[encoded.indices.to_numpy(zero_copy_only=False)]
