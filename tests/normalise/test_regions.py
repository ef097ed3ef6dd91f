"""Differential test: the engine's comment and string rules (``native/engine/src/regions.rs``)
find exactly the spans the regular expression they replaced found (``reference_regions.py``).

Spans are compared as the lexer takes them: hidden (comments, fences) and strings, each a
flat run of (start, end) pairs, a prefixed string starting at its prefix. Texts are the
lexer's hostile pieces, random Unicode and real files of every language, read whole and
from random cuts (the index side reads free text between a parser's regions that way).
"""

from __future__ import annotations

import numpy as np
import pytest
import reference_regions as reference
from corpus_files import files_by_language
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import PIECES

from leakguard import _core
from leakguard.arrays import codepoints

#: The lexer's pieces, and more of the forms' edges: quotes in threes, escaped quotes and
#: newlines, raw-string hashes, verbatim openers, blank lines (which end a backtick string).
PIECES_AND_EDGES = [
    *PIECES,
    *['"""', '""', "''", "``", "\n\n", "\n  \n", 'Rb"', '8"', '@$"', '$@"', '\\"', "\\'", "\\\n"],
    *['r##"', '"##', "'ab'", "<'", "x"],
]
texts = st.lists(st.sampled_from(PIECES_AND_EDGES), max_size=80).map("".join) | st.text(
    st.characters(codec=None, exclude_categories=()), max_size=200
)


def same_spans(text: str, begin: int = 0, finish: int | None = None) -> None:
    hidden, strings = _core.specials(codepoints(text), begin, finish)
    want_hidden, want_strings = reference.specials(text, begin, finish)
    np.testing.assert_array_equal(hidden, want_hidden, err_msg=f"hidden spans of {text!r}[{begin}:{finish}]")
    np.testing.assert_array_equal(strings, want_strings, err_msg=f"strings of {text!r}[{begin}:{finish}]")


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_whole_texts_agree(text: str) -> None:
    same_spans(text)


@st.composite
def cut(draw: st.DrawFn) -> tuple[str, int, int | None]:
    text = draw(texts)
    begin = draw(st.integers(0, len(text)))
    finish = draw(st.none() | st.integers(begin, len(text)))
    return text, begin, finish


@settings(max_examples=1000, deadline=None)
@given(cut())
def test_cuts_agree(case: tuple[str, int, int | None]) -> None:
    same_spans(*case)


@pytest.mark.parametrize(
    "text",
    [
        'x = rb"""a\n```\nb""" + u8"c" + L"d" + b\'e\' + r#"f"# + @"g""h" + $@"i" + $"j"',
        "#!/bin/sh\n# comment\n#include <x>\n#[attr]\n<!-- html -->\n/* a */ // b\n",
        "fn f<'a>(x: &'a str) -> char { 'x' }",
        "```python\ns = '''unterminated\n```\nmore `tick\n\nnot` here",
        "/* open",
        '@"open ""',
        '$x"no" buf"str" _r"s"',
    ],
)
def test_every_form_agrees(text: str) -> None:
    for begin in range(len(text) + 1):
        same_spans(text, begin)
        same_spans(text, 0, begin)


def test_real_files_agree() -> None:
    files = [path for paths in files_by_language(limit=6).values() for path in paths]
    if not files:
        pytest.skip("no corpus files (run tests/corpus/fetch.sh)")
    for path in files:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        same_spans(text)
        middle = len(text) // 3
        same_spans(text, middle, 2 * middle)


def test_hostile_inputs_agree() -> None:
    """Lines of escaped quotes that never close (JSON in JSON), backticks, raw-string openers:
    the engine remembers a failed search for a string's end, the expression searched again."""
    from hostile_inputs import KINDS, corpus

    for data in [*corpus().values(), *(make(4096) for make in KINDS.values())]:
        same_spans(data.decode("utf-8", errors="replace"))
    for piece in ('\\"', "\\'", "`\\`", 'r#"', '"', "'", "`"):
        same_spans("x " + piece * 500 + "\n" + piece * 300)
