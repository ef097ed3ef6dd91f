"""The chaining fast path must build exactly the chains the hit-by-hit rule builds."""

from __future__ import annotations

import numpy as np
import pytest
import reference_chain as numpy_engine
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_chain import _greedy_chains, _measure, prefer_exact

from leakguard.hits import Hits
from leakguard.match import PARTIAL_SHARE, Chain, _evidence, chain_hits, resolve_overlaps
from leakguard.options import ScanPolicy

K = 12


def _reference(hits: Hits, policy: ScanPolicy, scan_line: np.ndarray) -> list[Chain]:
    """Hit by hit over each file's hits, with no splitting into runs or groups."""
    hits = prefer_exact(hits)
    order = np.lexsort((hits.line, hits.pos, hits.file))
    pos, file, line = hits.pos[order], hits.file[order], hits.line[order]
    end_line, exact, key = hits.end_line[order], hits.exact[order], hits.key[order]
    chains = _greedy_chains(file, file, pos, line, end_line, exact, key, policy.gap, scan_line)
    return [_measure(chain, K, policy, None) for chain in chains]


def _summary(chains: list[Chain]) -> list[tuple[object, ...]]:
    return sorted(
        (
            c.file,
            c.positions,
            c.exact_positions,
            c.first_line,
            c.last_line,
            c.max_line,
            c.last_pos,
            c.hits,
            # What the sets of lines and fingerprints are for (a simple run's chain takes
            # them from the run's measures and keeps no sets).
            c.matched,
            c.exact,
            c.factor,
            c.variety,
            c.evidence,
        )
        for c in chains
    )


hit = st.tuples(
    st.sampled_from([0, 1, 1, 1, 2, 2, 5, 12, 47, 48, 49, 60]),  # step from the previous hit (gap is 48)
    st.integers(0, 1),  # file
    st.sampled_from([*range(-9, 10), -400, 60, 400]),  # indexed line: offset from where a copy puts it
    st.integers(0, 3),  # lines spanned
    st.booleans(),  # exact
    st.integers(0, 30),  # hash slot
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(hit, min_size=1, max_size=200))
def test_runs_and_groups_build_the_same_chains_as_the_hit_by_hit_rule(rows: list[tuple[int, ...]]) -> None:
    step, file, offset, span, exact, key = (np.asarray(column) for column in zip(*rows, strict=True))
    pos = np.cumsum(step)
    line = np.maximum(1, pos // 7 + offset)  # near the diagonal, where the joining rule's edges are
    hits = Hits(pos.astype(np.int64), file.astype(np.int64), line.astype(np.int64),
                (line + span).astype(np.int64), exact.astype(bool), key.astype(np.int64))  # fmt: skip
    policy = ScanPolicy(threshold=K)  # at most k: no sparse-hit pruning, so both sides see every hit
    scan_line = (np.arange(int(pos.max()) + K + 1) // 7).astype(np.int32)
    reference = _reference(hits, policy, scan_line)
    every = chain_hits(hits, K, policy, scan_line, floor=float("-inf"))
    assert _summary(every.chains) == _summary(reference)
    assert every.strongest == max(c.evidence for c in reference)
    assert every.positions.tolist() == sorted(set(pos.tolist()))
    half = [
        (c.positions[0], c.positions[-1], c.file, c.first_line, c.max_line)
        for c in reference
        if c.evidence >= policy.threshold * PARTIAL_SHARE
    ]
    assert every.partial == sorted(half)
    # Runs measured without being built must agree with the built chains at every floor.
    for floor in sorted({c.evidence for c in reference})[-4:]:
        above = chain_hits(hits, K, policy, scan_line, floor=floor)
        assert _summary(above.chains) == _summary([c for c in reference if c.evidence >= floor])
        assert above.strongest == every.strongest
        # Runs left unchained still mark where every partial match lies.
        for first, last, file, first_line, last_line in half:
            assert any(
                p.first <= first and last <= p.last and p.file == file
                and p.first_line <= first_line and last_line <= p.last_line
                for p in above.partial
            ), (first, last)  # fmt: skip
        # Asking for fragments adds weaker chains of the hit-by-hit rule, and only those.
        fragments = chain_hits(hits, K, policy, scan_line, floor=floor, fragment_floor=floor / 2)
        kept, built, ruled = (set(map(repr, _summary(c))) for c in (above.chains, fragments.chains, reference))
        assert kept <= built <= ruled
        assert all(c.evidence >= floor / 2 for c in fragments.chains)
        assert fragments.strongest == every.strongest


def test_a_match_with_a_small_file_counts_by_how_much_of_it_it_covers() -> None:
    # One chain: 19 consecutive k-grams of file 0 (30 tokens), two names each, exact copies.
    n = 19
    hits = Hits(
        np.arange(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.arange(n, dtype=np.int64) // 4 + 1,
        np.arange(n, dtype=np.int64) // 4 + 2,
        np.ones(n, dtype=bool),
        np.arange(n, dtype=np.int64),
    )
    policy = ScanPolicy(threshold=K, small_file_coverage=0.2)
    scan_line = (np.arange(n + K) // 4).astype(np.int32)
    (large,) = chain_hits(hits, K, policy, scan_line, np.zeros(1), floor=0).chains
    (small,) = chain_hits(hits, K, policy, scan_line, np.asarray([300.0]), floor=0).chains  # needs 60 tokens
    (covered,) = chain_hits(hits, K, policy, scan_line, np.asarray([100.0]), floor=0).chains  # needs 20: 30 do
    assert large.matched == small.matched == 30
    assert small.evidence == pytest.approx(large.evidence * 30 / 60)
    assert covered.evidence == large.evidence


def _resolved_by_rule(chains: list[Chain], n_tokens: int, policy: ScanPolicy) -> list[tuple[object, ...]]:
    """resolve_overlaps' rule with no shortcut: every chain's own tokens, strongest first."""
    covered = np.zeros(n_tokens + K, dtype=bool)
    kept = []
    for chain in sorted(chains, key=lambda c: (-c.evidence, c.file, c.positions[0])):
        if chain.evidence < policy.threshold / 2:
            continue
        mask = np.zeros(n_tokens + K, dtype=bool)
        for p in chain.positions:
            mask[p : p + K] = True
        fresh = int(np.count_nonzero(mask & ~covered))
        if fresh < max(policy.min_report_tokens, chain.matched // 2):
            continue
        matched, exact = chain.matched, chain.exact
        if fresh < matched:
            matched, exact = fresh, int(exact * fresh / matched)
        covered |= mask
        kept.append((chain.file, chain.positions, matched, exact))
    return kept


#: Chains as (positions, strength): positions on a grid of half a k-gram, so that chains
#: overlap, leave holes and share their ends; copies repeat a layout for other files (code
#: held by several indexed files).
placed_chain = st.tuples(
    st.lists(st.integers(0, 16), min_size=1, max_size=17, unique=True).map(
        lambda cells: sorted(c * K // 2 for c in cells)
    ),
    st.sampled_from([0.5, 1.0, 2.0, 3.0]),
)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.lists(placed_chain, min_size=1, max_size=8), st.lists(st.integers(0, 7), max_size=8))
def test_resolve_overlaps_keeps_what_the_plain_rule_keeps(
    layouts: list[tuple[list[int], float]], copies: list[int]
) -> None:
    policy = ScanPolicy()
    chains = []
    placed = [*layouts, *(layouts[i % len(layouts)] for i in copies)]
    for file, (positions, strength) in enumerate(placed):
        chain = Chain(file, positions, positions[::2], 1, 9, 9, positions[-1])
        _measure(chain, K, policy, None)
        chain.factor = strength
        chain.evidence = _evidence(chain, policy)
        chains.append(chain)
    n_tokens = max(c.positions[-1] for c in chains) + 1
    expected = _resolved_by_rule(chains, n_tokens, policy)
    kept = [(c.file, c.positions, c.matched, c.exact) for c in resolve_overlaps(chains, K, n_tokens, policy)]
    assert kept == expected


def _everything(chains: list[Chain]) -> list[tuple[object, ...]]:
    """Every field of every chain, in the order they were built."""
    return [
        (c.file, c.positions, c.exact_positions, c.first_line, c.last_line, c.max_line, c.last_pos, c.hits,
         c.matched, c.exact, c.factor, c.variety, c.evidence, c.needed)
        for c in chains
    ]  # fmt: skip


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    st.lists(hit, min_size=1, max_size=250),
    st.sampled_from([K, 20, 30]),
    st.sampled_from([None, (0.0, 200.0), (40.0, 0.0)]),
    st.sampled_from([None, 0.5]),
)
def test_the_engine_chains_as_the_numpy_engine_did(
    rows: list[tuple[int, ...]], threshold: int, small: tuple[float, float] | None, fragments: float | None
) -> None:
    step, file, offset, span, exact, key = (np.asarray(column) for column in zip(*rows, strict=True))
    pos = np.cumsum(step)
    line = np.maximum(1, pos // 7 + offset)
    hits = Hits(pos.astype(np.int64), file.astype(np.int64), line.astype(np.int64),
                (line + span).astype(np.int64), exact.astype(bool), key.astype(np.int64))  # fmt: skip
    policy = ScanPolicy(threshold=threshold)
    scan_line = (np.arange(int(pos.max()) + K + 1) // 7).astype(np.int32)
    small_files = None if small is None else np.asarray(small)
    for floor in (None, threshold / 2, float("-inf")):
        fragment_floor = None if fragments is None or floor is None else floor * fragments
        native = chain_hits(hits, K, policy, scan_line, small_files, floor, fragment_floor)
        numpy_made = numpy_engine.chain_hits(hits, K, policy, scan_line, small_files, floor, fragment_floor)
        assert _everything(native.chains) == _everything(numpy_made.chains)
        assert native.strongest == numpy_made.strongest
        assert native.positions.tolist() == numpy_made.positions.tolist()
        assert native.partial == numpy_made.partial
