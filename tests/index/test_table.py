"""The hash table must find exactly the postings a plain sorted search over whole prefixes finds."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.index.table import (
    MAX_LINES,
    bisect,
    bucket_bits,
    find,
    pack_postings,
    posting_tables,
    prefixes,
    span_bits,
    table_prefixes,
    unpack_postings,
)


def _table(hashes: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    bits = bucket_bits(np.unique(hashes).shape[0])
    keys = np.sort(prefixes(hashes, bits))
    zeros = np.zeros(keys.shape[0], np.int64)
    tables = posting_tables(keys, bits, zeros.astype(np.uint32), zeros.astype(np.uint16), zeros)
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
    offsets = tables["offsets"].astype(np.int64)
    first, stop = offsets[slot], offsets[slot + 1]
    assert np.array_equal(first, np.searchsorted(keys, query_keys[positions], side="left"))
    assert np.array_equal(stop, np.searchsorted(keys, query_keys[positions], side="right"))
    assert set(range(len(indexed))) <= set(positions.tolist())


@settings(max_examples=60, deadline=None)
@given(_hash_lists)
def test_prefixes_come_back_from_buckets_and_residues(indexed: list[int]) -> None:
    tables, keys, _ = _table(np.asarray(indexed, dtype=np.uint64))
    assert np.array_equal(table_prefixes(tables), np.unique(keys))


def test_df_counts_files() -> None:
    keys = np.asarray([5, 5, 5, 9], dtype=np.uint64)
    files = np.asarray([0, 0, 1, 2], dtype=np.int64)
    zeros = np.zeros(4, np.int64)
    tables = posting_tables(keys, 4, zeros.astype(np.uint32), zeros.astype(np.uint16), files)
    assert tables["df"].tolist() == [2, 1]
    assert tables["offsets"].tolist() == [0, 3, 4]


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


@settings(max_examples=100, deadline=None)
@given(st.integers(0, MAX_LINES - 1), st.data())
def test_packed_postings_give_back_their_lines_and_spans(lines: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(0, 30))
    loc = np.asarray(data.draw(st.lists(st.integers(0, max(lines - 1, 0)), min_size=count, max_size=count)), np.int64)
    spans = np.asarray(data.draw(st.lists(st.integers(0, 255), min_size=count, max_size=count)), np.int64)
    got_loc, got_spans = unpack_postings(pack_postings(loc, spans, lines), lines)
    assert got_loc.tolist() == loc.tolist()
    # Spans keep 8 bits while the lines fit in 24, and at least 4 below MAX_LINES.
    assert got_spans.tolist() == np.minimum(spans, 2 ** span_bits(lines) - 1).tolist()
    assert span_bits(lines) == 8 if lines < 2**24 else 4 <= span_bits(lines) < 8


def test_an_index_too_large_for_packed_postings_is_refused() -> None:
    from leakguard.errors import IndexFormatError
    from leakguard.index.build import FileFingerprints
    from leakguard.index.store import Index
    from leakguard.options import FingerprintParams

    one = np.ones(1, np.uint32)
    big = FileFingerprints(
        "big.py", "python", MAX_LINES, 20, one.astype(np.uint64), one, np.zeros(1, np.uint8), np.zeros(1, np.uint16)
    )
    with pytest.raises(IndexFormatError, match="split the sources"):
        Index.from_fingerprints([big], FingerprintParams())
