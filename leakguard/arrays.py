"""Array helpers for the scan path, where numpy's general tools cost more than they must.

``numpy.unique`` (numpy 2.x) first builds a hash table of the values and then sorts the
distinct ones; on the int64 keys the scanner makes (a few hundred to a few hundred
thousand of them) one sort and a comparison of neighbours is 4-30x faster, with the same
result (``tests/test_arrays.py`` checks it against ``numpy.unique``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T", bound=np.generic)


def distinct(values: npt.NDArray[T]) -> npt.NDArray[T]:
    """The distinct values of a 1-d array, sorted (``numpy.unique`` without its hash table)."""
    ordered = np.sort(values)
    if ordered.shape[0] < 2:
        return ordered
    fresh = np.empty(ordered.shape[0], dtype=bool)
    fresh[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=fresh[1:])
    return ordered[fresh]


def distinct_inverse(values: npt.NDArray[T]) -> tuple[npt.NDArray[T], npt.NDArray[np.intp]]:
    """The distinct values, sorted, and for each value its index among them."""
    unique = distinct(values)
    return unique, np.searchsorted(unique, values)


def member(values: npt.NDArray[T], choices: npt.NDArray[T]) -> npt.NDArray[np.bool_]:
    """Whether each value is one of ``choices``: ``numpy.isin`` without its set-up.

    ``isin`` picks a method and prepares it on every call, which on a prompt's few hundred
    tokens costs more than the comparisons: a few choices are compared one by one, more are
    sorted once and searched.
    """
    count = choices.shape[0]
    if count == 0:
        return np.zeros(values.shape, dtype=bool)
    if count <= 4:
        out: npt.NDArray[np.bool_] = values == choices[0]
        for choice in choices[1:]:
            out |= values == choice
        return out
    ordered = np.sort(choices)
    found: npt.NDArray[np.bool_] = ordered[np.minimum(np.searchsorted(ordered, values), count - 1)] == values
    return found


def member_sorted(values: npt.NDArray[T], choices: npt.NDArray[T]) -> npt.NDArray[np.bool_]:
    """:func:`member` for ``values`` sorted ascending (the postings of an index): each choice
    is searched among the values, not each value among the choices, and the runs found are
    marked in one pass. Ten million postings against half a million public pairs: about a
    fifth of the time of :func:`member`."""
    count = values.shape[0]
    if count == 0 or choices.shape[0] == 0:
        return np.zeros(values.shape, dtype=bool)
    # Public sets come sorted already: checking costs a tenth of sorting them again.
    ordered = choices if bool(np.all(np.greater_equal(choices[1:], choices[:-1]))) else np.sort(choices)
    if values.dtype == np.uint64 and ordered.dtype == np.uint64:  # an index's tables: one merge pass
        from leakguard import _core

        found: npt.NDArray[np.bool_] = _core.sorted_member(np.ascontiguousarray(values), np.ascontiguousarray(ordered))
        return found
    first = np.searchsorted(values, ordered, side="left")
    past = np.searchsorted(values, ordered, side="right")
    edges = np.bincount(first, minlength=count + 1) - np.bincount(past, minlength=count + 1)
    inside: npt.NDArray[np.bool_] = np.cumsum(edges[:count]) > 0
    return inside


def concatenated(parts: Sequence[npt.NDArray[Any]], dtype: type[Any]) -> npt.NDArray[Any]:
    """The arrays one after another, as one contiguous array of ``dtype`` (empty for none)."""
    return np.ascontiguousarray(np.concatenate(parts) if parts else np.empty(0), dtype=dtype)


def narrowest(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """u16 when every value fits, else u32: most files, units and line numbers are small."""
    fits = values.size == 0 or int(values.max()) <= np.iinfo(np.uint16).max
    return np.asarray(values).astype(np.uint16 if fits else np.uint32)


def codepoints(text: str) -> npt.NDArray[np.uint32]:
    """The code points of text as an array (lone surrogates included)."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.uint32)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
