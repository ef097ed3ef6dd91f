"""The hash table must find exactly the postings a plain sorted search over whole prefixes finds."""

from __future__ import annotations

from typing import Literal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.index.postings import pack_postings, posting_bounds, posting_tables
from leakguard.index.table import RESIDUE_BITS, bisect, bucket_bits, find, prefixes, table_prefixes


def _table(hashes: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    bits = bucket_bits(np.unique(hashes).shape[0])
    keys = np.sort(prefixes(hashes, bits))
    zeros = np.zeros(keys.shape[0], np.int64)
    tables = posting_tables(keys, bits, pack_postings(zeros, zeros, 10), zeros.astype(np.uint16), zeros)
    return tables, keys, bits


_hash_lists = st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=400)


@settings(max_examples=60, deadline=None)
@given(_hash_lists, st.lists(st.integers(0, 2**64 - 1), max_size=50), st.integers(0, 5))
def test_find_matches_a_sorted_search(indexed: list[int], others: list[int], repeats: int) -> None:
    # Repeated hashes make runs of postings, as a hash held by several files does.
    hashes = np.asarray(indexed + indexed[:1] * repeats, dtype=np.uint64)
    tables, keys, bits = _table(hashes)
    unique = np.unique(keys)
    queries = np.asarray(indexed + others, dtype=np.uint64)
    positions, slot = find(tables, queries)
    query_keys = prefixes(queries, bits)
    assert np.array_equal(positions, np.flatnonzero(np.isin(query_keys, unique)))
    assert np.array_equal(slot, np.searchsorted(unique, query_keys[positions]))
    first, stop = posting_bounds(tables, slot)
    assert np.array_equal(first, np.searchsorted(keys, query_keys[positions], side="left"))
    assert np.array_equal(stop, np.searchsorted(keys, query_keys[positions], side="right"))
    assert set(range(len(indexed))) <= set(positions.tolist())


@settings(max_examples=60, deadline=None)
@given(_hash_lists)
def test_prefixes_come_back_from_buckets_and_residues(indexed: list[int]) -> None:
    tables, keys, _ = _table(np.asarray(indexed, dtype=np.uint64))
    assert np.array_equal(table_prefixes(tables), np.unique(keys))


def test_a_lookup_compares_the_bucket_bits_and_the_residue_bits() -> None:
    bits = 4
    tables, _, _ = _table(np.asarray([0x1234_5678_9ABC_DEF0], dtype=np.uint64))
    assert bucket_bits(1) == bits
    shift = 64 - bits - RESIDUE_BITS
    # Differing only below the compared bits: the same fingerprint. Differing in the
    # lowest compared bit: another one.
    same = np.uint64(0x1234_5678_9ABC_DEF0 ^ ((1 << shift) - 1))
    other = np.uint64(0x1234_5678_9ABC_DEF0 ^ (1 << shift))
    positions, _ = find(tables, np.asarray([same, other], dtype=np.uint64))
    assert positions.tolist() == [0]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 50), min_size=1, max_size=300),
    st.lists(st.tuples(st.integers(0, 299), st.integers(0, 299), st.integers(-1, 51)), min_size=1, max_size=40),
    st.booleans(),
)
def test_bisect_is_searchsorted_per_row(values: list[int], rows: list[tuple[int, int, int]], right: bool) -> None:
    data = np.sort(np.asarray(values, dtype=np.int64))
    n = data.shape[0]
    low = np.asarray([min(a, b, n) for a, b, _ in rows], dtype=np.int64)
    high = np.asarray([min(max(a, b), n) for a, b, _ in rows], dtype=np.int64)
    targets = np.asarray([t for _, _, t in rows], dtype=np.int64)
    got = bisect(data, low, high, targets, right=right)
    side: Literal["left", "right"] = "right" if right else "left"
    expected = [
        lo + int(np.searchsorted(data[lo:hi], t, side=side)) for lo, hi, t in zip(low, high, targets, strict=True)
    ]
    assert got.tolist() == expected
