"""b-bit signature comparisons: counting agreeing values eight at a time counts them all."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.fingerprint.minhash import agreements, jaccards


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 20), st.integers(0, 2**32 - 1), st.floats(0.0, 1.0))
def test_agreements_count_the_equal_bytes_of_each_row(rows: int, seed: int, changed: float) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, (rows, 64), dtype=np.uint8)
    b = a.copy()
    flip = rng.random((rows, 64)) < changed
    b[flip] = rng.integers(0, 256, int(flip.sum()), dtype=np.uint8)
    assert agreements(a.view(np.uint64), b.view(np.uint64)).tolist() == (a == b).sum(axis=1).tolist()


def test_jaccards_correct_for_chance_agreement() -> None:
    same = np.arange(64, dtype=np.uint8)[None, :]
    assert jaccards(same, same).tolist() == [1.0]
    # Values that never agree estimate 0; agreeing by chance alone (1/256) estimates 0 too.
    assert jaccards(same, same + 1).tolist() == [0.0]
    half = same.copy()
    half[0, ::2] += 1
    assert abs(float(jaccards(same, half)[0]) - (0.5 - 1 / 256) / (1 - 1 / 256)) < 1e-12
