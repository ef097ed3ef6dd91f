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

The hit-by-hit rule is the reference; :mod:`leakguard.runs` cuts the hits into groups no
chain can cross and measures the groups that are one chain with array operations, with
the same result (``tests/test_match.py`` checks it against the rule).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from leakguard import score as scoring
from leakguard.arrays import distinct
from leakguard.fragments import run_floors
from leakguard.hits import Hits, prefer_exact, without_sparse
from leakguard.options import ScanPolicy
from leakguard.runs import (
    BACKWARD_LINES,
    MIN_LINE_RATIO,
    ONE_LINE_FACTOR,
    Rows,
    RunMeasures,
    components,
    find_runs,
    run_bound,
    run_evidence,
)


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
    low = floor if fragment_floor is None else min(floor, fragment_floor)
    none = np.empty(0, dtype=np.int64)
    if hits.pos.size == 0:
        return Chaining([], 0.0, none)
    half = policy.threshold * PARTIAL_SHARE
    hits = prefer_exact(hits)
    if policy.threshold > k:
        hits = without_sparse(hits, policy.gap)
        if hits.pos.size == 0:
            return Chaining([], 0.0, none)
    group = components(hits.file, hits.pos, hits.line, hits.end_line, policy.gap)
    order = np.lexsort((hits.line, hits.pos, group))
    pos, file, line, end_line = hits.pos[order], hits.file[order], hits.line[order], hits.end_line[order]
    exact, key, group = hits.exact[order], hits.key[order], group[order]
    first, stop, simple = find_runs(pos, group, line, end_line, policy.gap)
    rows = Rows(file, pos, line, end_line, exact, key)
    # Simple runs are one chain each, measured exactly with array operations; other runs
    # get an upper bound on any chain the per-hit rule would build from them.
    reach = np.zeros(first.shape[0], dtype=np.float64)
    if simple.any():
        measures = run_evidence(rows, first[simple], stop[simple], k, policy, scan_line, small_files)
        reach[simple] = measures.evidence
    if not simple.all():
        reach[~simple] = run_bound(rows, first[~simple], stop[~simple], k, policy, small_files)
    leaking = distinct(file[first][simple & (reach >= floor)])
    wanted = run_floors(file[first], line[first], pos[first], pos[stop - 1] + k, reach, floor, low, leaking)
    # A run that is chained anyway keeps its weaker chains too: fragments of one copy.
    wanted[~simple & (reach >= floor)] = low
    chains: list[Chain] = []
    partial: list[Partial] = []
    strongest = float(reach[simple].max()) if simple.any() else 0.0
    # A simple run that reaches its floor is built (a pasted copy; chance structure makes
    # thousands of weak ones that never are).
    measured = simple.cumsum() - 1  # each simple run's row in ``measures`` (set when there are any)
    for i in (simple & (reach >= wanted)).nonzero()[0].tolist():
        a, b = int(first[i]), int(stop[i])
        chain = _one_chain(pos[a:b], int(file[a]), line[a:b], end_line[a:b], exact[a:b])
        _take_measures(chain, measures, int(measured[i]), policy, small_files)
        chains.append(chain)
    # Other runs go through the per-hit rule, highest bound first, and only while they could
    # reach their floor or beat the strongest chain so far (so ``strongest`` stays exact):
    # chance structure rarely can. A run left unchained that could hold a partial match
    # (``PARTIAL_SHARE`` of a leak) is kept as one, for near duplicates to be sought around it.
    unchained = (simple & (reach >= half)).nonzero()[0].tolist()
    last_use = min(low, half)  # a run below this, and below the strongest, has none
    for i in (~simple).nonzero()[0][(-reach[~simple]).argsort(kind="stable")].tolist():
        if reach[i] < last_use and reach[i] <= strongest:
            break  # so are all the runs after it: their bounds are no higher
        if reach[i] < wanted[i] and reach[i] <= strongest:
            if reach[i] >= half:
                unchained.append(i)
            continue
        a, b = int(first[i]), int(stop[i])
        picked = (group[a:b], file[a:b], pos[a:b], line[a:b], end_line[a:b], exact[a:b], key[a:b])
        for chain in _greedy_chains(*picked, policy.gap, scan_line):
            _measure(chain, k, policy, small_files)
            strongest = max(strongest, chain.evidence)
            if chain.evidence >= half:
                ends = (chain.positions[0], chain.positions[-1])
                partial.append(Partial(*ends, chain.file, chain.first_line, chain.max_line))
            if chain.evidence >= wanted[i]:
                chains.append(chain)
    for i in unchained:
        a, b = int(first[i]), int(stop[i])
        lines = (int(line[a:b].min()), int(end_line[a:b].max()))
        partial.append(Partial(int(pos[a]), int(pos[b - 1]), int(file[a]), *lines))
    return Chaining(chains, strongest, distinct(pos), sorted(partial))


def _measure(chain: Chain, k: int, policy: ScanPolicy, small_files: npt.NDArray[np.float64] | None) -> Chain:
    """Fill in a built chain's token counts, factors and evidence."""
    if small_files is not None:
        chain.needed = float(small_files[chain.file]) * policy.small_file_coverage
    chain.matched = covered_tokens(chain.positions, k)
    chain.exact = covered_tokens(chain.exact_positions, k)
    ratio = len(chain.source_lines) / max(1, len(chain.scan_lines))
    chain.factor = min(1.0, ratio / MIN_LINE_RATIO)
    if chain.max_line == chain.first_line:
        chain.factor *= ONE_LINE_FACTOR
    chain.variety = min(1.0, len(chain.keys) / max(1, len(chain.positions)))
    chain.evidence = _evidence(chain, policy)
    return chain


def _one_chain(
    pos: npt.NDArray[np.int64],
    file: int,
    line: npt.NDArray[np.int64],
    end_line: npt.NDArray[np.int64],
    exact: npt.NDArray[np.bool_],
) -> Chain:
    """The one chain of a simple run (see :mod:`leakguard.runs`), as :func:`_greedy_chains`
    builds it, but for the sets of lines and fingerprints: its measures come with the run
    (:func:`_take_measures`), so the sets would only be counted."""
    return Chain(
        file=file,
        positions=_distinct_sorted(pos),
        exact_positions=_distinct_sorted(pos[exact]),
        first_line=int(line.min()),
        last_line=int(line[-1]),
        max_line=int(end_line.max()),
        last_pos=int(pos[-1]),
        hits=int(pos.shape[0]),
    )


def _take_measures(
    chain: Chain, measures: RunMeasures, row: int, policy: ScanPolicy, small_files: npt.NDArray[np.float64] | None
) -> None:
    """Fill in a simple run's chain from the run's measures, as :func:`_measure` would."""
    if small_files is not None:
        chain.needed = float(small_files[chain.file]) * policy.small_file_coverage
    chain.matched = int(measures.matched[row])
    chain.exact = int(measures.exact[row])
    chain.factor = float(measures.factor[row])
    chain.variety = float(measures.variety[row])
    chain.evidence = float(measures.evidence[row])


def _distinct_sorted(values: npt.NDArray[np.int64]) -> list[int]:
    """The values of a sorted array, each once, as Python ints."""
    if values.shape[0] < 2:
        return [int(v) for v in values]
    fresh = np.ones(values.shape[0], dtype=bool)
    fresh[1:] = values[1:] != values[:-1]
    distinct_values: list[int] = values[fresh].tolist()
    return distinct_values


def _greedy_chains(
    group: npt.NDArray[np.int64],
    file: npt.NDArray[np.int64],
    pos: npt.NDArray[np.int64],
    line: npt.NDArray[np.int64],
    end_line: npt.NDArray[np.int64],
    exact: npt.NDArray[np.bool_],
    key: npt.NDArray[np.int64],
    gap: int,
    scan_line: npt.NDArray[np.int32],
) -> list[Chain]:
    """Chain hits sorted by (group, pos, line) one by one: each joins the open chain of its
    group it continues best (nearest in indexed lines), or opens a new one. A group holds
    hits of one file (see :func:`_components`)."""
    chains: list[Chain] = []
    open_chains: list[Chain] = []
    current = -1
    back = BACKWARD_LINES
    columns = tuple(column.tolist() for column in (group, file, pos, line, end_line, exact, key, scan_line[pos]))
    for g, f, p, ln, eln, ex, kk, sl in zip(*columns, strict=True):
        if g != current:
            open_chains = []
            current = g
        best: Chain | None = None
        for chain in open_chains:
            step = p - chain.last_pos
            if step > gap:
                continue
            in_step = chain.last_line - back <= ln <= chain.max_line + 2 + step
            if in_step and (best is None or abs(ln - chain.last_line) < abs(ln - best.last_line)):
                best = chain
        if best is None:
            best = Chain(f, [p], [], ln, ln, eln, p)
            chains.append(best)
            open_chains = [c for c in open_chains if p - c.last_pos <= gap]
            open_chains.append(best)
        elif best.positions[-1] != p:
            best.positions.append(p)
        if ex and (not best.exact_positions or best.exact_positions[-1] != p):
            best.exact_positions.append(p)
        best.source_lines.add(ln)
        best.keys.add(kk)
        best.hits += 1
        best.scan_lines.add(sl)
        if ln < best.first_line:
            best.first_line = ln
        best.last_line = ln
        if eln > best.max_line:
            best.max_line = eln
        best.last_pos = p
    return chains


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
