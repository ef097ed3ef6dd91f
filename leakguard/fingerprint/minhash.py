"""MinHash signatures of indexed units, for near-duplicates whose k-grams edits broke.

Winnowing needs runs of identical tokens; a copy with a line inserted every few lines, or
statements rewritten, may keep few such runs yet share most of its short shingles with the
original. MinHash estimates that overlap (Jaccard similarity) from a fixed-size signature.

Parameters (stored in the index manifest):

* shingles are ``shingle``-token windows of the *abstract* token stream (names and literals
  abstracted), hashed to 32 bits, so renaming does not change them;
* signatures use datasketch's ``affine32`` scheme with ``minhash_perm`` permutations from
  ``minhash_seed``: ``h -> a * fmix32(h) + b mod 2**32``. datasketch draws the permutations
  (:func:`make_permutations`), which are stored in the index; both sides apply them with
  numpy, all of a file's units at once (:func:`signatures`), and a test checks the values
  against datasketch's own ``MinHash``. A worker process therefore never imports
  datasketch (nor the scipy it brings: half a second), and an update takes the
  permutations from the index it replaces;
* b-bit MinHash (Li and König; datasketch's ``bBitMinHash``): only the lowest ``BITS`` bits
  of each value are stored. Two values then also agree by chance, with probability
  ``2**-BITS``; :func:`jaccard` corrects for it. A quarter of the size for the same number
  of permutations, at a slightly wider estimate;
* no LSH banding: a scan compares a window only with the few units near a partial exact
  match (:mod:`leakguard.near`), from their signatures.

Byte format of a stored signature: ``minhash_perm`` bytes (the b-bit values, ``BITS`` = 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from leakguard.arrays import distinct
from leakguard.fingerprint.kgrams import kgram_hashes

U32 = npt.NDArray[np.uint32]
U8 = npt.NDArray[np.uint8]
BITS = 8

_F1 = np.uint32(0x85EBCA6B)
_F2 = np.uint32(0xC2B2AE35)


def shingles(abstract: npt.NDArray[np.uint64], size: int) -> U32:
    """Sorted unique 32-bit hashes of the ``size``-token shingles of a token stream."""
    return distinct((kgram_hashes(abstract, size) >> np.uint64(32)).astype(np.uint32))


def make_permutations(num_perm: int, seed: int) -> npt.NDArray[np.uint32]:
    """The (2, num_perm) permutation parameters datasketch draws for this seed (index side)."""
    permutations: npt.NDArray[np.uint32] = _datasketch_permutations(num_perm, seed).copy()
    return permutations


@cache
def _datasketch_permutations(num_perm: int, seed: int) -> npt.NDArray[np.uint32]:
    from datasketch import MinHash

    permutations = np.asarray(MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations, dtype=np.uint32)
    permutations.setflags(write=False)
    return permutations


#: Shingles permuted at once by :func:`signatures` (a block of 64 KiB shingles under 64
#: permutations is 16 MiB).
_BLOCK = 1 << 16


def signatures(sets: Sequence[U32], permutations: npt.NDArray[np.uint32]) -> U32:
    """(len(sets), num_perm) matrix: the signature of each shingle set (:func:`signature`
    of each, computed a block of sets at a time)."""
    out: U32 = np.full((len(sets), permutations.shape[1]), np.iinfo(np.uint32).max, dtype=np.uint32)
    filled = [i for i, values in enumerate(sets) if values.shape[0]]
    first = 0
    while first < len(filled):
        last, held = first, 0
        while last < len(filled) and (last == first or held + sets[filled[last]].shape[0] <= _BLOCK):
            held += sets[filled[last]].shape[0]
            last += 1
        block = filled[first:last]
        starts = np.cumsum([0] + [sets[i].shape[0] for i in block[:-1]])
        permuted = permute(np.concatenate([sets[i] for i in block]), permutations)
        out[block] = np.minimum.reduceat(permuted, starts, axis=0)
        first = last
    return out


def _fmix32(values: U32) -> U32:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    values = values ^ (values >> np.uint32(16))
    values = values * _F1
    values = values ^ (values >> np.uint32(13))
    values = values * _F2
    return np.asarray(values ^ (values >> np.uint32(16)), dtype=np.uint32)


def permute(values: U32, permutations: npt.NDArray[np.uint32]) -> U32:
    """(n, num_perm) matrix: every shingle hash under every permutation (datasketch's affine32)."""
    with np.errstate(over="ignore"):
        mixed = _fmix32(values.astype(np.uint32))[:, None]
        out: U32 = np.multiply(mixed, permutations[0][None, :], dtype=np.uint32)
        np.add(out, permutations[1][None, :], out=out)  # in place: the matrix is the large part
        return out


def signature(values: U32, permutations: npt.NDArray[np.uint32]) -> U32:
    """Signature of one shingle set with numpy alone (scan side); equals datasketch's."""
    if values.shape[0] == 0:
        return np.full(permutations.shape[1], np.iinfo(np.uint32).max, dtype=np.uint32)
    return np.asarray(permute(values, permutations).min(axis=0), dtype=np.uint32)


def b_bit(signatures: U32) -> U8:
    """The stored form of signatures: the lowest ``BITS`` bits of every value."""
    return np.asarray(signatures & np.uint32((1 << BITS) - 1), dtype=np.uint8)


def jaccard(a: U8, b: U8) -> float:
    """Estimated Jaccard similarity of two b-bit signatures of equal length.

    Values agree for members of both sets, and by chance (``2**-BITS``) otherwise; the
    raw share of agreeing values is corrected for the chance agreements.
    """
    return float(jaccards(a[None, :], b[None, :])[0])


def jaccards(a: U8, b: U8) -> npt.NDArray[np.float64]:
    """:func:`jaccard` of each row of ``a`` with the same row of ``b`` (shape (n, perm) each)."""
    chance = 1.0 / (1 << BITS)
    if a.shape[1] % 8 == 0 and a.shape[0]:
        agree = agreements(np.ascontiguousarray(a).view(np.uint64), np.ascontiguousarray(b).view(np.uint64))
    else:
        agree = np.count_nonzero(a == b, axis=1)
    raw = agree / float(a.shape[1])
    return np.asarray(np.maximum(0.0, (raw - chance) / (1.0 - chance)), dtype=np.float64)


_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_ONES = np.uint64(0x0101010101010101)


def agreements(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Per row, how many of the 8-bit values packed eight to a word agree (shape (n, words) each).

    A byte of ``a ^ b`` is zero where two values agree; the classic zero-byte test marks
    each such byte's high bit, and one multiplication sums the marks of a word. This
    reads eight values a step instead of one.
    """
    x = a ^ b
    marks = (~(((x & _LOW7) + _LOW7) | x | _LOW7)) >> np.uint64(7)  # 1 in each agreeing byte
    with np.errstate(over="ignore"):
        per_word = (marks * _ONES) >> np.uint64(56)
    return np.asarray(per_word.sum(axis=1), dtype=np.int64)
