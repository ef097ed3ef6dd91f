"""The engine's merge of postings (``merge.rs``) against the numpy merge it replaced
(``tests/reference_merge.py``): the same sections, byte for byte, and the same count of
public postings dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard import _core
from leakguard.index.build import fingerprint_tree
from leakguard.index.postings import posting_sections
from leakguard.options import DEFAULT_PARAMS
from tests.reference_merge import reference_merge

REPO = Path(__file__).resolve().parents[2]


def _native(
    hashes: npt.NDArray[np.uint64],
    tags: npt.NDArray[np.uint16],
    starts: npt.NDArray[np.uint32],
    spans: npt.NDArray[np.uint8],
    counts: npt.NDArray[np.uint32],
    lines: npt.NDArray[np.uint32],
    public: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint16]]],
) -> tuple[dict[str, npt.NDArray[Any]], int]:
    public_hashes = np.concatenate([h for h, _ in public]) if public else np.empty(0, np.uint64)
    public_tags = np.concatenate([t for _, t in public]) if public else np.empty(0, np.uint16)
    _, sections, removed, _, _ = _core.merge_postings(
        hashes, tags, starts, spans, counts, lines, public_hashes.astype(np.uint64), public_tags.astype(np.uint16), []
    )
    return posting_sections(sections), removed


def _same(args: tuple[Any, ...]) -> None:
    got, got_removed = _native(*args)
    want, want_removed = reference_merge(*args)
    assert got_removed == want_removed
    assert sorted(got) == sorted(want)
    for name, array in want.items():
        assert got[name].dtype == array.dtype, name
        assert np.array_equal(got[name], array), name


def _postings(seed: int, files: int, spread: int, prefix_bits: int) -> tuple[Any, ...]:
    """Random files whose hashes often collide in full or in their top bits only (shared prefixes)."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 40, files).astype(np.uint32)
    lines = (rng.integers(1, 60, files) + 40 * rng.integers(0, 2, files)).astype(np.uint32)
    total = int(counts.sum())
    tops = rng.integers(0, spread, total).astype(np.uint64) << np.uint64(64 - prefix_bits)
    lows = rng.integers(0, 3, total).astype(np.uint64)  # below any prefix: same prefix, other hash
    hashes = tops | lows
    tags = rng.integers(0, 4, total).astype(np.uint16)
    file_of = np.repeat(np.arange(files), counts)
    starts = (rng.integers(0, 1000, total) % lines[file_of] + 1).astype(np.uint32)
    spans = rng.integers(0, 300, total).clip(0, 255).astype(np.uint8)
    picked = rng.choice(total, size=min(total, 5), replace=False) if total else np.empty(0, np.int64)
    public = [(hashes[picked], tags[picked]), (rng.integers(0, 2**63, 3).astype(np.uint64), np.zeros(3, np.uint16))]
    return hashes, tags, starts, spans, counts, lines, public


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 30), st.integers(1, 50), st.integers(4, 24))
def test_the_engine_merges_as_numpy_did(seed: int, files: int, spread: int, prefix_bits: int) -> None:
    _same(_postings(seed, files, spread, prefix_bits))


def test_large_merges_split_between_threads_merge_as_numpy_did() -> None:
    # Past 65,536 postings the buckets are sorted on several threads.
    _same(_postings(3, 6000, 2**20, 24))


def test_an_index_of_real_sources_merges_as_numpy_did() -> None:
    files = [f for f in fingerprint_tree([REPO / "leakguard"], DEFAULT_PARAMS, jobs=1) if f.skipped is None]
    args = (
        np.concatenate([f.hashes for f in files]),
        np.concatenate([f.tags for f in files]),
        np.concatenate([f.start_lines for f in files]),
        np.concatenate([f.spans for f in files]),
        np.asarray([f.hashes.shape[0] for f in files], dtype=np.uint32),
        np.asarray([f.lines for f in files], dtype=np.uint32),
        [(files[0].hashes, files[0].tags)],
    )
    _same(args)


def test_bad_postings_are_refused_with_a_clear_error() -> None:
    one = np.ones(1, np.uint64), np.ones(1, np.uint16), np.zeros(1, np.uint32), np.zeros(1, np.uint8)
    no_public = np.empty(0, np.uint64), np.empty(0, np.uint16)
    with pytest.raises(ValueError, match="line 0"):
        _core.merge_postings(*one, np.ones(1, np.uint32), np.ones(1, np.uint32), *no_public, [])
    with pytest.raises(ValueError, match="counts add up"):
        _core.merge_postings(*one, np.full(1, 2, np.uint32), np.ones(1, np.uint32), *no_public, [])
