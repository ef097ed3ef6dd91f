"""MinHash windows searched only around partial matches find what a whole-text search finds."""

from __future__ import annotations

import click
import numpy as np
from conftest import EXAMPLES

import leakguard
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
