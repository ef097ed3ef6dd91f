"""Hits: the (scanned k-gram, indexed posting) pairs of a scan, and the ones chaining skips.

A *hit* says: the k-gram starting at scanned token ``pos`` also occurs in indexed file
``file`` at lines ``line..end_line``; it is *exact* when the names match too, and ``key``
names the indexed fingerprint. Before hits are chained (:mod:`leakguard.match`), two
filters drop the ones that cannot change what chaining finds: structural hits on
repetitions of code that an exact hit names better, and hits too sparse to reach a
reportable chain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass
class Hits:
    """Fingerprint hits of one scan as parallel arrays."""

    pos: npt.NDArray[np.int64]
    file: npt.NDArray[np.int64]
    line: npt.NDArray[np.int64]
    end_line: npt.NDArray[np.int64]
    exact: npt.NDArray[np.bool_]
    key: npt.NDArray[np.int64]


def prefer_exact(hits: Hits) -> Hits:
    """Where one scanned k-gram hits several places of a file and some match by name, keep those.

    Repetitive code (a run of similar declarations) makes one structural k-gram hit every
    repetition; the names say which repetition was copied.
    """
    if not hits.exact.any() or hits.exact.all():
        return hits
    key = hits.file * (int(hits.pos.max()) + 1) + hits.pos
    order = key.argsort(kind="stable")
    sorted_key = key[order]
    starts = np.concatenate(([True], sorted_key[1:] != sorted_key[:-1])).nonzero()[0]
    group_exact = np.maximum.reduceat(hits.exact[order].astype(np.int8), starts).astype(bool)
    sizes = np.concatenate((starts[1:], [key.shape[0]])) - starts
    keep_sorted = hits.exact[order] | ~group_exact.repeat(sizes)
    keep = np.empty_like(keep_sorted)
    keep[order] = keep_sorted
    return Hits(hits.pos[keep], hits.file[keep], hits.line[keep], hits.end_line[keep], hits.exact[keep], hits.key[keep])


#: A hit is kept for chaining only with this many hits of its file (itself included) within
#: ``gap`` scanned tokens: two when its names match, four when only its structure does.
#: Fewer cannot reach the threshold (20 exact tokens, about 37 structural ones) anyway.
MIN_EXACT_NEIGHBOURS = 2
MIN_STRUCTURAL_NEIGHBOURS = 4


def without_sparse(hits: Hits, gap: int) -> Hits:
    """Drop hits too sparse to ever form a reportable chain (see MIN_*_NEIGHBOURS).

    Text sharing common structure with a large index has thousands of scattered hits;
    chaining them one by one in Python would dominate the scan.
    """
    width = int(hits.pos.max()) + 2 * gap + 2
    key = hits.file * width + hits.pos
    # Distinct (file, position) keys within ``gap`` of each hit, counted in sorted order:
    # searching sorted keys for sorted ones walks memory once, and ranks count distinct keys.
    order = key.argsort()
    ordered = key[order]
    fresh = np.ones(ordered.shape[0], dtype=np.int64)
    fresh[1:] = ordered[1:] != ordered[:-1]
    rank = fresh.cumsum()
    last = np.searchsorted(ordered, ordered + gap, side="right") - 1
    first = np.searchsorted(ordered, ordered - gap, side="left")
    around = np.empty_like(key)
    around[order] = rank[last] - rank[first] + 1
    keep = np.where(hits.exact, around >= MIN_EXACT_NEIGHBOURS, around >= MIN_STRUCTURAL_NEIGHBOURS)
    if keep.all():
        return hits
    return Hits(hits.pos[keep], hits.file[keep], hits.line[keep], hits.end_line[keep], hits.exact[keep], hits.key[keep])
