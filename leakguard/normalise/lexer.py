"""Text to tokens: the scan-time lexer and the shared token rules.

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

This module gathers where the comments and strings are (tree-sitter's regions on the
index side; the engine's language-blind rules, ``native/engine/src/regions.rs``, on the
scan side and in free text); cutting the code between them, the token values, the drop
rules and line numbers are the native engine's (``native/engine/src/lex.rs``), one
implementation for both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakguard import _core
from leakguard.arrays import codepoints
from leakguard.normalise.alphabet import Alphabet

#: Mixed into literal hashes so a literal's concrete value never equals a name's (the
#: engine's ``alphabet::LITERAL``).
LITERAL = np.uint64(0x6C69746572616C21)

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


_NO_SPANS = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class Regions:
    """Where one text's comments and strings are, for the engine: flat int64 (start, end)
    pairs of hidden spans (comments, fences) and of string literals, and break offsets
    (borders of free-text regions that no token runs across)."""

    hidden: npt.NDArray[np.int64]
    strings: npt.NDArray[np.int64]
    breaks: npt.NDArray[np.int64]


class _Collector:
    """Excluded spans and string tokens of one text, before code is cut."""

    def __init__(self, text: str) -> None:
        self.cps = codepoints(text)
        self.hidden: list[npt.NDArray[np.int64]] = []
        self.strings: list[npt.NDArray[np.int64]] = []
        self.breaks: list[int] = []

    def exclude(self, begin: int, finish: int) -> None:
        """Mark a comment or markdown fence: no tokens come from it."""
        self.hidden.append(np.array([begin, finish], dtype=np.int64))

    def string(self, begin: int, finish: int) -> None:
        """Mark a string literal: it becomes one STR token."""
        self.strings.append(np.array([begin, finish], dtype=np.int64))

    def specials(self, begin: int = 0, finish: int | None = None) -> None:
        """Apply the scan-side rules to ``text[begin:finish]`` (a lifetime's quote stays
        code: one punctuation token)."""
        hidden, strings = _core.specials(self.cps, begin, finish)
        self.hidden.append(hidden)
        self.strings.append(strings)

    def regions(self) -> Regions:
        """What was collected, as the engine takes it."""
        return Regions(
            np.concatenate(self.hidden) if self.hidden else _NO_SPANS,
            np.concatenate(self.strings) if self.strings else _NO_SPANS,
            np.asarray(self.breaks, dtype=np.int64),
        )

    def finish(self, alphabet: Alphabet) -> TokenStream:
        """Cut the remaining code, make the strings tokens and apply the drop rules."""
        regions = self.regions()
        return TokenStream(*alphabet.native.lex(self.cps, regions.hidden, regions.strings, regions.breaks))


def newline_offsets(text: str) -> npt.NDArray[np.int64]:
    """Character offsets of every ``\\n`` in text, as a sorted array."""
    if text.isascii():
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    else:
        raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.flatnonzero(raw == 10).astype(np.int64)


def lex(text: str, alphabet: Alphabet) -> TokenStream:
    """Tokenise arbitrary text without knowing its language (the scan side)."""
    collector = _Collector(text)
    collector.specials()
    return collector.finish(alphabet)


def lex_with_regions(text: str, regions: Sequence[Region], alphabet: Alphabet) -> TokenStream:
    """Tokenise source whose comments and strings a parser has already found (the index side).

    ``regions`` must be sorted and non-overlapping. Comments vanish, each string becomes one
    STR token, free text (heredocs, unparsed code) is read exactly as the scan side would
    read it, and the code between regions is cut by the same rules as on the scan side.
    """
    collector = _Collector(text)
    for begin, finish, kind in regions:
        if kind == STRING:
            collector.string(begin, finish)
        elif kind == TEXT:
            collector.breaks += [begin, finish]
            collector.specials(begin, finish)
        else:
            collector.exclude(begin, finish)
    return collector.finish(alphabet)
