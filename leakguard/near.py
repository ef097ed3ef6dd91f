"""Near-duplicate evidence from MinHash: edited copies whose exact k-grams were broken.

The scanned token stream is cut into overlapping windows at a few sizes (a copied unit
is best compared with a window of about its own length). Each window's MinHash signature
is computed with numpy from the permutations stored in the index, its LSH band keys are
looked up in the index's sorted band table, and each candidate unit's Jaccard similarity
is estimated from the full signatures. A pair at or above ``NEAR_JACCARD`` becomes a
chain whose evidence is the window's tokens, weighted like a renamed copy and by the
similarity: MinHash evidence never counts as an exact copy. The chain's span is where the
window's shared shingles lie, not the whole window.

An edited copy keeps runs of exact k-grams, so windows are only computed around the
partial exact matches the chains found (within the largest window of them): in a large
text most tokens are nowhere near one, and the signatures cost ``perm`` values a token.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from leakguard import score as scoring
from leakguard.fingerprint.kgrams import kgram_hashes
from leakguard.fingerprint.minhash import b_bit, band_keys, jaccards, permute
from leakguard.index.store import Index
from leakguard.index.table import find_bands
from leakguard.match import Chain
from leakguard.normalise.lexer import TokenStream
from leakguard.options import ScanPolicy

NEAR_JACCARD = 0.6
WINDOW_SIZES = (64, 128, 256)
_BLOCK = 32  # windows start on multiples of this; every size is a power-of-two multiple of it
_CHUNK = 1 << 15


def _permuted_shingles(index: Index, tokens: TokenStream) -> npt.NDArray[np.uint32]:
    """(n_shingles, perm) matrix: every shingle under every permutation."""
    # Shingles by position (not deduplicated, unlike minhash.shingles): windows need them in order.
    values = (kgram_hashes(tokens.abstract, index.params.shingle) >> np.uint64(32)).astype(np.uint32)
    return permute(values, index.arrays["perms"])


def _window_signatures(permuted: npt.NDArray[np.uint32]) -> tuple[list[int], list[int], npt.NDArray[np.uint32]]:
    """MinHash signatures of every window (sizes WINDOW_SIZES, each overlapping by half).

    Windows start on multiples of ``_BLOCK`` tokens, so each is the minimum over a few block
    minima: the minima of blocks come from one ``reduceat`` and the windows from doubling.
    """
    m, perm = permuted.shape
    blocks = np.minimum.reduceat(permuted, np.arange(0, m, _BLOCK), axis=0)
    padded = np.vstack((blocks, np.full((8, perm), np.iinfo(np.uint32).max, dtype=np.uint32)))
    spans = {_BLOCK: padded}
    size = _BLOCK
    while size < WINDOW_SIZES[-1]:
        half = spans[size]
        spans[2 * size] = np.minimum(half[: -(size // _BLOCK)], half[size // _BLOCK :])
        size *= 2
    starts: list[int] = []
    ends: list[int] = []
    rows: list[npt.NDArray[np.uint32]] = []
    for size in WINDOW_SIZES:
        if size > m and size != WINDOW_SIZES[0]:
            break
        step = size // 2
        begins = list(range(0, max(1, m - size + step), step))
        starts += begins
        ends += [min(begin + size, m) for begin in begins]
        rows.append(spans[size][np.asarray(begins) // _BLOCK])
    return starts, ends, np.vstack(rows)


def near_chains(
    index: Index,
    tokens: TokenStream,
    policy: ScanPolicy,
    explained: npt.NDArray[np.int64],
    around: list[tuple[int, int]] | None = None,
) -> list[Chain]:
    """Chains supported by MinHash similarity between scanned windows and indexed units.

    ``explained`` holds the scanned positions whose k-grams the exact path already chained;
    a window they mostly cover is left to it. ``around`` limits the search to the
    neighbourhood (the largest window on either side) of these (first, last) positions,
    the partial exact matches an edited copy leaves; None searches the whole text.
    """
    n = len(tokens)
    regions = [(0, n)] if around is None else _regions(around, n)
    chains: list[Chain] = []
    for low, high in regions:
        part = tokens if (low, high) == (0, n) else _slice(tokens, low, high)
        inside = explained[(explained >= low) & (explained < high)] - low
        for chain in _near_chains(index, part, policy, inside):
            chain.positions = [p + low for p in chain.positions]
            chain.last_pos += low
            chains.append(chain)
    return chains


def _regions(around: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """Merged neighbourhoods of the given spans, aligned so windows fall where they would
    over the whole text (starts on multiples of the largest window step)."""
    reach, step = WINDOW_SIZES[-1], WINDOW_SIZES[-1] // 2
    merged: list[tuple[int, int]] = []
    for first, last in sorted(around):
        low = max(0, (first - reach) // step * step)
        high = min(n, last + reach + _BLOCK)
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _slice(tokens: TokenStream, low: int, high: int) -> TokenStream:
    columns = (getattr(tokens, field.name)[low:high] for field in dataclasses.fields(tokens))
    return TokenStream(*columns)


def _near_chains(
    index: Index, tokens: TokenStream, policy: ScanPolicy, explained: npt.NDArray[np.int64]
) -> list[Chain]:
    n_units = index.arrays["signatures"].shape[0]
    n = len(tokens)
    if n_units == 0 or n < 40 or n > 4 * _CHUNK:
        # Very long texts are covered by the exact path alone; MinHash windows would cost
        # O(n * perm) memory for evidence the k-gram chains already give.
        return []
    permuted = _permuted_shingles(index, tokens)
    starts, ends, full = _window_signatures(permuted)
    signatures = b_bit(full)
    keys = band_keys(signatures)
    found, slot = find_bands(index.arrays, keys.reshape(-1))
    windows, bands = np.nonzero(found.reshape(keys.shape))
    units = index.arrays["band_units"][slot[windows * keys.shape[1] + bands]].astype(np.int64)
    # Each (window, unit) pair once, in the order of its first band hit.
    pair_keys = windows.astype(np.int64) * n_units + units
    _, first = np.unique(pair_keys, return_index=True)
    first.sort()
    windows, units = windows[first], units[first]
    begins = np.asarray(starts, dtype=np.int64)[windows]
    stops = np.asarray(ends, dtype=np.int64)[windows] + index.params.shingle - 1
    # Windows the exact path already mostly explains are left to it.
    covered = np.concatenate(([0], np.cumsum(_covered_mask(explained, n, index.params.k))))
    unexplained = (covered[stops] - covered[begins]) * 5 <= (stops - begins) * 4  # at most 80% covered
    windows, units, begins, stops = windows[unexplained], units[unexplained], begins[unexplained], stops[unexplained]
    unit_signatures = index.arrays["signatures"]
    similarity = jaccards(signatures[windows], unit_signatures[units])
    chains: list[Chain] = []
    for i in np.flatnonzero(similarity >= NEAR_JACCARD):
        window, unit = int(windows[i]), int(units[i])
        first_line, last_line = (int(x) for x in index.arrays["unit_lines"][unit])
        low, high = _shared_span(permuted, starts[window], ends[window], signatures[window], unit_signatures[unit])
        high += index.params.shingle - 1
        positions = list(range(low, max(low + 1, high - index.params.k + 1)))
        chain = Chain(
            int(index.arrays["unit_file"][unit]), positions, [], first_line, last_line, last_line, positions[-1]
        )
        chain.matched = high - low
        chain.exact = 0
        # The similarity was measured over the whole window, so the evidence is the window's.
        chain.evidence = scoring.evidence(int(stops[i] - begins[i]), 0, policy) * float(similarity[i])
        chains.append(chain)
    return chains


def _shared_span(
    permuted: npt.NDArray[np.uint32], begin: int, end: int, window: npt.NDArray[np.uint8], unit: npt.NDArray[np.uint8]
) -> tuple[int, int]:
    """First and last shingle of the window that the unit shares, as far as MinHash tells.

    A permutation whose (b-bit) minimum agrees with the unit's was, but for chance
    agreements, won by a shingle both hold: its position in the window. A window that
    reaches past a copy into log lines or prose is thereby reported only over the copy.
    """
    winners = begin + np.argmin(permuted[begin:end], axis=0)
    shared = winners[window == unit]
    if shared.size == 0:
        return begin, end - 1
    return int(shared.min()), int(shared.max())


def _covered_mask(positions: npt.NDArray[np.int64], n: int, k: int) -> npt.NDArray[np.bool_]:
    """Tokens covered by the k-grams starting at ``positions``."""
    edges = np.zeros(n + k + 17, dtype=np.int64)
    np.add.at(edges, positions, 1)
    np.add.at(edges, positions + k, -1)
    return np.cumsum(edges[:-1]) > 0
