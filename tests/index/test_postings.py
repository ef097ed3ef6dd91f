"""Postings must give back exactly what was packed: lines, spans, offsets and file counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.index.postings import (
    DF_WIDE,
    MAX_LINES,
    PUBLIC_DF,
    full_df,
    grouped_tables,
    held_by_more,
    pack_df,
    pack_postings,
    posting_bounds,
    posting_bytes,
    posting_count,
    posting_offsets,
    posting_tables,
    posting_values,
    posting_words,
    span_bits,
    unpack_postings,
)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, MAX_LINES - 1), st.data())
def test_packed_postings_give_back_their_lines_and_spans(lines: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(0, 30))
    loc = np.asarray(data.draw(st.lists(st.integers(0, max(lines - 1, 0)), min_size=count, max_size=count)), np.int64)
    spans = np.asarray(data.draw(st.lists(st.integers(0, 255), min_size=count, max_size=count)), np.int64)
    packed = pack_postings(loc, spans, lines)
    width = posting_bytes(lines)
    assert packed.shape == (count * width + 4 - width,) and posting_count(packed, lines) == count
    words = posting_words(packed, lines)
    post = np.asarray(data.draw(st.lists(st.integers(0, max(count - 1, 0)), max_size=count if count else 0)), np.int64)
    got_loc, got_spans = unpack_postings(posting_values(words, lines, post), lines)
    assert got_loc.tolist() == loc[post].tolist()
    assert got_spans.tolist() == np.minimum(spans[post], 2 ** span_bits(lines) - 1).tolist()
    assert unpack_postings(posting_values(words, lines), lines)[0].tolist() == loc.tolist()


def test_three_bytes_a_posting_up_to_two_million_lines() -> None:
    # Spans keep 8 bits in small indexes and at least 3 in any index of three-byte rows;
    # four-byte rows keep at least 4 below MAX_LINES.
    assert (posting_bytes(2**16 - 1), span_bits(2**16 - 1)) == (3, 8)
    assert (posting_bytes(1_529_452), span_bits(1_529_452)) == (3, 3)
    assert (posting_bytes(2**21 - 1), span_bits(2**21 - 1)) == (3, 3)
    assert (posting_bytes(2**21), span_bits(2**21)) == (4, 8)
    assert (posting_bytes(MAX_LINES - 1), span_bits(MAX_LINES - 1)) == (4, 4)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 70_000), max_size=300))
def test_packed_offsets_give_back_every_bound(counts: list[int]) -> None:
    offsets = np.concatenate(([0], np.cumsum(np.asarray(counts, dtype=np.int64))))
    keys = np.arange(len(counts), dtype=np.uint64)
    tables = grouped_tables(keys, 4, offsets, np.ones(len(counts)), np.zeros(1, np.uint8), np.zeros(0, np.uint16))
    assert posting_offsets(tables).tolist() == offsets.tolist()
    slot = np.arange(len(counts), dtype=np.int64)
    first, stop = posting_bounds(tables, slot)
    assert first.tolist() == offsets[:-1].tolist() and stop.tolist() == offsets[1:].tolist()
    # 16 bits within a block of 64 hashes while that is enough.
    assert tables["offsets"].dtype == (np.uint16 if max(counts, default=0) * 64 < 2**16 else tables["offsets"].dtype)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 70_000), max_size=200), st.integers(1, 70_000))
def test_held_by_more_is_a_plain_comparison(df: list[int], max_df: int) -> None:
    values = np.minimum(np.asarray(df, dtype=np.int64), PUBLIC_DF)
    tables = pack_df(values)
    assert full_df(tables).tolist() == values.tolist()
    slot = np.arange(len(df), dtype=np.int64)[::-1].copy()
    assert held_by_more(tables, slot, max_df).tolist() == (values[slot] > max_df).tolist()


def test_df_counts_files_and_only_large_counts_are_wide() -> None:
    keys = np.asarray([5, 5, 5, 9], dtype=np.uint64)
    files = np.asarray([0, 0, 1, 2], dtype=np.int64)
    zeros = np.zeros(4, np.int64)
    tables = posting_tables(keys, 4, pack_postings(np.zeros(4), np.zeros(4), 10), zeros.astype(np.uint16), files)
    assert tables["df"].tolist() == [2, 1]
    assert posting_offsets(tables).tolist() == [0, 3, 4]
    wide = pack_df(np.asarray([1, DF_WIDE - 1, DF_WIDE, PUBLIC_DF]))
    assert wide["df"].tolist() == [1, DF_WIDE - 1, DF_WIDE, DF_WIDE]
    assert wide["df_wide_slots"].tolist() == [2, 3] and wide["df_wide"].tolist() == [DF_WIDE, PUBLIC_DF]


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
