"""Second readings of triple quotes, for pastes that begin inside a docstring."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.normalise.alphabet import Alphabet
from leakguard.normalise.lexer import lex
from leakguard.normalise.triple_quotes import (
    QUOTES,
    inside_out,
    lex_variants,
    may_start_inside,
    segments,
    swallows_code,
)

A = Alphabet()


_CODE = (
    "def total(items):\n    count = 0\n    for item in items:\n        count = count + item.size\n    return count\n"
)


def test_a_paste_that_starts_inside_a_docstring_is_also_read_the_other_way() -> None:
    text = '    the rest of a docstring.\n    """\n' + _CODE + '\ndef other():\n    """Another."""\n    return 1\n'
    plain, shifted = lex_variants(text, A)
    code = lex(_CODE, A).abstract.tolist()
    joined = ",".join(map(str, shifted.abstract.tolist()))
    assert ",".join(map(str, code)) in joined
    assert ",".join(map(str, code)) not in ",".join(map(str, plain.abstract.tolist()))


def test_one_unpaired_quote_before_code_reads_both_ways() -> None:
    assert len(lex_variants('    end of a docstring.\n    """\n' + _CODE, A)) == 2


def test_a_paste_cut_off_inside_a_docstring_is_read_once() -> None:
    # The odd quote opens a docstring that runs to the end: only prose is inside it, and
    # the other pairing would make a string of the code before it.
    text = _CODE + 'def more():\n    """Start of a docstring\n    that the paste cut off.\n\n    Args:\n'
    (plain,) = lex_variants(text, A)
    assert len(plain) > len(lex(_CODE, A))


def joined(values: list[int]) -> str:
    return "," + ",".join(map(str, values)) + ","


def test_each_fenced_paste_is_paired_on_its_own() -> None:
    inside = '    the rest of a docstring.\n    """\n' + _CODE
    paired = 'def other():\n    """Another."""\n    return 1\n'
    text = "Two pastes:\n\n```\n" + inside + "```\n\nand\n\n```python\n" + paired + "```\n"
    plain, second = lex_variants(text, A)
    code = joined(lex(_CODE, A).abstract.tolist())
    assert code in joined(second.abstract.tolist()) and code not in joined(plain.abstract.tolist())
    # The second reading holds the first paste only, and its offsets point into the text.
    assert joined(lex(paired, A).abstract.tolist()) in joined(plain.abstract.tolist())
    assert len(second) == len(lex('"""' + inside, A))
    first_block = text.index(inside), text.index(inside) + len(inside)
    assert first_block[0] <= int(second.start.min()) and int(second.end.max()) <= first_block[1]
    assert text[int(second.start[-1]) : int(second.end[-1])] == "count"


def test_a_string_ends_before_a_fence_line() -> None:
    text = 'x = """open\n```\ny = 1\n'
    assert len(lex(text, A)) == len(lex('x = ""\ny = 1\n', A))
    assert segments(text) == [(0, 12), (16, len(text))]


_FENCE_LINE = re.compile(r"^[ \t]*```[^\n]*(?:\n|\Z)", re.M)


@given(st.lists(st.sampled_from(["```", "`", "\n", " ", "\t", "a", "x```y", "  ```py\n"]), max_size=16))
@settings(max_examples=500, derandomize=True)
def test_segments_lie_between_fence_lines(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected, position = [], 0
    for match in _FENCE_LINE.finditer(text):
        if match.start() > position:
            expected.append((position, match.start()))
        position = match.end()
    if position < len(text):
        expected.append((position, len(text)))
    assert segments(text) == expected


_PASTE_PIECES = ['"""', "'''", "```\n", "\n", "def f(x):\n", "    return x\n", "y = 2\n", "text ", '""""']


@given(st.lists(st.sampled_from(_PASTE_PIECES), max_size=24))
@settings(max_examples=300, derandomize=True)
def test_inside_out_judges_every_segment_that_holds_the_quote(pieces: list[str]) -> None:
    # Only segments holding the quote are judged: the same choice as judging all of them.
    text = "".join(pieces)
    spans = segments(text)
    for quote in QUOTES:
        every = [(b, f) for b, f in spans if may_start_inside(text[b:f], quote) and swallows_code(text[b:f], quote)]
        assert inside_out(text, quote, spans) == every
