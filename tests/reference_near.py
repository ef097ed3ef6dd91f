"""The numpy near-duplicate path the native engine replaced (``native/engine/src/near.rs``),
kept as the reference of a differential test (``tests/test_near.py``).

Near-duplicate evidence from MinHash: edited copies whose exact k-grams were broken.

An edited copy keeps runs of exact k-grams: MinHash confirms a partial exact match (a
chain with ``PARTIAL_SHARE``, three quarters, of the evidence a leak needs), it does not
search the index on its own.
Around each partial match (within the largest window of it) the scanned tokens are cut
into overlapping windows at a few sizes (a copied unit is best compared with a window of
about its own length), and each window's MinHash signature is computed with numpy from
the permutations stored in the index. A window is compared with the indexed units of the
partial match's file that lie near the lines it matched, when their sizes allow the
similarity asked for: a few dozen pairs a partial match, compared on 16 values of their
signatures and then, if they could be similar, on all 64 (no LSH banding, which missed
about one pair in ten at the threshold, and an index needs no band table). A pair at or
above ``NEAR_JACCARD`` becomes a chain whose evidence is the window's tokens, weighted
like a renamed copy and by the similarity: MinHash evidence never counts as an exact
copy. The chain's span is where the window's shared shingles lie, not the whole window.

Replacing the index-wide LSH band table by the partial match's own neighbourhood found
the same copies in the quality and datasets benchmarks, for a sixth less index. (On
those benchmarks this path changes no verdict at all; see the README for the figures
and for the containment rule that was measured and not adopted.)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from leakguard import score as scoring
from leakguard.fingerprint.kgrams import kgram_hashes
from leakguard.fingerprint.minhash import agreements, b_bit, jaccards, permute
from leakguard.index.store import Index
from leakguard.match import Chain, Partial
from leakguard.normalise.lexer import TokenStream
from leakguard.options import ScanPolicy

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

NEAR_JACCARD = 0.6
WINDOW_SIZES = (64, 128, 256)
_BLOCK = 32  # windows start on multiples of this; every size is a power-of-two multiple of it
_CHUNK = 1 << 15
#: A partial match is compared with the indexed units that lie within this many lines of
#: the lines it matched: its windows reach ``WINDOW_SIZES[-1]`` tokens past it, which is at
#: most as many lines.
UNIT_REACH_LINES = WINDOW_SIZES[-1]
#: Token counts stand in for shingle-set sizes, which repeated shingles make smaller: a
#: pair is compared down to this share of the size ratio ``NEAR_JACCARD`` needs.
SIZE_SLACK = 0.75
_HEAD_WORDS = 2  # signature words (8 values each) every pair is compared on first
_HEAD_AGREE = 3  # values of those a pair must agree on to be compared in full


def _permuted_shingles(index: Index, tokens: TokenStream) -> npt.NDArray[np.uint32]:
    """(n_shingles, perm) matrix: every shingle under every permutation."""
    # Shingles by position (not deduplicated, unlike minhash.shingles): windows need them in order.
    values = (kgram_hashes(tokens.abstract, index.params.shingle) >> np.uint64(32)).astype(np.uint32)
    return permute(values, index.arrays["perms"])


def _windows(m: int) -> tuple[I64, I64, I64]:
    """First shingle, end (exclusive) and nominal size of every window over ``m`` shingles:
    each size of WINDOW_SIZES (a size longer than the text only if it is the smallest),
    windows of one size overlapping by half, sizes in order."""
    starts: list[I64] = []
    ends: list[I64] = []
    nominal: list[I64] = []
    for size in WINDOW_SIZES:
        if size > m and size != WINDOW_SIZES[0]:
            break
        step = size // 2
        begins = np.arange(0, max(1, m - size + step), step)
        starts.append(begins)
        ends.append(np.minimum(begins + size, m))
        nominal.append(np.full(begins.shape[0], size))
    return np.concatenate(starts), np.concatenate(ends), np.concatenate(nominal)


def _window_signatures(permuted: npt.NDArray[np.uint32], starts: I64, sizes: I64) -> npt.NDArray[np.uint32]:
    """MinHash signatures of the windows :func:`_windows` gives, in its order.

    Windows start on multiples of ``_BLOCK`` tokens, so each is the minimum over a few block
    minima: the minima of whole blocks come from one reduction over a reshaped view (an
    order of magnitude faster than ``minimum.reduceat`` along rows), the last partial
    block's on its own, and the windows from doubling.
    """
    m, perm = permuted.shape
    whole = m - m % _BLOCK
    parts = [permuted[:whole].reshape(-1, _BLOCK, perm).min(axis=1)]
    if whole < m:
        parts.append(permuted[whole:].min(axis=0, keepdims=True))
    padded = np.vstack((*parts, np.full((8, perm), np.iinfo(np.uint32).max, dtype=np.uint32)))
    spans = {_BLOCK: padded}
    size = _BLOCK
    while size < WINDOW_SIZES[-1]:
        half = spans[size]
        spans[2 * size] = np.minimum(half[: -(size // _BLOCK)], half[size // _BLOCK :])
        size *= 2
    return np.vstack([spans[size][starts[sizes == size] // _BLOCK] for size in WINDOW_SIZES if (sizes == size).any()])


def near_chains(
    index: Index,
    tokens: TokenStream,
    policy: ScanPolicy,
    explained: npt.NDArray[np.int64],
    around: list[Partial],
) -> list[Chain]:
    """Chains supported by MinHash similarity between scanned windows and indexed units.

    ``around`` lists the partial exact matches an edited copy leaves: the windows of the
    neighbourhood (the largest window on either side) of each are compared with the
    indexed units near the lines it matched. ``explained`` holds the scanned positions
    (sorted, distinct) whose k-grams the exact path already chained; a window they mostly cover is left to it.
    """
    n = len(tokens)
    chains: list[Chain] = []
    for low, high, partials in _regions(around, n):
        part = tokens if (low, high) == (0, n) else _slice(tokens, low, high)
        first, stop = np.searchsorted(explained, (low, high))
        inside = explained[first:stop] - low
        table = np.asarray(partials, dtype=np.int64).reshape(-1, 5)
        table[:, :2] -= low  # positions within the region
        for chain in _near_chains(index, part, policy, inside, table):
            chain.positions = [p + low for p in chain.positions]
            chain.last_pos += low
            chains.append(chain)
    return chains


def _regions(around: list[Partial], n: int) -> list[tuple[int, int, list[Partial]]]:
    """Merged neighbourhoods of the partial matches, aligned so windows fall where they
    would over the whole text (starts on multiples of the largest window step)."""
    reach, step = WINDOW_SIZES[-1], WINDOW_SIZES[-1] // 2
    merged: list[tuple[int, int, list[Partial]]] = []
    for partial in sorted(around):
        low = max(0, (partial.first - reach) // step * step)
        high = min(n, partial.last + reach + _BLOCK)
        if merged and low <= merged[-1][1]:
            merged[-1][2].append(partial)  # one list per region, grown in place
            merged[-1] = (merged[-1][0], max(merged[-1][1], high), merged[-1][2])
        else:
            merged.append((low, high, [partial]))
    return merged


def _nearby_units(index: Index, partials: I64) -> tuple[I64, I64]:
    """(partial, unit) for each unit of a partial match's file within ``UNIT_REACH_LINES``
    of the lines it matched. ``partials`` holds one :class:`Partial` a row."""
    unit_file = index.arrays["unit_file"]
    files = partials[:, 2].astype(unit_file.dtype)  # searching with another dtype would convert every unit's
    low = np.searchsorted(unit_file, files, side="left").astype(np.int64)
    counts = np.searchsorted(unit_file, files, side="right") - low
    owner = np.repeat(np.arange(partials.shape[0]), counts)
    unit = np.repeat(low, counts) + np.arange(owner.shape[0]) - np.repeat(counts.cumsum() - counts, counts)
    lines = index.arrays["unit_lines"][unit].astype(np.int64)
    reach = UNIT_REACH_LINES
    near = (lines[:, 0] <= partials[owner, 4] + reach) & (lines[:, 1] >= partials[owner, 3] - reach)
    return owner[near], unit[near]


def _pairs(index: Index, partials: I64, starts: I64, ends: I64, sizes: I64) -> tuple[I64, I64]:
    """(window, unit) pairs worth comparing, each once.

    A window is paired with the units near each partial match it reaches (within the
    largest window of it), when their sizes allow a Jaccard similarity of ``NEAR_JACCARD``:
    sets of m and n shingles have at most min/max of it (token counts stand in for set
    sizes, with room for repeated shingles). ``sizes`` is each window's nominal size.
    """
    owner, unit = _nearby_units(index, partials)
    tokens = index.arrays["unit_tokens"][unit].astype(np.float64)
    reach = WINDOW_SIZES[-1]
    windows: list[npt.NDArray[np.int64]] = []
    units: list[npt.NDArray[np.int64]] = []
    for size in WINDOW_SIZES:
        block = (sizes == size).nonzero()[0]
        if block.size == 0:  # the text is shorter than this size
            continue
        # The windows of this size that reach each partial match: one range each.
        first_window = np.searchsorted(ends[block], partials[:, 0] - reach, side="right")
        stop_window = np.searchsorted(starts[block], partials[:, 1] + reach, side="right")
        fits = np.minimum(tokens, size) >= np.maximum(tokens, size) * (NEAR_JACCARD * SIZE_SLACK)
        o, u = owner[fits], unit[fits]
        count = np.maximum(stop_window[o] - first_window[o], 0)
        rank = np.arange(int(count.sum())) - np.repeat(count.cumsum() - count, count)
        windows.append(block[0] + np.repeat(first_window[o], count) + rank)
        units.append(np.repeat(u, count))
    if not windows:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Each pair once (neighbouring partial matches share windows and units), window-major.
    n_units = index.arrays["unit_tokens"].shape[0]
    keys = np.sort(np.concatenate(windows) * np.int64(n_units) + np.concatenate(units))
    keys = keys[np.append(True, keys[1:] != keys[:-1])] if keys.size else keys
    return keys // n_units, keys % n_units


def _slice(tokens: TokenStream, low: int, high: int) -> TokenStream:
    columns = (getattr(tokens, field.name)[low:high] for field in dataclasses.fields(tokens))
    return TokenStream(*columns)


def _near_chains(
    index: Index,
    tokens: TokenStream,
    policy: ScanPolicy,
    explained: I64,
    partials: I64,
) -> list[Chain]:
    n = len(tokens)
    if index.arrays["signatures"].shape[0] == 0 or n < 40 or n > 4 * _CHUNK:
        # Very long texts are covered by the exact path alone; MinHash windows would cost
        # O(n * perm) memory for evidence the k-gram chains already give.
        return []
    starts, ends, sizes = _windows(n - index.params.shingle + 1)
    windows, units = _pairs(index, partials, starts, ends, sizes)
    begins = starts[windows]
    stops = ends[windows] + index.params.shingle - 1
    # Windows the exact path already mostly explains are left to it.
    covered = np.concatenate(([0], _covered_mask(explained, n, index.params.k).cumsum()))
    unexplained = (covered[stops] - covered[begins]) * 5 <= (stops - begins) * 4  # at most 80% covered
    windows, units, begins, stops = windows[unexplained], units[unexplained], begins[unexplained], stops[unexplained]
    if windows.size == 0:
        return []  # nothing to compare: no window's MinHash is needed
    permuted = _permuted_shingles(index, tokens)
    signatures = b_bit(_window_signatures(permuted, starts, sizes))
    unit_signatures = index.arrays["signatures"]
    similarity = _similarities(signatures, unit_signatures, windows, units)
    chains: list[Chain] = []
    for i in (similarity >= NEAR_JACCARD).nonzero()[0]:
        window, unit = int(windows[i]), int(units[i])
        first_line, last_line = (int(x) for x in index.arrays["unit_lines"][unit])
        span = (int(starts[window]), int(ends[window]))
        low, high = _shared_span(permuted, *span, signatures[window], unit_signatures[unit])
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


def _similarities(window_signatures: U8, unit_signatures: U8, windows: I64, units: I64) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of each (window, unit) pair; 0 for pairs that fail the head test.

    Most pairs are unrelated. All are first compared on the first ``8 * _HEAD_WORDS``
    values of their signatures, a quarter of the bytes to gather: a pair whose estimate
    reaches ``NEAR_JACCARD`` agrees on about 38 of its 64 values, and then on fewer than
    ``_HEAD_AGREE`` of the first 16 about once in 70,000; two unrelated signatures agree
    on that many about once in 30,000 pairs.
    """
    if windows.size == 0 or unit_signatures.shape[1] % 8:  # nothing to compare, or no whole words
        return jaccards(window_signatures[windows], unit_signatures[units])
    similarity = np.zeros(windows.shape[0], dtype=np.float64)
    head = agreements(
        window_signatures.view(np.uint64)[windows, :_HEAD_WORDS], unit_signatures.view(np.uint64)[units, :_HEAD_WORDS]
    )
    kept = (head >= _HEAD_AGREE).nonzero()[0]
    similarity[kept] = jaccards(window_signatures[windows[kept]], unit_signatures[units[kept]])
    return similarity


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
    """Tokens covered by the k-grams starting at ``positions`` (sorted and distinct, so each
    edge is marked by one plain indexed update rather than ``np.add.at``)."""
    edges = np.zeros(n + k + 17, dtype=np.int64)
    edges[positions] += 1
    edges[positions + k] -= 1
    return edges[:-1].cumsum() > 0
