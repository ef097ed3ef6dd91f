"""The hash table: unique hashes kept as 32-bit residues under a bucket directory.

An index does not store whole 64-bit hashes. The distinct hashes are sorted, and a bucket
directory (``hash_buckets``) says where those whose top ``b`` bits equal each value
begin; within a bucket a hash keeps only its next 32 bits (``residues``). A lookup
therefore compares ``b + 32`` bits (49 or more in any index of a million hashes). A
scanned k-gram that is not indexed meets one of the ~8 residues of its bucket by chance
about once in 2**29 lookups: a stray hit every few gigabytes of text, never a finding on
its own. ``offsets`` point from each hash to its postings, and ``df`` counts the files
holding it.

Each posting is 6 bytes: its concrete tag (u16) and one u32 holding the global line of
the k-gram's first token and, in its low bits, the lines the k-gram spans beyond it
(:func:`pack_postings`).

This keeps 10 bytes a distinct hash where whole hashes took 14. Residues per *posting*
(no offsets) were measured too: they need less on synthetic, all-distinct fingerprints,
but real package sources hold 2.4 postings a hash, where they need more, and long runs of
one hash in a bucket made lookups about twice as slow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

#: Distinct hashes a bucket holds on average: a lookup bisects about this many residues.
HASHES_PER_BUCKET = 8


def bucket_bits(hashes: int) -> int:
    """Prefix bits ``b`` of the bucket directory for a table of ``hashes`` distinct hashes."""
    return int(min(32, max(4, np.ceil(np.log2(max(hashes, 1) / HASHES_PER_BUCKET)))))


def directory_bits(buckets: npt.NDArray[Any]) -> int:
    """``b`` of a bucket directory of ``2**b + 1`` entries."""
    return int(buckets.shape[0] - 1).bit_length() - 1


def prefixes(hashes: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.uint64]:
    """The top ``bits + 32`` bits of each hash: what a table with ``b = bits`` tells apart."""
    out: npt.NDArray[np.uint64] = hashes >> np.uint64(32 - bits)
    return out


def _directory(keys: npt.NDArray[Any], bits: int) -> npt.NDArray[np.uint32]:
    """Where the sorted hash prefixes (``bits + 32`` bits) whose top ``bits`` bits equal each value start."""
    edges = np.arange(2**bits, dtype=np.uint64) << np.uint64(32)
    return np.append(np.searchsorted(keys, edges), keys.shape[0]).astype(np.uint32)


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
    """The prefix of every distinct hash of a table, rebuilt from its buckets and residues."""
    buckets = np.asarray(arrays["hash_buckets"], dtype=np.int64)
    bits = directory_bits(buckets)
    bucket = np.repeat(np.arange(2**bits, dtype=np.uint64), np.diff(buckets))
    out: npt.NDArray[np.uint64] = (bucket << np.uint64(32)) | np.asarray(arrays["residues"], dtype=np.uint64)
    return out


#: An index holds fewer lines than this, so a posting's line and span share 32 bits.
MAX_LINES = 2**28


def span_bits(lines: int) -> int:
    """Low bits of a packed posting that hold its span, in an index of ``lines`` lines.

    Eight (spans clamp at 255 lines) while the line numbers fit in 24 bits, then fewer:
    at least four, which an index of fewer than ``MAX_LINES`` lines leaves.
    """
    return min(8, 32 - max(1, int(lines).bit_length()))


def pack_postings(loc: npt.NDArray[np.int64], spans: npt.NDArray[Any], lines: int) -> npt.NDArray[np.uint32]:
    """``post_loc`` values: global line shifted over the span (clamped to the bits there are)."""
    bits = span_bits(lines)
    clamped = np.minimum(np.asarray(spans, dtype=np.int64), 2**bits - 1)
    packed: npt.NDArray[np.uint32] = ((np.asarray(loc, dtype=np.int64) << bits) | clamped).astype(np.uint32)
    return packed


def unpack_postings(packed: npt.NDArray[Any], lines: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Global line and span of packed postings (:func:`pack_postings`)."""
    bits = span_bits(lines)
    values = np.asarray(packed, dtype=np.int64)
    return values >> bits, values & (2**bits - 1)


def posting_tables(
    keys: npt.NDArray[np.uint64],
    bits: int,
    packed: npt.NDArray[np.uint32],
    tags: npt.NDArray[np.uint16],
    file_ids: npt.NDArray[np.int64],
) -> dict[str, npt.NDArray[Any]]:
    """The table and posting sections from postings sorted by (prefix, tag, loc).

    ``keys`` are the postings' hash prefixes (:func:`prefixes` with the same ``bits``),
    ``packed`` their lines and spans (:func:`pack_postings`).
    """
    count = keys.shape[0]
    starts_mask = np.ones(count, dtype=bool)
    starts_mask[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(starts_mask)
    unique = keys[starts]
    new_file = starts_mask.copy()
    new_file[1:] |= file_ids[1:] != file_ids[:-1]
    df = np.add.reduceat(new_file.astype(np.uint32), starts) if count else np.empty(0, np.uint32)
    return {
        "hash_buckets": _directory(unique, bits),
        "residues": (unique & np.uint64(0xFFFFFFFF)).astype(np.uint32),
        "offsets": np.append(starts, count).astype(np.uint32),
        # Files holding each hash, saturating: only "more than max_df" is ever asked of it.
        "df": np.minimum(df, np.iinfo(np.uint16).max).astype(np.uint16),
        "post_loc": packed.astype(np.uint32),
        "post_tag": tags.astype(np.uint16),
    }


def find(
    arrays: dict[str, npt.NDArray[Any]], hashes: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Positions of the hashes that are indexed, and the slot of each in the table."""
    buckets = arrays["hash_buckets"]
    bits = directory_bits(buckets)
    bucket = (hashes >> np.uint64(64 - bits)).astype(np.int64)
    residue = ((hashes << np.uint64(bits)) >> np.uint64(32)).astype(np.uint32)
    hit, slot = _probe(buckets, arrays["residues"], bucket, residue)
    positions = np.flatnonzero(hit)
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
    last = values.shape[0] - 1
    step = 1 << (longest.bit_length() - 1)
    while step:
        ahead = result + step
        probe = values[np.minimum(ahead - 1, last)]
        go = (probe <= targets) if right else (probe < targets)
        go &= ahead <= high
        np.copyto(result, ahead, where=go)
        step >>= 1
    return result
