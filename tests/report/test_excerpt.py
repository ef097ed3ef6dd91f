"""Excerpts of giant lines: bounded, around the match, with the columns right."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leakguard.report.excerpt import MAX_LINE_CHARS, LineIndex, excerpt


def test_a_short_line_is_shown_whole_with_the_match_marked() -> None:
    shown = excerpt("x = compute(a, b)", 4, 11)
    assert shown.plain == "x = compute(a, b)"
    assert [(span.start, span.end) for span in shown.spans] == [(4, 11)]


def test_a_giant_line_is_cut_around_the_match() -> None:
    line = "a" * 1_000_000 + "MATCH" + "b" * 1_000_000
    shown = excerpt(line, 1_000_000, 1_000_005)
    assert len(shown.plain) <= MAX_LINE_CHARS + 2 and "MATCH" in shown.plain
    assert shown.plain.startswith("\u2026") and shown.plain.endswith("\u2026")


# Control characters are left out: rich drops them from what reaches a terminal.
_PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=600)


@given(_PRINTABLE, st.integers(0, 600), st.integers(0, 600), st.integers(1, 400))
def test_excerpts_are_bounded_and_keep_the_start_of_the_match(line: str, a: int, b: int, limit: int) -> None:
    a, b = min(a, len(line)), min(b, len(line))
    shown = excerpt(line, a, b, limit)
    assert len(shown.plain) <= max(limit, 80) + 2
    if a < b:
        assert line[a : min(b, a + 20)] in shown.plain


def test_lines_and_columns_count_newlines_as_findings_do() -> None:
    text = "one\r\ntwo\u2028still two\nthree"
    lines = LineIndex.of(text)
    assert len(lines.lines) == 3  # only \n ends a line
    at = text.index("still")
    assert lines.line_of(at) == 1 and lines.column(at) == at - text.index("two") + 1
    assert lines.marked(0, 0, 3).plain == "one"
