"""Hits to findings: chain fingerprint hits that tell one coherent story.

A *hit* says: the k-gram starting at scanned token ``pos`` also occurs in indexed file
``file`` at lines ``line..end_line``. A copy of indexed code produces a chain of hits that
advance together in the scanned text and in the indexed file. Chains are grown greedily:
a hit joins an open chain of the same file when it is at most ``policy.gap`` tokens further
on in the scanned text and its indexed line moves forward about as far (a little backward
motion is allowed for reordered statements). Anything else starts a new chain, so two
functions copied from far apart in one file become two findings with their own lines.

When chains overlap in the scanned text (the same code indexed twice, a repeated idiom),
the strongest keeps the text and weaker chains keep only what they add.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakguard import score as scoring
from leakguard.options import ScanPolicy

_BACKWARD_LINES = 6


@dataclass
class Hits:
    """Fingerprint hits of one scan as parallel arrays."""

    pos: npt.NDArray[np.int64]
    file: npt.NDArray[np.int64]
    line: npt.NDArray[np.int64]
    end_line: npt.NDArray[np.int64]
    exact: npt.NDArray[np.bool_]


@dataclass
class Chain:
    """A run of hits of one file that advance together; becomes a finding if strong enough."""

    file: int
    positions: list[int]
    exact_positions: list[int]
    first_line: int
    last_line: int
    max_line: int
    last_pos: int
    matched: int = 0
    exact: int = 0
    evidence: float = 0.0


def _covered(positions: list[int], k: int) -> int:
    """Number of tokens covered by k-grams starting at the given sorted positions."""
    if not positions:
        return 0
    starts = np.asarray(positions, dtype=np.int64)
    gaps = np.minimum(np.diff(starts), k)
    return int(gaps.sum()) + k


def chain_hits(hits: Hits, k: int, policy: ScanPolicy) -> list[Chain]:
    """Group hits into chains (see module docstring) and measure each chain's evidence."""
    if hits.pos.size == 0:
        return []
    order = np.lexsort((hits.line, hits.pos, hits.file))
    pos, file = hits.pos[order].tolist(), hits.file[order].tolist()
    line, end_line, exact = hits.line[order].tolist(), hits.end_line[order].tolist(), hits.exact[order].tolist()
    chains: list[Chain] = []
    open_chains: list[Chain] = []
    current_file = -1
    for p, f, ln, eln, ex in zip(pos, file, line, end_line, exact, strict=True):
        if f != current_file:
            open_chains = []
            current_file = f
        best: Chain | None = None
        for chain in open_chains:
            step = p - chain.last_pos
            if step > policy.gap:
                continue
            in_step = chain.last_line - _BACKWARD_LINES <= ln <= chain.max_line + 2 + step
            if in_step and (best is None or abs(ln - chain.last_line) < abs(ln - best.last_line)):
                best = chain
        if best is None:
            best = Chain(f, [], [], ln, ln, eln, p)
            chains.append(best)
            open_chains = [c for c in open_chains if p - c.last_pos <= policy.gap]
            open_chains.append(best)
        if not best.positions or best.positions[-1] != p:
            best.positions.append(p)
        if ex and (not best.exact_positions or best.exact_positions[-1] != p):
            best.exact_positions.append(p)
        best.first_line = min(best.first_line, ln)
        best.last_line = ln
        best.max_line = max(best.max_line, eln)
        best.last_pos = p
    for chain in chains:
        chain.matched = _covered(chain.positions, k)
        chain.exact = _covered(chain.exact_positions, k)
        chain.evidence = scoring.evidence(chain.matched, chain.exact, policy)
    return chains


def resolve_overlaps(chains: list[Chain], k: int, n_tokens: int, policy: ScanPolicy) -> list[Chain]:
    """Keep, strongest first, the chains that still add matched tokens of their own."""
    covered = np.zeros(n_tokens + k, dtype=bool)
    kept: list[Chain] = []
    for chain in sorted(chains, key=lambda c: (-c.evidence, c.file, c.positions[0])):
        mask = np.zeros(n_tokens + k, dtype=bool)
        for p in chain.positions:
            mask[p : p + k] = True
        fresh = int(np.count_nonzero(mask & ~covered))
        if fresh < max(policy.min_report_tokens, chain.matched // 2):
            continue
        if fresh < chain.matched:
            scale = fresh / chain.matched
            chain.matched = fresh
            chain.exact = int(chain.exact * scale)
            chain.evidence = scoring.evidence(chain.matched, chain.exact, policy)
        covered |= mask
        kept.append(chain)
    return kept
