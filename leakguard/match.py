"""Hits to findings: chain fingerprint hits that tell one coherent story.

A *hit* says: the k-gram starting at scanned token ``pos`` also occurs in indexed file
``file`` at lines ``line..end_line``. A copy of indexed code produces a chain of hits that
advance together in the scanned text and in the indexed file. Chains are grown greedily:
a hit joins an open chain of the same file when it is at most ``policy.gap`` tokens further
on in the scanned text and its indexed line moves forward about as far (a little backward
motion is allowed for reordered statements). Anything else starts a new chain, so two
functions copied from far apart in one file become two findings with their own lines.

Structure-only (renamed) evidence is scaled by the chain's *variety*, the share of its
hits that are distinct fingerprints: periodic code matches by repetition, not by copying.

A match with a small file, whose every k-gram is indexed, counts in proportion to how much
of that file it covers until it reaches ``policy.small_file_coverage`` of it.

A chain that keeps hitting the same few indexed lines while it advances over many scanned
lines is periodic code (a column of similar statements) matching by accident: its
evidence is scaled down by how much fewer distinct indexed lines it touches than scanned
lines (``MIN_LINE_RATIO``). A chain whose k-grams all lie on one indexed line counts half
(``ONE_LINE_FACTOR``): long one-liners are what unrelated code shares.

When chains overlap in the scanned text (the same code indexed twice, a repeated idiom),
the strongest keeps the text and weaker chains keep only what they add.

A copy whose parts were moved chains as several weak *fragments* of one file; with a
``fragment_floor`` the chains that could be such fragments are kept too, to be judged
together (see :mod:`leakguard.fragments`).

Hits are chained by the native engine (``native/engine/src/chain.rs``, with ``runs.rs``
and ``fragments.rs``): it cuts them into runs no chain can cross, builds the runs strong
enough to matter hit by hit and measures the chains; this module turns its answer into
:class:`Chain` objects and keeps what follows (overlaps between chains).
``tests/test_match.py`` checks the engine against the hit-by-hit rule and against the
numpy chaining it replaced.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from leakguard import _core
from leakguard import score as scoring
from leakguard.hits import Hits
from leakguard.options import ScanPolicy


@dataclass(slots=True)
class Chain:
    """A run of hits of one file that advance together; becomes a finding if strong enough."""

    file: int
    positions: list[int]
    exact_positions: list[int]
    first_line: int
    last_line: int
    max_line: int
    last_pos: int
    source_lines: set[int] = field(default_factory=set)
    keys: set[int] = field(default_factory=set)
    hits: int = 0
    scan_lines: set[int] = field(default_factory=set)
    factor: float = 1.0
    variety: float = 1.0
    matched: int = 0
    exact: int = 0
    evidence: float = 0.0
    needed: float = 0.0  # matched tokens for full weight (small densely indexed files), else 0
    combined: float = 0.0  # evidence of the copy this chain is a fragment of (see combine_fragments)


def covered_tokens(positions: list[int], k: int) -> int:
    """Number of tokens covered by k-grams starting at the given sorted positions."""
    if not positions:
        return 0
    if len(positions) < 32:  # plain Python beats numpy's call overhead on short chains
        return sum(min(b - a, k) for a, b in itertools.pairwise(positions)) + k
    starts = np.asarray(positions, dtype=np.int64)
    gaps = np.minimum(starts[1:] - starts[:-1], k)
    return int(gaps.sum()) + k


#: Share of the threshold a chain needs for near duplicates to be sought around it. Half
#: and three quarters gave the same quality and datasets figures (every one); three
#: quarters leaves MinHash about a third fewer neighbourhoods of unrelated text to sign.
PARTIAL_SHARE = 0.75


class Partial(NamedTuple):
    """A chain with ``PARTIAL_SHARE`` of the evidence a leak needs, where near duplicates are sought."""

    first: int  # first and last scanned position of its hits
    last: int
    file: int
    first_line: int  # first and last line of its file that it matched
    last_line: int


@dataclass
class Chaining:
    """What chaining the hits of one token stream found.

    Attributes:
        chains: the chains whose evidence reached the floor asked for (by default, those
            that can leak), and with a fragment floor the weaker ones that could be
            fragments of one copy; the many others are measured but never built.
        strongest: evidence of the strongest chain, built or not.
        positions: scanned position of every hit that was chained (sorted, distinct).
        partial: every chain with at least ``PARTIAL_SHARE`` of the evidence a leak
            needs: where an edited copy may hide (see :func:`leakguard.near.near_chains`).
    """

    chains: list[Chain]
    strongest: float
    positions: npt.NDArray[np.int64]
    partial: list[Partial] = field(default_factory=list)


def chain_hits(
    hits: Hits,
    k: int,
    policy: ScanPolicy,
    scan_line: npt.NDArray[np.int32],
    small_files: npt.NDArray[np.float64] | None = None,
    floor: float | None = None,
    fragment_floor: float | None = None,
) -> Chaining:
    """Group hits into chains (see module docstring) and measure each chain's evidence.

    ``scan_line`` is the line of every scanned token, in text order (so it never
    decreases; used to compare line coverage);
    ``small_files`` the token count of each densely indexed file, 0 for the others (see
    ``ScanPolicy.small_file_coverage``). Chains with less evidence than ``floor`` (default:
    what a leak needs, ``policy.threshold``) are left out of the result's ``chains``, but
    for ``fragment_floor``: chains down to it are kept when their file has at least two
    runs of hits that could reach it (fragments of one copy, see :func:`combine_fragments`).
    """
    floor = policy.threshold if floor is None else floor
    rules = (k, float(policy.threshold), policy.gap, float(policy.renamed_weight), float(policy.small_file_coverage))
    found, strongest, positions, partial = _core.chain_hits(
        np.ascontiguousarray(hits.pos, dtype=np.int64),
        np.ascontiguousarray(hits.file, dtype=np.int64),
        np.ascontiguousarray(hits.line, dtype=np.int64),
        np.ascontiguousarray(hits.end_line, dtype=np.int64),
        np.ascontiguousarray(hits.exact, dtype=bool),
        np.ascontiguousarray(hits.key, dtype=np.int64),
        rules,
        _NO_SMALL_FILES if small_files is None else np.ascontiguousarray(small_files, dtype=np.float64),
        np.ascontiguousarray(scan_line, dtype=np.int32),
        float(floor),
        None if fragment_floor is None else float(fragment_floor),
    )
    chains = []
    for (file, first_line, last_line, max_line, last_pos, count, matched, exact), measures, where, named in found:
        factor, variety, evidence, needed = measures
        chain = Chain(file, where, named, first_line, last_line, max_line, last_pos, hits=count)
        chain.matched, chain.exact, chain.factor, chain.variety = matched, exact, factor, variety
        chain.evidence, chain.needed = evidence, needed
        chains.append(chain)
    return Chaining(chains, strongest, positions, [Partial(*p) for p in partial])


_NO_SMALL_FILES = np.empty(0, dtype=np.float64)


def _evidence(chain: Chain, policy: ScanPolicy) -> float:
    # Structure-only tokens count in proportion to how varied the matching fingerprints are:
    # a renamed column of near-identical statements repeats a handful of k-grams and says
    # little; the same names repeated (an exact copy) still identify the source.
    renamed = (chain.matched - min(chain.exact, chain.matched)) * chain.variety
    evidence = scoring.evidence(chain.exact + int(renamed), chain.exact, policy) * chain.factor
    # A small, densely indexed file is easy to hit in part (its idioms are all indexed);
    # the match counts in full once it covers enough of the file.
    return evidence * min(1.0, chain.matched / chain.needed) if chain.needed > 0 else evidence


def resolve_overlaps(chains: list[Chain], k: int, n_tokens: int, policy: ScanPolicy) -> list[Chain]:
    """Keep, strongest first, the chains of at least half the threshold that still add
    matched tokens of their own (weaker ones only where stronger ones left the text)."""
    covered = np.zeros(n_tokens + k, dtype=bool)
    kept: list[Chain] = []
    # Code held by many indexed files chains once per file, at the same scanned positions:
    # a chain whose positions and size an earlier one had adds at most what that one could
    # (the covered text only grows), so the earlier one's verdict stands for it.
    judged: set[tuple[int, tuple[int, ...]]] = set()
    candidates = [c for c in chains if c.evidence >= policy.threshold / 2]
    for chain in sorted(candidates, key=lambda c: (-c.evidence, c.file, c.positions[0])):
        low, high = chain.positions[0], chain.positions[-1] + k
        seen = (chain.matched, tuple(chain.positions))
        if seen in judged or covered[low:high].all():
            # Nothing it could add: the strongest chain at these places came first.
            continue
        judged.add(seen)
        # Tokens the chain's k-grams cover (its positions are sorted and distinct).
        offsets = np.asarray(chain.positions, dtype=np.int64) - low
        edges = np.zeros(high - low + 1, dtype=np.int32)
        edges[offsets] += 1
        edges[offsets + k] -= 1
        mask = edges[:-1].cumsum() > 0
        fresh = int(np.count_nonzero(mask & ~covered[low:high]))
        if fresh < max(policy.min_report_tokens, chain.matched // 2):
            continue
        if fresh < chain.matched:
            scale = fresh / chain.matched
            chain.matched = fresh
            chain.exact = int(chain.exact * scale)
            chain.evidence = _evidence(chain, policy)
        covered[low:high] |= mask
        kept.append(chain)
    return kept
