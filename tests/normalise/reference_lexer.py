"""Reference lexer for tests: the token rules as plain regular expressions, one token at a time.

This was leakguard's scan-time lexer before the vectorised one
(:mod:`leakguard.normalise.lexer` with :mod:`leakguard.normalise.code_tokens`); the tests
check the fast path produces exactly these tokens. Original description follows.

Text to tokens: the scan-time lexer and the shared token rules.

The scan side never knows the language of what it reads, so this lexer recognises the
comment and string syntaxes of all supported languages at once. The index side calls the
same code with the comment and string regions that tree-sitter found (see
:mod:`leakguard.normalise.syntax`), so both sides cut code into the same tokens and apply
the same drop rules; only their view of what is a comment or a string can differ.

Drop rules, applied on both sides:

* ``;`` is dropped: optional in several languages and added or removed by formatters.
* a ``,`` directly before a closing bracket is dropped (formatters add trailing commas).
* a string that stands alone on its line(s) is dropped: that is what a docstring is, and
  the scan side can recognise it without knowing the language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakguard.normalise.alphabet import ID, NUM, STR, Alphabet, keyword_symbol

# Refined when the vectorised lexer came: a prefixed string never starts right after a
# word or number character (the look-behinds), so "1$\"\"" is a number, "$" and a string.
_STRING = r"""
  (?P<s>
     (?:(?<![\w$])[rRbBuUfF]{1,2})?(?:\"\"\"[\s\S]*?(?:\"\"\"|\Z)|'''[\s\S]*?(?:'''|\Z))
   | (?:(?<![\w$])\$@|@\$|@)"(?:[^"]|"")*"
   | (?<![\w$])r\#+"[\s\S]*?"\#+
   | (?:(?<![\w$])(?:[rRbBuUfFL$]|u8|[rRbBfF]{2}))?"(?:\\.|[^"\\\n])*"
   | (?:(?<![\w$])[bB])?'(?:\\.|[^'\\\n])*'
   | `(?:\\[\s\S]|[^`\\\n]|\n(?![ \t]*\n))*`
  )
"""

_CODE = r"""
  (?P<n>\d(?:\w|\.(?=\d)|(?<=[eE])[+-](?=\d))*)
| (?P<w>(?:\$|[^\W\d])[\w$]*)
| (?P<p>[^\s\w])
"""

#: Scan-time pattern: comments are skipped, strings become one token, code is cut into
#: numbers, words and single punctuation characters. Order matters: earlier wins.
SCAN_PATTERN = re.compile(
    r"""
  (?P<c>/\*[\s\S]*?(?:\*/|\Z) | //[^\n]* | \A\#![^\n]* | \#(?![\w\[!{(])[^\n]* | <!--[\s\S]*?(?:-->|\Z))
| (?P<f>`{3,}[^\n]*)
| (?P<l>(?<=[<&])'(?=[^\W\d]\w*(?![\w'])))
| """
    + _STRING
    + "|"
    + _CODE,
    re.VERBOSE,
)

#: Index-side pattern for code between the comments and strings tree-sitter found.
CODE_PATTERN = re.compile(_CODE, re.VERBOSE)

_CLOSERS = frozenset(")]}")

COMMENT, STRING, TEXT = 0, 1, 2
Region = tuple[int, int, int]
"""A region found by a parser: (start, end, kind) with kind COMMENT, STRING or TEXT."""


@dataclass(frozen=True)
class TokenStream:
    """Tokens of one text as parallel arrays (no per-token Python objects).

    Attributes:
        abstract: symbol value of each token (names and literals abstracted).
        concrete: like ``abstract`` but identifiers carry their own name's value.
        start: character offset where each token starts in the text.
        end: character offset where each token ends (exclusive).
        line: 1-based line of each token's first character.
        end_line: 1-based line of each token's last character.
    """

    abstract: npt.NDArray[np.uint64]
    concrete: npt.NDArray[np.uint64]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    line: npt.NDArray[np.int32]
    end_line: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return int(self.abstract.shape[0])


class _Builder:
    """Collects tokens while applying the inline drop rules."""

    __slots__ = ("abstract", "alphabet", "comma", "concrete", "end", "start", "str_value")

    def __init__(self, alphabet: Alphabet) -> None:
        self.alphabet = alphabet
        self.abstract: list[int] = []
        self.concrete: list[int] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.comma = alphabet.symbol(",")
        self.str_value = alphabet.symbol(STR)

    def add_matches(self, matches: object) -> None:
        alphabet = self.alphabet
        symbol = alphabet.symbol
        name = alphabet.name
        abstract, concrete, start, end = self.abstract, self.concrete, self.start, self.end
        id_value, num_value, str_value, comma = symbol(ID), symbol(NUM), self.str_value, self.comma
        for m in matches:  # type: ignore[attr-defined]
            kind = m.lastgroup
            if kind == "w":
                word = m.group()
                kw = keyword_symbol(word)
                if kw is None:
                    abstract.append(id_value)
                    concrete.append(name(word))
                else:
                    value = symbol(kw)
                    abstract.append(value)
                    concrete.append(value)
            elif kind == "p" or kind == "l":
                char = m.group()
                if char == ";":
                    continue
                if char in _CLOSERS and abstract and abstract[-1] == comma:
                    abstract.pop()
                    concrete.pop()
                    start.pop()
                    end.pop()
                value = symbol(char)
                abstract.append(value)
                concrete.append(value)
            elif kind == "n":
                abstract.append(num_value)
                concrete.append(num_value)
            elif kind == "s":
                abstract.append(str_value)
                concrete.append(str_value)
            else:  # comment or markdown fence: nothing to keep
                continue
            start.append(m.start())
            end.append(m.end())

    def add_string(self, begin: int, finish: int) -> None:
        self.abstract.append(self.str_value)
        self.concrete.append(self.str_value)
        self.start.append(begin)
        self.end.append(finish)

    def finish(self, text: str) -> TokenStream:
        start = np.asarray(self.start, dtype=np.int64)
        end = np.asarray(self.end, dtype=np.int64)
        abstract = np.asarray(self.abstract, dtype=np.uint64)
        concrete = np.asarray(self.concrete, dtype=np.uint64)
        newlines = newline_offsets(text)
        line = (np.searchsorted(newlines, start, side="left") + 1).astype(np.int32)
        end_line = (np.searchsorted(newlines, np.maximum(end - 1, start), side="left") + 1).astype(np.int32)
        keep = _not_lone_strings(abstract == np.uint64(self.str_value), line, end_line)
        if keep is not None:
            abstract, concrete, start, end = abstract[keep], concrete[keep], start[keep], end[keep]
            line, end_line = line[keep], end_line[keep]
        return TokenStream(abstract, concrete, start, end, line, end_line)


def _not_lone_strings(
    is_str: npt.NDArray[np.bool_], line: npt.NDArray[np.int32], end_line: npt.NDArray[np.int32]
) -> npt.NDArray[np.bool_] | None:
    """Mask that drops strings alone on their lines (docstrings); None when nothing drops."""
    if not is_str.any():
        return None
    n = is_str.shape[0]
    prev_end = np.empty(n, dtype=np.int32)
    prev_end[0] = -1
    prev_end[1:] = end_line[:-1]
    next_line = np.empty(n, dtype=np.int32)
    next_line[-1] = np.iinfo(np.int32).max
    next_line[:-1] = line[1:]
    lone = is_str & (prev_end < line) & (next_line > end_line)
    if not lone.any():
        return None
    return ~lone


def newline_offsets(text: str) -> npt.NDArray[np.int64]:
    """Character offsets of every ``\\n`` in text, as a sorted array."""
    if text.isascii():
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    else:
        raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.flatnonzero(raw == 10).astype(np.int64)


def lex(text: str, alphabet: Alphabet) -> TokenStream:
    """Tokenise arbitrary text without knowing its language (the scan side)."""
    builder = _Builder(alphabet)
    builder.add_matches(SCAN_PATTERN.finditer(text))
    return builder.finish(text)


def lex_variants(text: str, alphabet: Alphabet) -> list[TokenStream]:
    """The token streams a scan must consider: the plain one, plus one per triple quote.

    A paste that starts inside a Python docstring turns the pairing of triple quotes inside
    out: the scan lexer would take the code between two docstrings for one long string.
    Lexing the text again as if it began inside a triple-quoted string gives the other
    pairing; the caller keeps the findings of both.
    """
    streams = [lex(text, alphabet)]
    for quote in ('"""', "'''"):
        if quote in text:
            shifted = lex(quote + text, alphabet)
            streams.append(
                TokenStream(
                    shifted.abstract,
                    shifted.concrete,
                    np.maximum(shifted.start - len(quote), 0),
                    np.maximum(shifted.end - len(quote), 0),
                    shifted.line,
                    shifted.end_line,
                )
            )
    return streams


def lex_with_regions(text: str, regions: Sequence[Region], alphabet: Alphabet) -> TokenStream:
    """Tokenise source whose comments and strings a parser has already found (the index side).

    ``regions`` must be sorted and non-overlapping. Comments vanish, each string becomes one
    STR token, free text (heredocs) is lexed exactly as the scan side would, and the code
    between regions goes through the same code rules as the scan side.
    """
    builder = _Builder(alphabet)
    position = 0
    for begin, finish, kind in regions:
        if begin > position:
            builder.add_matches(CODE_PATTERN.finditer(text, position, begin))
        if kind == STRING:
            builder.add_string(begin, finish)
        elif kind == TEXT:
            builder.add_matches(SCAN_PATTERN.finditer(text, begin, finish))
        position = max(position, finish)
    if position < len(text):
        builder.add_matches(CODE_PATTERN.finditer(text, position))
    return builder.finish(text)
