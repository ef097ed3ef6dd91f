"""The numpy merge of postings that the engine's ``merge.rs`` replaced, kept as the
reference of a differential test (``tests/index/test_merge_postings.py``).

From per-file postings (concatenated in file order) to the posting and hash-table
sections of an index: sorted by (hash, tag, line) with numpy's ``lexsort``, the prefixes
several hashes share put back in (tag, line) order, the exact public pairs dropped, then
packed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from leakguard.arrays import member_sorted
from leakguard.index.postings import pack_postings, posting_tables
from leakguard.index.table import bucket_bits, prefixes


def reference_merge(
    hashes: npt.NDArray[np.uint64],
    tags: npt.NDArray[np.uint16],
    starts: npt.NDArray[np.uint32],
    spans: npt.NDArray[np.uint8],
    counts: npt.NDArray[np.uint32],
    lines: npt.NDArray[np.uint32],
    public: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint16]]],
) -> tuple[dict[str, npt.NDArray[Any]], int]:
    """The sections (``post_loc``, ``post_tag`` and the hash table's) and the postings removed."""
    line_base = np.concatenate(([0], np.cumsum(np.asarray(lines, dtype=np.int64))))
    file_ids = np.repeat(np.arange(counts.shape[0], dtype=np.int64), np.asarray(counts, dtype=np.int64))
    loc = starts.astype(np.int64) - 1 + line_base[file_ids]
    order = np.lexsort((loc, tags, hashes))
    ordered = hashes[order]
    distinct = int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1 if ordered.shape[0] else 0
    bits = bucket_bits(distinct)
    keys = prefixes(ordered, bits)
    _order_shared_prefixes(order, ordered, keys, tags, loc)
    tagged = _tagged(keys, tags[order])
    keep = np.ones(order.shape[0], dtype=bool)
    removed = 0
    for public_hashes, public_tags in public:
        drop = member_sorted(tagged, _tagged(prefixes(public_hashes, bits), public_tags)) & keep
        removed += int(np.count_nonzero(drop))
        keep &= ~drop
    order, keys = order[keep], keys[keep]
    packed = pack_postings(loc[order], spans[order], int(line_base[-1]))
    return posting_tables(keys, bits, packed, tags[order], file_ids[order]), removed


def _order_shared_prefixes(
    order: npt.NDArray[np.int64],
    hashes: npt.NDArray[np.uint64],
    keys: npt.NDArray[np.uint64],
    tags: npt.NDArray[np.uint16],
    loc: npt.NDArray[np.int64],
) -> None:
    """Put back in (tag, line) order, in place, the postings of each prefix that several
    distinct hashes share; ``order`` sorts the postings by (hash, tag, line)."""
    shared = np.flatnonzero((hashes[1:] != hashes[:-1]) & (keys[1:] == keys[:-1]))
    if not shared.size:
        return
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    ends = np.append(starts[1:], keys.shape[0])
    for run in np.unique(np.searchsorted(starts, shared, side="right") - 1):
        first, last = int(starts[run]), int(ends[run])
        part = order[first:last]
        order[first:last] = part[np.lexsort((loc[part], tags[part]))]


def _tagged(keys: npt.NDArray[np.uint64], tags: npt.NDArray[np.uint16]) -> npt.NDArray[np.uint64]:
    out: npt.NDArray[np.uint64] = (keys << np.uint64(16)) | tags.astype(np.uint64)
    return out
