from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.decode.prefixes import _candidate_lines, _lines, prefix_cuts, strip_line_prefixes
from leakguard.decode.view import View

#: Pieces that make line numbers, quote and REPL markers, near misses and other line breaks.
PIECES = ["1 ", "2 | ", "3: ", " 4\t", "10.", "5", "6 ", "7|", "x = 1", "foo", "> ", ">> ", ">>> ", "... ",
          "...", "\n", "\n", "\r\n", "\r", "\x0c", "\u2028", "  ", "\t", "\u0663 ", "\u00b2 "]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_visiting_only_candidate_lines_cuts_what_visiting_every_line_cuts(text: str) -> None:
    # The fast path applies where "\n" is the only line break; compare on that reading of the text.
    text = "\n".join(text.splitlines())
    assert prefix_cuts(_candidate_lines(text)) == prefix_cuts(_lines(text))


@settings(max_examples=200, deadline=None)
@given(texts)
def test_where_it_strips_it_cuts_what_visiting_every_line_cuts(text: str) -> None:
    # With other line breaks than "\n" every line is visited, split as str.splitlines does.
    view = strip_line_prefixes(View(text))
    cuts = prefix_cuts(_lines(text))
    if view is not None:
        ends = [0] + [end for _, end in cuts]
        starts = [start for start, _ in cuts] + [len(text)]
        kept = "".join(text[end:start] for end, start in zip(ends, starts, strict=True))
        assert view.text == kept


def test_numbered_listing_and_quoted_reply_lose_their_prefixes() -> None:
    text = "Here:\n 12 | def f(x):\n 13 |     return x\n 14 | \nand\n> a = 1\n> b = 2\nend 15 | no\n"
    view = strip_line_prefixes(View(text))
    assert view is not None
    assert view.text == "Here:\ndef f(x):\n    return x\n\nand\na = 1\nb = 2\nend 15 | no\n"
