"""The native posting order is numpy's lexsort; prefixes shared by several hashes are put in tag order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard import _core
from leakguard.index.store import _order_shared_prefixes


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 400), st.integers(1, 6))
def test_posting_order_is_lexsort(seed: int, count: int, spread: int) -> None:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, spread, count).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    tags = rng.integers(0, spread, count).astype(np.uint16)
    lines = rng.integers(0, spread, count).astype(np.int64)
    assert np.array_equal(_core.posting_order(keys, tags, lines), np.lexsort((lines, tags, keys)))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300))
def test_shared_prefixes_end_in_tag_then_line_order(seed: int, count: int) -> None:
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 40, count).astype(np.uint64)
    keys_of = hashes >> np.uint64(2)  # four hashes to a prefix
    tags = rng.integers(0, 5, count).astype(np.uint16)
    lines = rng.integers(0, 9, count).astype(np.int64)
    order = _core.posting_order(hashes, tags, lines)
    _order_shared_prefixes(order, hashes[order], keys_of[order], tags, lines)
    # what the whole second sort did before (ties of a prefix, tag and line stay in hash order)
    first = np.lexsort((lines, tags, hashes))
    assert np.array_equal(order, first[np.lexsort((lines[first], tags[first], keys_of[first]))])
