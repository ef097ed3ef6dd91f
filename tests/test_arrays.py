"""The scan path's array helpers give numpy's results."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.arrays import distinct, distinct_inverse, member, member_sorted


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
