"""The reference hit filters (numpy, tests/reference_chain.py) drop exactly the hits their rules name."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_chain import MIN_EXACT_NEIGHBOURS, MIN_STRUCTURAL_NEIGHBOURS, prefer_exact, without_sparse

from leakguard.hits import Hits

_hit = st.tuples(st.integers(0, 300), st.integers(0, 2), st.booleans())  # position, file, exact


def _hits(rows: list[tuple[int, int, bool]]) -> Hits:
    pos, file, exact = (np.asarray(column) for column in zip(*rows, strict=True))
    n = pos.shape[0]
    return Hits(pos.astype(np.int64), file.astype(np.int64), np.arange(n, dtype=np.int64),
                np.arange(n, dtype=np.int64), exact.astype(bool), np.arange(n, dtype=np.int64))  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_hit, min_size=1, max_size=80), st.integers(1, 60))
def test_without_sparse_keeps_the_hits_with_enough_neighbours(rows: list[tuple[int, int, bool]], gap: int) -> None:
    hits = _hits(rows)
    places = set(zip(hits.file.tolist(), hits.pos.tolist(), strict=True))
    expected = []
    for p, f, exact in rows:
        around = sum(1 for g, q in places if g == f and abs(q - p) <= gap)
        expected.append(around >= (MIN_EXACT_NEIGHBOURS if exact else MIN_STRUCTURAL_NEIGHBOURS))
    kept = without_sparse(hits, gap)
    assert kept.key.tolist() == np.flatnonzero(expected).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(_hit, min_size=1, max_size=80))
def test_prefer_exact_drops_structural_hits_where_names_match_at_the_same_place(
    rows: list[tuple[int, int, bool]],
) -> None:
    hits = _hits(rows)
    named = {(f, p) for p, f, exact in rows if exact}
    expected = [i for i, (p, f, exact) in enumerate(rows) if exact or (f, p) not in named]
    assert prefer_exact(hits).key.tolist() == expected
