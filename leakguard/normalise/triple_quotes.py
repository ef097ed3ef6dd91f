"""Readings of triple quotes: pastes that begin inside a docstring are lexed a second way.

A paste that starts inside a Python docstring turns the pairing of triple quotes inside
out: the scan lexer takes the code between two docstrings for one long string. Lexing the
paste again as if it began inside a triple-quoted string gives the other pairing, and the
scan keeps the findings of both readings.

A prompt or a log holds many pastes, each with its own pairing. The lexer ends every
triple-quoted string before a markdown fence line, so pairing starts afresh in each
fenced segment, and only the segments whose plain pairing swallows code are read again:
all of them in one text, opened by the quote and closed by a fence line each. A megabyte
of log with a few such fragments then costs a small second reading, not a whole one.
"""

from __future__ import annotations

import bisect
import re

import numpy as np
import numpy.typing as npt

from leakguard.normalise.alphabet import Alphabet
from leakguard.normalise.lexer import TokenStream, lex

QUOTES = ('"""', "'''")

#: A markdown fence (on a line of its own, after spaces only): the lexer ends any
#: triple-quoted string before one (see lexer._TRIPLE_DQ). The pattern begins with the
#: backticks, which the engine finds fast; a match not at a line's start is skipped.
_FENCE = re.compile(r"```[^\n]*(?:\n|\Z)")
#: What closes the segments of the second reading: a fence line of its own.
_SEPARATOR = "\n```\n"

# Compiled on first use (``re`` caches them): only a text with an unpaired triple quote needs
# them, and a cold CLI scan should not pay for their compilation.
_CODE_LINE = (
    r"^[ \t]*(?:def |class |return\b|import |from \S+ import |[\w.]+ *[-+*/]?= *\S|[\w.]+\(.*\)[ \t]*$"
    r"|(?:if|for|while|elif|else|try|except|with)\b.*:[ \t]*$"
    # annotated names and parameters (``name: T = value``, ``name: T,``) and a signature's end
    r"|\**\w+: [\w.\[\], |]+(?: = \S.*|,)[ \t]*$|\)(?: -> .+)?:[ \t]*$)"
)
_TRIPLE = {q: re.escape(q) + r"[\s\S]*?(?:" + re.escape(q) + r"|\Z)" for q in QUOTES}


def segments(text: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` spans between markdown fence lines: the whole text when it has none."""
    out: list[tuple[int, int]] = []
    position = 0
    for match in _FENCE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if line_start < position or text[line_start : match.start()].strip(" \t"):
            continue  # not at the start of a line
        if line_start > position:
            out.append((position, line_start))
        position = match.end()
    if position < len(text):
        out.append((position, len(text)))
    return out


def may_start_inside(text: str, quote: str) -> bool:
    """Whether text may begin inside a triple-quoted string: an odd number of the quotes,
    or a first one that stands alone on its line, as a docstring's closing quotes do."""
    first = text.find(quote)
    if first < 0:
        return False
    if text.count(quote) % 2:
        return True
    line_start = text.rfind("\n", 0, first) + 1
    line_end = text.find("\n", first)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:first].strip() and not text[first + len(quote) : line_end].strip()


def swallows_code(text: str, quote: str) -> bool:
    """Whether, paired from the start, a string holds three lines of code.

    The last string of an odd count runs to the end of the text and is judged the same way:
    a paste cut off inside a docstring leaves prose there, and the other pairing would only
    turn the code before it into strings.
    """
    for match in re.finditer(_TRIPLE[quote], text):
        body = match.group()
        if body.count("\n") >= 3 and len(re.findall(_CODE_LINE, body, re.M)) >= 3:
            return True
    return False


I64 = npt.NDArray[np.int64]


def _reading(text: str, pieces: list[tuple[int, int]], quote: str) -> tuple[str, I64, I64]:
    """The pieces of text, each opened by ``quote``, separated by fence lines, as one text,
    with the original ``[start, end)`` of each of its characters (added ones: zero width)."""
    parts: list[str] = []
    starts: list[I64] = []
    ends: list[I64] = []
    for number, (begin, finish) in enumerate(pieces):
        added = quote if number == 0 else _SEPARATOR + quote
        parts += [added, text[begin:finish]]
        starts += [np.full(len(added), begin, dtype=np.int64), np.arange(begin, finish, dtype=np.int64)]
        ends += [np.full(len(added), begin, dtype=np.int64), np.arange(begin + 1, finish + 1, dtype=np.int64)]
    return "".join(parts), np.concatenate(starts), np.concatenate(ends)


def _occurrences(text: str, quote: str) -> list[int]:
    """Where ``quote`` starts in text (each occurrence after the end of the one before)."""
    found: list[int] = []
    at = text.find(quote)
    while at >= 0:
        found.append(at)
        at = text.find(quote, at + len(quote))
    return found


def inside_out(text: str, quote: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The fenced segments (``spans``, from :func:`segments`) that may begin inside a string
    of ``quote`` and whose plain pairing swallows code: those a second reading is for.

    Only the segments that hold the quote are sliced and judged: a long log has thousands
    of fenced segments and a few docstrings.
    """
    ends = [end for _, end in spans]
    holding = sorted({bisect.bisect_right(ends, at) for at in _occurrences(text, quote)})
    candidates = [spans[i] for i in holding if i < len(spans)]
    return [(b, f) for b, f in candidates if may_start_inside(text[b:f], quote) and swallows_code(text[b:f], quote)]


def lex_variants(text: str, alphabet: Alphabet) -> list[TokenStream]:
    """The token streams a scan must consider: the plain one, plus one per kind of triple
    quote whose plain pairing swallows code in some fenced segment.

    A second stream's tokens hold offsets into ``text``; its line numbers are its own.
    """
    streams = [lex(text, alphabet)]
    if '"""' not in text and "'''" not in text:
        return streams
    spans = segments(text)
    for quote in QUOTES:
        pieces = inside_out(text, quote, spans)
        if not pieces:
            continue
        reading, starts, ends = _reading(text, pieces, quote)
        tokens = lex(reading, alphabet)
        streams.append(
            TokenStream(
                tokens.abstract,
                tokens.concrete,
                starts[tokens.start],
                ends[tokens.end - 1],
                tokens.line,
                tokens.end_line,
            )
        )
    return streams
