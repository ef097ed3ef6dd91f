"""The engine packs merged tables into an index's sections as numpy did, and reads them back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard import _core
from leakguard.index.postings import grouped_tables, pack_df, posting_offsets
from leakguard.index.table import RESIDUE_BITS, table_prefixes
from tests.index import reference_tables as reference


@settings(max_examples=150, deadline=None)
@given(
    st.integers(4, 12),
    st.lists(st.integers(0, 2**28 - 1), max_size=300),
    st.lists(st.integers(0, 3_000), max_size=300),
    st.lists(st.sampled_from([1, 2, 254, 255, 256, 65_534, 65_535, 65_536, 10**6]), max_size=300),
)
def test_packed_tables_are_numpys_and_read_back(bits: int, raw: list[int], counts: list[int], df: list[int]) -> None:
    keys = np.unique(np.asarray(raw, dtype=np.uint64) % np.uint64(1 << (bits + RESIDUE_BITS)))
    size = keys.shape[0]
    counts = (counts + [1] * size)[:size]
    df = (df + [1] * size)[:size]
    offsets = np.concatenate(([0], np.cumsum(np.asarray(counts, dtype=np.int64) * 40)))
    tables = grouped_tables(keys, bits, offsets, np.asarray(df), np.zeros(1, np.uint8), np.zeros(0, np.uint16))
    expected = {
        **reference.hash_table(keys, bits),
        **reference.split_offsets(offsets),
        **reference.pack_df(np.asarray(df)),
    }
    for name, values in expected.items():
        assert tables[name].dtype == values.dtype, name
        assert np.array_equal(tables[name], values), name
    assert np.array_equal(table_prefixes(tables), keys)
    assert np.array_equal(table_prefixes(tables), reference.table_prefixes(tables))
    assert np.array_equal(posting_offsets(tables), offsets)
    assert np.array_equal(pack_df(np.asarray(df))["df_wide"], expected["df_wide"])


def test_wide_offsets_when_a_block_holds_more_than_u16_postings() -> None:
    keys = np.arange(70, dtype=np.uint64)
    offsets = np.arange(71, dtype=np.int64) * 2_000
    tables = grouped_tables(keys, 4, offsets, np.ones(70), np.zeros(1, np.uint8), np.zeros(0, np.uint16))
    assert tables["offsets"].dtype == np.uint32
    assert np.array_equal(posting_offsets(tables), offsets)


def test_sections_that_do_not_hang_together_are_refused() -> None:
    with pytest.raises(ValueError, match="hash_buckets"):
        _core.table_keys(np.asarray([0, 3, 1], np.uint32), np.zeros(3, np.uint16))
    with pytest.raises(ValueError, match="hash_buckets"):
        _core.table_keys(np.asarray([0, 2, 1, 3, 3], np.uint32), np.zeros(3, np.uint16))
    with pytest.raises(ValueError, match="offset_blocks"):
        _core.posting_offsets(np.zeros(0, np.uint32), np.zeros(2, np.uint16))
    with pytest.raises(ValueError, match="bits"):
        _core.pack_tables(np.zeros(0, np.uint64), 40, np.zeros(1, np.uint64), np.zeros(0, np.uint32))
    with pytest.raises(ValueError, match="one value more"):
        _core.pack_tables(np.zeros(2, np.uint64), 4, np.zeros(2, np.uint64), np.zeros(2, np.uint32))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([0, 0, 0, 1, 2, 65_535]), max_size=400))
def test_line_sections_are_numpys(hashes: list[int]) -> None:
    from leakguard.index.lines import pack_line_hashes

    values = np.asarray(hashes, dtype=np.uint16)
    got, expected = pack_line_hashes(values), reference.pack_line_hashes(values)
    for name, section in expected.items():
        assert got[name].dtype == section.dtype and np.array_equal(got[name], section), name


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_idiom_sets_marked_as_the_sections_are_packed_are_those_without_marks(data: st.DataObject) -> None:
    """The engine marks idiom sets while it packs (a merge or a patch); ``Index.without``
    marks them on a written index (numpy): the same sections and statistics."""
    from leakguard.index.build import fingerprint_text
    from leakguard.index.public import PublicSet
    from leakguard.index.store import Index
    from leakguard.options import DEFAULT_PARAMS

    body = (
        "def f{n}(items):\n    total = 0\n    for item in items:\n        total += item.price * {n}\n    return total\n"
    )
    files = [fingerprint_text(f"m{i}.py", body.format(n=i % 3) * (1 + i % 2), DEFAULT_PARAMS) for i in range(6)]
    every = np.unique(np.concatenate([f.hashes for f in files]))
    sets = [
        PublicSet(
            "idiom",
            DEFAULT_PARAMS,
            np.sort(every[data.draw(st.lists(st.booleans(), min_size=every.size, max_size=every.size))]),
            np.zeros(0, np.uint16),
        )
        for _ in range(data.draw(st.integers(1, 3)))
    ]
    packed = Index.from_fingerprints(files, DEFAULT_PARAMS, idioms=sets)
    after = Index.from_fingerprints(files, DEFAULT_PARAMS)
    for public in sets:
        after = after.without(public)
    assert packed.stats == after.stats
    assert sorted(packed.arrays) == sorted(after.arrays)
    for name, section in after.arrays.items():
        assert np.array_equal(packed.arrays[name], section), name
