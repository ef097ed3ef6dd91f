"""MinHash windows confirm partial matches: compared with the units near what they matched.

The engine (``native/engine/src/near.rs``) is held to the numpy implementation it replaced
(``reference_near.py``) chain for chain; the rules of that reference (which pairs are
compared, the head test) are tested on it.
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pytest
import reference_near as near
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_near import NEAR_JACCARD, SIZE_SLACK, UNIT_REACH_LINES, WINDOW_SIZES

import leakguard
from leakguard.fingerprint.minhash import jaccards
from leakguard.match import Chain, Partial
from leakguard.near import near_chains
from leakguard.normalise.lexer import TokenStream, lex
from leakguard.options import ScanPolicy

FILLER = "\n".join((Path(click.__file__).parent / "core.py").read_text().splitlines()[:900])
LEDGER = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()
NOTHING = np.empty(0, dtype=np.int64)


def _ledger(index: leakguard.Index) -> int:
    return index.paths.index("payments/ledger.py")


def _copy_in_filler(index: leakguard.Index) -> tuple[TokenStream, int, int]:
    """Tokens of the ledger between two long stretches of unrelated code, and its first and last token."""
    tokens = lex(FILLER + "\n\n" + LEDGER + "\n\n" + FILLER, index.alphabet)
    inside = np.flatnonzero(tokens.start >= len(FILLER) + 2)
    last = int(inside[np.searchsorted(tokens.start[inside], len(FILLER) + 2 + len(LEDGER))] - 1)
    return tokens, int(inside[0]), last


def test_a_partial_match_is_confirmed_by_the_units_of_its_file(demo_index: leakguard.Index) -> None:
    tokens, first, last = _copy_in_filler(demo_index)
    partial = Partial(first + 40, last - 40, _ledger(demo_index), 30, 60)
    chains = near_chains(demo_index, tokens, ScanPolicy(), NOTHING, [partial])
    assert chains, "a verbatim copy is near-identical to its own units"
    reach = WINDOW_SIZES[-1] + near._BLOCK
    assert all(first - reach <= c.positions[0] and c.positions[-1] <= last + reach for c in chains)
    assert {c.file for c in chains} == {partial.file}
    assert near_chains(demo_index, tokens, ScanPolicy(), NOTHING, []) == []
    # Windows the exact path already explains are left to it.
    explained = np.arange(first, (first + last) // 2, dtype=np.int64)
    fewer = near_chains(demo_index, tokens, ScanPolicy(), explained, [partial])
    assert 0 < len(fewer) < len(chains)


def test_units_far_from_the_matched_lines_or_of_other_files_are_not_compared(demo_index: leakguard.Index) -> None:
    tokens, first, last = _copy_in_filler(demo_index)
    far = Partial(first + 40, last - 40, _ledger(demo_index), 1000 + UNIT_REACH_LINES, 1000 + UNIT_REACH_LINES)
    assert near_chains(demo_index, tokens, ScanPolicy(), NOTHING, [far]) == []
    other = Partial(first + 40, last - 40, demo_index.paths.index("web/cart.ts"), 30, 60)
    assert near_chains(demo_index, tokens, ScanPolicy(), NOTHING, [other]) == []


def test_a_near_chain_spans_the_copy_not_the_whole_window(
    demo_index: leakguard.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Log lines just before a copy: windows starting in them are still similar enough to a
    # unit of the copy, but the chain must begin in the copy.
    log = "".join(f"2026-11-24T10:00:0{i}Z INFO gateway request {i * 37} served in {i * 11} ms\n" for i in range(2))
    tokens = lex(log + LEDGER, demo_index.alphabet)
    copy_first = int(np.flatnonzero(tokens.start >= len(log))[0])
    around = [Partial(copy_first, len(tokens) - 1, _ledger(demo_index), 1, 100)]
    chains = near_chains(demo_index, tokens, ScanPolicy(), NOTHING, around)
    assert chains and all(c.positions[0] >= copy_first for c in chains)
    assert all(c.matched == c.positions[-1] + demo_index.params.k - c.positions[0] for c in chains)
    # Whole windows would have begun in the log lines (shown on the reference, whose span
    # rule can be replaced).
    monkeypatch.setattr(near, "_shared_span", lambda permuted, begin, end, window, unit: (begin, end - 1))
    whole = near.near_chains(demo_index, tokens, ScanPolicy(), NOTHING, around)
    assert any(c.positions[0] < copy_first for c in whole)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(40, 2000),
    st.lists(
        st.tuples(st.integers(0, 2000), st.integers(0, 60), st.integers(0, 4), st.integers(-300, 400)), max_size=6
    ),
)
def test_pairs_are_every_window_and_unit_the_rules_allow(
    demo_index: leakguard.Index, n: int, drawn: list[tuple[int, int, int, int]]
) -> None:
    partials = np.asarray(
        [(min(a, n - 1), min(a + length, n - 1), file, line, line + 20) for a, length, file, line in drawn], np.int64
    ).reshape(-1, 5)
    starts, ends, sizes = [], [], []
    for size in WINDOW_SIZES:
        begins = list(range(0, max(1, n - size + size // 2), size // 2))
        starts += begins
        ends += [min(b + size, n) for b in begins]
        sizes += [size] * len(begins)
    windows, units = near._pairs(demo_index, partials, np.asarray(starts), np.asarray(ends), np.asarray(sizes))
    got = set(zip(windows.tolist(), units.tolist(), strict=True))
    assert len(got) == windows.shape[0]  # each pair once
    a = demo_index.arrays
    expected = set()
    for first, last, file, first_line, last_line in partials.tolist():
        for w, (start, end, size) in enumerate(zip(starts, ends, sizes, strict=True)):
            if not (end > first - WINDOW_SIZES[-1] and start <= last + WINDOW_SIZES[-1]):
                continue
            for u in range(a["unit_file"].shape[0]):
                low, high = (int(x) for x in a["unit_lines"][u])
                tokens = int(a["unit_tokens"][u])
                near_lines = low <= last_line + UNIT_REACH_LINES and high >= first_line - UNIT_REACH_LINES
                fits = min(tokens, size) >= max(tokens, size) * NEAR_JACCARD * SIZE_SLACK
                if int(a["unit_file"][u]) == file and near_lines and fits:
                    expected.add((w, u))
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60))
def test_pairs_failing_the_head_test_are_the_only_ones_not_compared_in_full(seed: int, pairs: int) -> None:
    rng = np.random.default_rng(seed)
    windows = rng.integers(0, 256, (8, 64), dtype=np.uint8)
    units = rng.integers(0, 256, (8, 64), dtype=np.uint8)
    for row in range(6):  # units 0-5 agree with window 0 on a random share of their values
        agree = rng.random(64) < rng.uniform(0.0, 1.0)
        units[row, agree] = windows[0, agree]
    w = np.where(rng.random(pairs) < 0.7, 0, rng.integers(0, 8, pairs))
    u = rng.integers(0, 8, pairs)
    head = (windows[w, :16] == units[u, :16]).sum(axis=1)
    expected = np.where(head >= 3, jaccards(windows[w], units[u]), 0.0)
    assert np.array_equal(near._similarities(windows, units, w, u), expected)


def _fields(chains: list[Chain]) -> list[tuple[object, ...]]:
    fields = ("file", "positions", "exact_positions", "first_line", "last_line", "max_line", "last_pos")
    return [tuple(getattr(c, f) for f in (*fields, "matched", "exact", "evidence")) for c in chains]


def _edited(text: str, rng: np.random.Generator) -> str:
    """An edited copy: some lines dropped, some duplicated, names changed here and there."""
    out = []
    for line in text.splitlines():
        roll = rng.random()
        if roll < 0.1:
            continue
        out.append(line.replace("amount", "value") if roll < 0.3 else line)
        if roll > 0.93:
            out.append(line)
    return "\n".join(out)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.lists(st.tuples(st.integers(0, 1600), st.integers(0, 400), st.integers(-50, 200)), min_size=1, max_size=5),
    st.integers(0, 600),
)
def test_the_engine_finds_the_chains_the_numpy_path_found(
    demo_index: leakguard.Index, seed: int, drawn: list[tuple[int, int, int]], explained_from: int
) -> None:
    rng = np.random.default_rng(seed)
    files = [EXAMPLES / "acme" / "payments" / "ledger.py", *sorted((EXAMPLES / "acme").rglob("*.ts"))[:2]]
    parts = [FILLER[: int(rng.integers(0, 4000))]]
    for path in files:
        parts.append(_edited(path.read_text(), rng))
    tokens = lex("\n\n".join(parts), demo_index.alphabet)
    n = len(tokens)
    file_ids = list(range(len(demo_index.paths)))
    around = [
        Partial(min(a, n - 1), min(a + length, n - 1), int(rng.choice(file_ids)), line, line + int(rng.integers(0, 80)))
        for a, length, line in drawn
    ]
    explained = np.arange(min(explained_from, n), min(explained_from + 150, n), dtype=np.int64)
    policy = ScanPolicy()
    native = near_chains(demo_index, tokens, policy, explained, around)
    numpy_made = near.near_chains(demo_index, tokens, policy, explained, around)
    assert _fields(native) == _fields(numpy_made)


def test_the_engine_agrees_where_copies_are_found(demo_index: leakguard.Index) -> None:
    tokens, first, last = _copy_in_filler(demo_index)
    partials = [Partial(first + 40, last - 40, _ledger(demo_index), 30, 60), Partial(first, first + 30, 0, 1, 400)]
    for explained in (NOTHING, np.arange(first, (first + last) // 2, dtype=np.int64)):
        native = near_chains(demo_index, tokens, ScanPolicy(), explained, partials)
        assert native, "a verbatim copy is near-identical to its own units"
        assert _fields(native) == _fields(near.near_chains(demo_index, tokens, ScanPolicy(), explained, partials))
