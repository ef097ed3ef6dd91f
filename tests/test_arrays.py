"""The scan path's array helpers give numpy's results."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.arrays import distinct, distinct_inverse, member, member_sorted, runs


@settings(max_examples=200, derandomize=True)
@given(st.lists(st.integers(-(2**62), 2**62), max_size=300), st.sampled_from([np.int64, np.uint32]))
def test_distinct_is_numpy_unique(values: list[int], dtype: type) -> None:
    array = np.asarray([v % (2**32) for v in values] if dtype is np.uint32 else values, dtype=dtype)
    array = np.concatenate([array, array[::3]])  # repeats
    expected, inverse = np.unique(array, return_inverse=True)
    assert distinct(array).tolist() == expected.tolist()
    assert distinct(array).dtype == array.dtype
    unique, where = distinct_inverse(array)
    assert unique.tolist() == expected.tolist() and where.tolist() == inverse.tolist()


@settings(max_examples=200, derandomize=True)
@given(
    st.lists(st.integers(0, 40), max_size=200),
    st.lists(st.integers(0, 40), max_size=12),
    st.sampled_from([np.int64, np.uint64]),
)
def test_member_is_numpy_isin(values: list[int], choices: list[int], dtype: type) -> None:
    array, wanted = np.asarray(values, dtype=dtype), np.asarray(choices, dtype=dtype)
    assert member(array, wanted).tolist() == np.isin(array, wanted).tolist()


@settings(max_examples=200, derandomize=True)
@given(
    st.lists(st.integers(0, 40), max_size=200),
    st.lists(st.integers(0, 45), max_size=30),
    st.sampled_from([np.int64, np.uint64]),
)
def test_member_sorted_is_numpy_isin_on_sorted_values(values: list[int], choices: list[int], dtype: type) -> None:
    array, wanted = np.sort(np.asarray(values, dtype=dtype)), np.asarray(choices, dtype=dtype)
    assert member_sorted(array, wanted).tolist() == np.isin(array, wanted).tolist()


@settings(max_examples=200, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "own", "strided"]), st.integers(0, 30), st.integers(0, 6))))
def test_runs_hold_the_parts_values_in_order(cuts: list[tuple[str, int, int]]) -> None:
    # Views of two arrays with the same values, arrays of their own and strided views, in
    # any order: the runs hold the parts' values in order, and no run is empty.
    a = np.arange(50, dtype=np.uint64) * 3
    b = np.frombuffer(a.tobytes(), dtype=np.uint64)
    parts = []
    for kind, start, length in cuts:
        if kind == "own":
            parts.append(np.arange(start, start + length, dtype=np.uint64))
        elif kind == "strided":
            parts.append(a[start : start + 2 * length : 2])
        else:
            parts.append((a if kind == "a" else b)[start : start + length])
    joined = runs(parts)
    assert all(run.shape[0] for run in joined)
    empty = np.empty(0, np.uint64)
    assert np.concatenate([*joined, empty]).tolist() == np.concatenate([*parts, empty]).tolist()


def test_runs_join_views_that_follow_each_other() -> None:
    a = np.arange(20, dtype=np.uint64)
    b = np.arange(20, dtype=np.uint64)
    joined = runs([a[0:3], a[3:3], a[3:7], a[8:9], a[9:12], b[12:14], a[14:16:2], a[16:17]])
    assert [run.tolist() for run in joined] == [[0, 1, 2, 3, 4, 5, 6], [8, 9, 10, 11], [12, 13], [14], [16]]
    assert np.shares_memory(joined[0], a) and np.shares_memory(joined[1], a)  # views, not copies
