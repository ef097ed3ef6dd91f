"""The hash table: unique hashes kept as 16-bit residues under a bucket directory.

An index does not store whole 64-bit hashes. The distinct hashes are sorted, and a bucket
directory (``hash_buckets``) says where those whose top ``b`` bits equal each value
begin; within a bucket a hash keeps only its next 16 bits (``residues``). A lookup
therefore compares ``b + 16`` bits (``b`` is chosen for about 8 hashes a bucket). A
scanned k-gram that is not indexed meets one of the ~8 residues of its bucket by chance
about once in 2**13 lookups: a stray hit at a random line of a random file, a few per
megabyte of text. A finding needs a chain of hits in one file's order, so strays are
never evidence; the quality benchmark's false-alarm figures are the check. Two distinct
indexed hashes whose ``b + 16`` bits agree are held as one fingerprint (their postings
are then candidates for either).

32-bit residues made strays a once-in-gigabytes event, at 2 more bytes a distinct hash:
a sixth of the index, for evidence the chain rules already discard. The postings the
table points to are laid out in :mod:`leakguard.index.postings`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from leakguard import _core

#: Distinct hashes a bucket holds on average: a lookup bisects about this many residues.
HASHES_PER_BUCKET = 8
#: Bits of each distinct hash kept below its bucket's ``b`` (the ``residues`` section).
RESIDUE_BITS = 16
_RESIDUE_MASK = (1 << RESIDUE_BITS) - 1


def bucket_bits(hashes: int) -> int:
    """Prefix bits ``b`` of the bucket directory for a table of ``hashes`` distinct hashes."""
    return int(min(32, max(4, np.ceil(np.log2(max(hashes, 1) / HASHES_PER_BUCKET)))))


def directory_bits(buckets: npt.NDArray[Any]) -> int:
    """``b`` of a bucket directory of ``2**b + 1`` entries."""
    return int(buckets.shape[0] - 1).bit_length() - 1


def prefixes(hashes: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.uint64]:
    """The top ``bits + RESIDUE_BITS`` bits of each hash: what a table with ``b = bits`` tells apart."""
    out: npt.NDArray[np.uint64] = hashes >> np.uint64(64 - RESIDUE_BITS - bits)
    return out


def tagged(keys: npt.NDArray[np.uint64], tags: npt.NDArray[np.uint16]) -> npt.NDArray[np.uint64]:
    """One value per (hash prefix, tag) pair that sorts as the pairs do (prefixes have at most 48 bits)."""
    out: npt.NDArray[np.uint64] = (keys << np.uint64(16)) | tags.astype(np.uint64)
    return out


def _probe(
    buckets: npt.NDArray[Any], residues: npt.NDArray[Any], bucket: npt.NDArray[np.int64], residue: npt.NDArray[Any]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Per query, whether its bucket holds its residue, and the first slot at or after it."""
    if residues.shape[0] == 0:
        return np.zeros(bucket.shape[0], dtype=bool), np.zeros(bucket.shape[0], dtype=np.int64)
    high = buckets[bucket + 1].astype(np.int64)
    slot = bisect(residues, buckets[bucket].astype(np.int64), high, residue, right=False)
    return (slot < high) & (residues[np.minimum(slot, residues.shape[0] - 1)] == residue), slot


def table_prefixes(arrays: dict[str, npt.NDArray[Any]]) -> npt.NDArray[np.uint64]:
    """The prefix of every distinct hash of a table, rebuilt from its buckets and residues
    (ValueError when the buckets do not describe the residues)."""
    out: npt.NDArray[np.uint64] = _core.table_keys(
        np.asarray(arrays["hash_buckets"], dtype=np.uint32), np.asarray(arrays["residues"], dtype=np.uint16)
    )
    return out


def find(
    arrays: dict[str, npt.NDArray[Any]], hashes: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Positions of the hashes that are indexed, and the slot of each in the table."""
    buckets = arrays["hash_buckets"]
    bits = directory_bits(buckets)
    bucket = (hashes >> np.uint64(64 - bits)).astype(np.int64)
    residue = ((hashes << np.uint64(bits)) >> np.uint64(64 - RESIDUE_BITS)).astype(np.uint16)
    hit, slot = _probe(buckets, arrays["residues"], bucket, residue)
    positions = hit.nonzero()[0]
    return positions, slot[positions]


def bisect(
    values: npt.NDArray[Any],
    low: npt.NDArray[np.int64],
    high: npt.NDArray[np.int64],
    targets: npt.NDArray[Any],
    right: bool,
) -> npt.NDArray[np.int64]:
    """Per row, ``low + searchsorted(values[low:high], target)`` (left or right), all rows at once.

    Used where each query has its own small sorted range: a residue within its bucket, a
    tag among the postings of one common hash. Each row advances by falling powers of two
    (the largest no greater than the longest range, then half of it, ...) while the value
    it would step over is still before its target: a handful of whole-array steps with no
    per-step bookkeeping, which on a prompt's few hundred rows costs less than the steps
    themselves would save by dropping finished rows.
    """
    result: npt.NDArray[np.int64] = np.array(low, dtype=np.int64)
    if result.shape[0] == 0:
        return result
    longest = int((high - low).max())
    if longest <= 0:
        return result
    step = 1 << (longest.bit_length() - 1)
    while step:
        ahead = result + step
        probe = values.take(ahead - 1, mode="clip")  # rows already at their end may step past it
        go = (probe <= targets) if right else (probe < targets)
        go &= ahead <= high
        np.copyto(result, ahead, where=go)
        step >>= 1
    return result
