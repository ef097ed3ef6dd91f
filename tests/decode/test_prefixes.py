"""Line prefixes: the engine's cutter (``native/engine/src/prefixes.rs``) cuts what the
Python cutter it replaced cut (``reference_prefixes.py``), on prefix soup, on every kind of
line break and on the hostile inputs; and the stripped view reads as expected."""

from __future__ import annotations

import numpy as np
import reference_prefixes as reference
from hostile_inputs import KINDS, corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard import _core
from leakguard.arrays import codepoints
from leakguard.decode.prefixes import strip_line_prefixes
from leakguard.decode.view import View

#: Pieces that make line numbers, quote and REPL markers, near misses and other line breaks.
PIECES = ["1 ", "2 | ", "3: ", " 4\t", "10.", "5", "6 ", "7|", "x = 1", "foo", "> ", ">> ", ">>> ", "... ",
          "...", "\n", "\n", "\r\n", "\r", "\x0c", "\x1d", "\x85", "\u2028", "  ", "\t", "\u0663 ", "\u00b2 ",
          "8.", "9\u2502", "1234567 ", "0 ", ">\t", ".", "\ud800", "\U0001d7d0 "]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def engine_cuts(text: str) -> list[tuple[int, int]]:
    starts, ends = _core.prefix_cuts(codepoints(text))
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def same(text: str) -> None:
    assert engine_cuts(text) == reference.cuts(text), repr(text[:200])


@settings(max_examples=600, deadline=None)
@given(texts)
def test_prefix_soup_is_cut_alike(text: str) -> None:
    same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_cut_alike(text: str) -> None:
    same(text)


def test_the_hostile_inputs_are_cut_alike() -> None:
    for data in [*corpus().values(), *(make(8192) for make in KINDS.values())]:
        same(data.decode("utf-8", errors="replace"))


@settings(max_examples=200, deadline=None)
@given(texts)
def test_the_view_keeps_all_but_the_cuts(text: str) -> None:
    view = strip_line_prefixes(View(text))
    cuts = reference.cuts(text)
    if view is not None:
        ends = [0] + [end for _, end in cuts]
        starts = [start for start, _ in cuts] + [len(text)]
        assert view.text == "".join(text[end:start] for end, start in zip(ends, starts, strict=True))
        assert view.starts is not None
        kept = [i for i in range(len(text)) if not any(a <= i < b for a, b in cuts)]
        np.testing.assert_array_equal(view.starts, kept)


def test_numbered_listing_and_quoted_reply_lose_their_prefixes() -> None:
    text = "Here:\n 12 | def f(x):\n 13 |     return x\n 14 | \nand\n> a = 1\n> b = 2\nend 15 | no\n"
    view = strip_line_prefixes(View(text))
    assert view is not None
    assert view.text == "Here:\ndef f(x):\n    return x\n\nand\na = 1\nb = 2\nend 15 | no\n"
