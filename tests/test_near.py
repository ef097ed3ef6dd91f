"""MinHash windows searched only around partial matches find what a whole-text search finds."""

from __future__ import annotations

import click
import numpy as np
import pytest
from conftest import EXAMPLES

import leakguard
from leakguard import near
from leakguard.near import near_chains
from leakguard.normalise.lexer import lex
from leakguard.options import ScanPolicy

FILLER = "\n".join((__import__("pathlib").Path(click.__file__).parent / "core.py").read_text().splitlines()[:900])


def _summary(chains: list[object]) -> list[tuple[int, int, int, float]]:
    return sorted((c.file, c.positions[0], c.positions[-1], round(c.evidence, 9)) for c in chains)  # type: ignore[attr-defined]


def test_near_chains_around_a_copy_are_those_of_the_whole_text(demo_index: leakguard.Index) -> None:
    copy = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()
    text = FILLER + "\n\n" + copy + "\n\n" + FILLER
    tokens = lex(text, demo_index.alphabet)
    inside = np.flatnonzero(tokens.start >= len(FILLER) + 2)
    first = int(inside[0])
    last = int(inside[np.searchsorted(tokens.start[inside], len(FILLER) + 2 + len(copy))] - 1)
    nothing = np.empty(0, dtype=np.int64)
    policy = ScanPolicy()
    everywhere = near_chains(demo_index, tokens, policy, nothing)
    around = near_chains(demo_index, tokens, policy, nothing, around=[(first + 40, last - 40)])
    assert around, "a verbatim copy is near-identical to its own units"
    assert all(first - 300 <= c.positions[0] and c.positions[-1] <= last + 300 for c in around)
    in_copy = [c for c in everywhere if first - 300 <= c.positions[0] and c.positions[-1] <= last + 300]
    assert _summary(around) == _summary(in_copy)
    assert near_chains(demo_index, tokens, policy, nothing, around=[]) == []
    unexplained = len(around)
    # Windows the exact path already explains are skipped in the region as in the whole text.
    explained = np.arange(first, (first + last) // 2, dtype=np.int64)
    everywhere = near_chains(demo_index, tokens, policy, explained)
    around = near_chains(demo_index, tokens, policy, explained, around=[(first + 40, last - 40)])
    in_copy = [c for c in everywhere if first - 300 <= c.positions[0] and c.positions[-1] <= last + 300]
    assert 0 < len(around) < unexplained and _summary(around) == _summary(in_copy)


def test_a_whole_text_region_is_the_whole_text(demo_index: leakguard.Index) -> None:
    tokens = lex((EXAMPLES / "acme" / "payments" / "ledger.py").read_text(), demo_index.alphabet)
    nothing = np.empty(0, dtype=np.int64)
    whole = near_chains(demo_index, tokens, ScanPolicy(), nothing)
    assert whole and _summary(whole) == _summary(
        near_chains(demo_index, tokens, ScanPolicy(), nothing, around=[(0, len(tokens) - 1)])
    )


def test_a_near_chain_spans_the_copy_not_the_whole_window(
    demo_index: leakguard.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Log lines just before a copy: windows starting in them are still similar enough to a
    # unit of the copy, but the chain must begin in the copy.
    log = "".join(f"2026-11-24T10:00:0{i}Z INFO gateway request {i * 37} served in {i * 11} ms\n" for i in range(2))
    copy = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()
    tokens = lex(log + copy, demo_index.alphabet)
    copy_first = int(np.flatnonzero(tokens.start >= len(log))[0])
    nothing = np.empty(0, dtype=np.int64)
    chains = near_chains(demo_index, tokens, ScanPolicy(), nothing)
    assert chains and all(c.positions[0] >= copy_first for c in chains)
    assert all(c.matched == c.positions[-1] + demo_index.params.k - c.positions[0] for c in chains)
    # Whole windows would have begun in the log lines.
    monkeypatch.setattr(near, "_shared_span", lambda permuted, begin, end, window, unit: (begin, end - 1))
    assert any(c.positions[0] < copy_first for c in near_chains(demo_index, tokens, ScanPolicy(), nothing))
