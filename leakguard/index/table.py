"""The posting table: every posting keyed by a 32-bit residue of its hash, found by bucket.

An index does not store whole 64-bit hashes. Postings are sorted by hash, and a bucket
directory (``hash_buckets``) says where the postings whose hash starts with each ``b``-bit
prefix begin; within a bucket a posting keeps only the next 32 bits of its hash
(``residues``). A lookup therefore compares ``b + 32`` bits (52 or more in any index of a
million postings), and two different k-grams agree on all of them about once in 2**52
lookups per posting: a stray hit, never a finding on its own.

Storing residues per posting, and no table of unique hashes with offsets into the postings,
costs 4 bytes a posting instead of 14 a unique hash plus 4 a posting (most hashes have one
posting). The ``df`` of a hash is repeated on each of its postings for the same reason.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

#: Postings a bucket holds on average: a lookup searches about this many residues.
POSTINGS_PER_BUCKET = 8
#: Probes per row and round of :func:`bisect`: a round narrows a range eightfold, so a
#: typical bucket takes one round and the longest run of postings four or five.
FANOUT = 16
_STEPS = np.arange(FANOUT, dtype=np.int64)[None, :]
#: Buckets up to this long are searched in one gather of all their residues.
SHORT = 16
_SHORT_STEPS = np.arange(SHORT, dtype=np.int64)[None, :]


def bucket_bits(postings: int) -> int:
    """Prefix bits ``b`` of the bucket directory for a table of ``postings`` entries."""
    return int(min(32, max(4, np.ceil(np.log2(max(postings, 1) / POSTINGS_PER_BUCKET)))))


def directory_bits(buckets: npt.NDArray[Any]) -> int:
    """``b`` of a bucket directory of ``2**b + 1`` entries."""
    return int(buckets.shape[0] - 1).bit_length() - 1


def prefixes(hashes: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.uint64]:
    """The top ``bits + 32`` bits of each hash: what a table with ``b = bits`` tells apart."""
    out: npt.NDArray[np.uint64] = hashes >> np.uint64(32 - bits)
    return out


def table_prefixes(arrays: dict[str, npt.NDArray[Any]]) -> npt.NDArray[np.uint64]:
    """The hash prefix of every posting of a table, rebuilt from its buckets and residues."""
    buckets = np.asarray(arrays["hash_buckets"], dtype=np.int64)
    bits = directory_bits(buckets)
    bucket = np.repeat(np.arange(2**bits, dtype=np.uint64), np.diff(buckets))
    out: npt.NDArray[np.uint64] = (bucket << np.uint64(32)) | np.asarray(arrays["residues"], dtype=np.uint64)
    return out


def posting_tables(
    keys: npt.NDArray[np.uint64],
    bits: int,
    loc: npt.NDArray[np.int64],
    spans: npt.NDArray[np.uint8],
    tags: npt.NDArray[np.uint16],
    file_ids: npt.NDArray[np.int64],
) -> tuple[dict[str, npt.NDArray[Any]], int]:
    """The table sections from postings sorted by (prefix, tag, loc), and the number of distinct hashes.

    ``keys`` are the postings' hash prefixes (:func:`prefixes` with the same ``bits``).
    """
    count = keys.shape[0]
    starts_mask = np.ones(count, dtype=bool)
    starts_mask[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(starts_mask)
    new_file = starts_mask.copy()
    new_file[1:] |= file_ids[1:] != file_ids[:-1]
    df = np.add.reduceat(new_file.astype(np.uint32), starts) if count else np.empty(0, np.uint32)
    lengths = np.diff(np.append(starts, count))
    edges = np.arange(2**bits, dtype=np.uint64) << np.uint64(32)
    tables = {
        "hash_buckets": np.append(np.searchsorted(keys, edges), count).astype(np.uint32),
        "residues": (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32),
        # Files holding each hash, saturating: only "more than max_df" is ever asked of it.
        "df": np.repeat(np.minimum(df, np.iinfo(np.uint16).max), lengths).astype(np.uint16),
        "post_loc": loc.astype(np.uint32),
        "post_span": spans.astype(np.uint8),
        "post_tag": tags.astype(np.uint16),
    }
    return tables, int(starts.shape[0])


def find(
    arrays: dict[str, npt.NDArray[Any]], hashes: npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per hash, the range ``[first, stop)`` of its postings (empty when it is not indexed)."""
    buckets = arrays["hash_buckets"]
    bits = directory_bits(buckets)
    bucket = (hashes >> np.uint64(64 - bits)).astype(np.int64)
    residue = ((hashes << np.uint64(bits)) >> np.uint64(32)).astype(np.int64)
    low = buckets[bucket].astype(np.int64)
    high = buckets[bucket + 1].astype(np.int64)
    n = hashes.shape[0]
    # Both ends in one pass: the end of a residue's run is where residue + 1 would start.
    both = bisect(arrays["residues"], np.concatenate((low, low)), np.concatenate((high, high)),
                  np.concatenate((residue, residue + 1)), right=False)  # fmt: skip
    return both[:n], both[n:]


def bisect(
    values: npt.NDArray[Any],
    low: npt.NDArray[np.int64],
    high: npt.NDArray[np.int64],
    targets: npt.NDArray[Any],
    right: bool,
) -> npt.NDArray[np.int64]:
    """Per row, ``low + searchsorted(values[low:high], target)`` (left or right), all rows at once.

    Used where each query has its own small sorted range: a residue within its bucket, a
    tag among the postings of one common hash. Rows still searching are gathered once most
    have finished, so one long range (a hash with thousands of postings) does not keep
    every row in the loop.
    """
    result: npt.NDArray[np.int64] = low.copy()
    rows = np.arange(low.shape[0])
    high = high.copy()
    last = values.shape[0] - 1
    while True:
        active = low < high
        remaining = int(np.count_nonzero(active))
        if remaining == 0:
            break
        if remaining * 4 < active.shape[0]:
            done = ~active
            result[rows[done]] = low[done]
            picked = np.flatnonzero(active)
            rows, low, high, targets = rows[picked], low[picked], high[picked], targets[picked]
            active = np.ones(remaining, dtype=bool)
        middle = (low + high) // 2
        probe = values[np.minimum(middle, last)]
        go_right = (probe <= targets) if right else (probe < targets)
        low = np.where(active & go_right, middle + 1, low)
        high = np.where(active & ~go_right, middle, high)
    result[rows] = low
    return result
