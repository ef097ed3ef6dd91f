from __future__ import annotations

import numpy as np
import numpy.typing as npt
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.fingerprint.kgrams import kgram_hashes
from leakguard.fingerprint.minhash import make_permutations, shingles, signature, signatures
from leakguard.fingerprint.winnow import winnow

K, W = 5, 4


@given(
    st.lists(st.integers(0, 6), min_size=0, max_size=60),
    st.lists(st.integers(0, 6), min_size=W + K - 1, max_size=40),
    st.lists(st.integers(0, 6), min_size=0, max_size=60),
)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_every_shared_run_of_guarantee_length_is_found(before: list[int], shared: list[int], after: list[int]) -> None:
    indexed = np.asarray(before + shared + after, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    hashes = kgram_hashes(indexed, K)
    selected = set(hashes[winnow(hashes, W)].tolist())
    query = np.asarray(shared, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    assert selected & set(kgram_hashes(query, K).tolist())


def test_winnow_density_and_small_inputs() -> None:
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 2**63, 20_000, dtype=np.uint64)
    density = winnow(hashes, 12).shape[0] / hashes.shape[0]
    assert 0.12 < density < 0.19  # about 2 / (w + 1)
    assert winnow(hashes[:3], 12).tolist() == [int(np.argmin(hashes[:3]))]
    assert winnow(hashes[:0], 12).shape[0] == 0


def test_hashes_are_deterministic_values() -> None:
    values = np.arange(1, 20, dtype=np.uint64)
    # Pinned: a change here changes every index ever built.
    assert int(kgram_hashes(values, 12)[0]) == 84006939480553265
    assert kgram_hashes(values, 12).shape[0] == 8
    from leakguard.normalise.alphabet import Alphabet

    assert Alphabet().symbol("if") == 5549250557624171216
    assert Alphabet(b"k").symbol("if") == 3582912470024340164


def datasketch_signature(values: npt.NDArray[np.uint32], num_perm: int, seed: int) -> npt.NDArray[np.uint32]:
    """The signature datasketch's own MinHash gives (drawing its own permutations)."""
    sketch = MinHash(num_perm=num_perm, seed=seed, scheme="affine32", hashfunc=int)
    sketch.update_batch(values.tolist())
    return np.asarray(sketch.hashvalues, dtype=np.uint32)


def test_numpy_signature_equals_datasketch() -> None:
    values = shingles(np.random.default_rng(3).integers(0, 2**63, 400, dtype=np.uint64), 5)
    permutations = make_permutations(64, 1)
    assert np.array_equal(signature(values, permutations), datasketch_signature(values, 64, 1))
    drawn = MinHash(num_perm=64, seed=1, scheme="affine32").permutations
    assert make_permutations(64, 1).tolist() == np.asarray(drawn).tolist()
    make_permutations(64, 1)[0, 0] = 0  # a copy: the permutations drawn once stay as drawn
    assert np.array_equal(signature(values, make_permutations(64, 1)), datasketch_signature(values, 64, 1))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=40), max_size=12), st.sampled_from([(64, 1), (16, 9)]))
def test_signatures_of_many_sets_are_datasketchs(sets: list[list[int]], perm_seed: tuple[int, int]) -> None:
    num_perm, seed = perm_seed
    arrays = [np.unique(np.asarray(values, dtype=np.uint32)) for values in sets]
    got = signatures(arrays, make_permutations(num_perm, seed))
    assert got.shape == (len(sets), num_perm) and got.dtype == np.uint32
    for row, values in zip(got, arrays, strict=True):
        assert row.tolist() == datasketch_signature(values, num_perm, seed).tolist()


def test_signatures_are_computed_a_block_at_a_time() -> None:
    # More shingles than one block holds: the sets are cut into blocks, the values stay.
    rng = np.random.default_rng(5)
    arrays = [np.unique(rng.integers(0, 2**32, size, dtype=np.uint32)) for size in (40_000, 30_000, 0, 50_000, 7)]
    permutations = make_permutations(64, 1)
    got = signatures(arrays, permutations)
    for row, values in zip(got, arrays, strict=True):
        assert row.tolist() == signature(values, permutations).tolist()
