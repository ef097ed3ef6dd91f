"""Fingerprinting in worker processes gives the index a single process gives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import leakguard
from leakguard.index.build import batches_by_size

PACKAGE = Path(leakguard.__file__).parent


def test_two_workers_build_the_same_index_as_one() -> None:
    one = leakguard.build_index([PACKAGE], jobs=1)
    two = leakguard.build_index([PACKAGE], jobs=2)
    assert one.n_files > 40  # enough files for the worker pool (and batches of several sizes)
    assert one.paths == two.paths
    for name, array in one.arrays.items():
        assert array.tobytes() == two.arrays[name].tobytes(), name


@given(st.lists(st.integers(0, 10_000), max_size=300), st.integers(1, 4))
def testbatches_by_size_hold_every_file_once_largest_first(sizes: list[int], jobs: int) -> None:
    batches = batches_by_size(sizes, jobs)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(sizes)))
    assert [sizes[i] for i in flat] == sorted(sizes, reverse=True)
    budget = max(1, sum(sizes) // (jobs * 16))
    assert all(len(batch) <= 64 for batch in batches)
    assert all(len(batch) == 1 or sum(sizes[i] for i in batch) <= budget for batch in batches)
