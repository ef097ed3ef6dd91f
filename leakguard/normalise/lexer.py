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

This module finds the comments and strings (one regular expression); cutting the code
between them, the token values, the drop rules and line numbers are the native engine's
(``native/engine/src/lex.rs``), one implementation for both sides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakguard.arrays import codepoints
from leakguard.normalise.alphabet import Alphabet

#: What the scan side must delimit before cutting code, in order of precedence: prefixed
#: strings (kinds ``p`` and ``q``, see :func:`_prefixed_strings`), comments (``c``,
#: skipped), markdown fences (``f``, skipped), Rust lifetimes (``l``: a quote that starts
#: no string) and strings (``s``: one STR token each). Everything else is code, cut by
#: the engine (``native/engine/src/code.rs``).
#:
#: Every alternative begins with a literal character, and look-behinds come after it: the
#: regular expression engine then skips straight to the characters that can begin one.
#: Bodies are unrolled (runs of plain characters between escapes or lone quotes): the
#: engine reads a run in one step instead of trying alternatives at every character.
#: No alternative begins with a letter: a string's prefix is looked for behind its quote.
#: Together: a megabyte of the speed benchmark's prose and code in about 9 ms (13 when
#: each prefix letter began an alternative of its own, 36 with one look-ahead-guarded
#: pattern and lazy bodies).
_DQ = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_SQ = r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
# A triple-quoted string also ends before a markdown fence line: each fenced paste is paired
# on its own (see :mod:`leakguard.normalise.triple_quotes`).
_FENCE_AHEAD = r"\n[ \t]*```"
_TRIPLE_DQ = r'"""[^"\n]*(?:(?:"(?!"")|\n(?!' + _FENCE_AHEAD[2:] + r'))[^"\n]*)*(?:"""|(?=' + _FENCE_AHEAD + r")|\Z)"
_TRIPLE_SQ = r"'''[^'\n]*(?:(?:'(?!'')|\n(?!" + _FENCE_AHEAD[2:] + r"))[^'\n]*)*(?:'''|(?=" + _FENCE_AHEAD + r")|\Z)"
_VERBATIM = r'"[^"]*(?:""[^"]*)*"'  # C#: "" is a quote


#: Letters that begin a string prefix in most languages; ``L`` and ``u8`` (C, C++) take
#: double quotes only.
_PREFIX = "rRbBuUfF"
#: Every letter that can stand right before a prefixed string's quote.
_PREFIX_LETTERS = frozenset(_PREFIX + "L8")


def _prefixed_strings() -> list[tuple[str, str]]:
    """Strings with a prefix (r"", b'', f-triple-quoted, u8"", r#""#...), matched from
    their quote (or a raw string's ``#``) with the prefix checked behind it.

    Prefix letters are everywhere in code and prose; an alternative beginning with one would
    be tried at each of them. These begin where the string does and look back for the
    prefix: one or two letters (kind ``p`` or ``q``: :meth:`_Collector.specials` moves the
    match's start back over them), not preceded by a word character or ``$`` ("buf" before a
    quote is a word and then a string). They come before every other alternative beginning
    with a quote or ``#``: a prefixed string begins before the characters those read.
    Which bodies each prefix takes: a triple-quoted string after any of ``rRbBuUfF`` (two
    of them too), a double-quoted one after those, ``L``, ``u8`` or two of ``rRbBfF``, a
    single-quoted one after ``b`` or ``B``, ``#``-delimited after ``r``.
    """

    def after(prefix: str, body: str) -> str:
        # The body's first character (a quote, or the ``#`` of a raw string) stays first, for
        # the engine to skip to; the prefix is looked for behind it, with no word before.
        first = 2 if body.startswith("\\") else 1
        quote, rest = body[:first], body[first:]
        return rf"{quote}(?<![\w$]{prefix}{quote})(?<={prefix}{quote}){rest}"

    one, two_dq = f"[{_PREFIX}]", "(?:[rRbBfF][rRbBfF]|u8)"
    return [
        ("q", after(one + one, _TRIPLE_DQ)),
        ("q", after(one + one, _TRIPLE_SQ)),
        ("q", after(two_dq, _DQ)),
        ("p", after(one, _TRIPLE_DQ)),
        ("p", after(one, _TRIPLE_SQ)),
        ("p", after("r", r'\#\#*"[\s\S]*?"\#+')),
        ("p", after(f"[{_PREFIX}L]", _DQ)),
        ("p", after("[bB]", _SQ)),
    ]


_SPECIALS: tuple[tuple[str, str], ...] = (
    *_prefixed_strings(),
    ("c", r"/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\**\Z)"),  # to the first */
    ("c", r"//[^\n]*"),
    ("c", r"\#(?<=\A\#)![^\n]*"),  # a shebang, on the first line only
    ("c", r"\#(?![\w\[!{(])[^\n]*"),  # not #include, #[attr], #!, #{...}
    ("c", r"<!--[\s\S]*?(?:-->|\Z)"),
    ("f", r"```+[^\n]*"),
    ("l", r"'(?<=[<&]')(?=[^\W\d]\w*(?![\w']))"),
    ("s", _TRIPLE_DQ),
    ("s", _TRIPLE_SQ),
    ("s", r"@\$" + _VERBATIM),
    ("s", "@" + _VERBATIM),
    ("s", r"\$(?<![\w$]\$)@" + _VERBATIM),
    ("s", r"\$(?<![\w$]\$)" + _DQ),
    ("s", _DQ),
    ("s", _SQ),
    ("s", r"`[^`\\\n]*(?:(?:\\[\s\S]|\n(?![ \t]*\n))[^`\\\n]*)*`"),
)
# Each alternative ends in an empty named group (a group at its start would hide its first
# character from the engine); a match's kind is that group's (its ``lastindex``).
SPECIAL_PATTERN = re.compile("|".join(f"{body}(?P<{kind}{i}>)" for i, (kind, body) in enumerate(_SPECIALS)))
_HIDDEN, _STRING, _LIFETIME = 0, 1, 2
#: The kind of each of the pattern's groups, by group number (a match's ``lastindex``).
_KIND_OF_GROUP_ARRAY = np.full(SPECIAL_PATTERN.groups + 1, _HIDDEN, dtype=np.int8)
#: How many prefix letters lie before the match of each group (see _prefixed_strings).
_PREFIX_OF_GROUP_ARRAY = np.zeros(SPECIAL_PATTERN.groups + 1, dtype=np.int64)
for _name, _group in SPECIAL_PATTERN.groupindex.items():
    _KIND_OF_GROUP_ARRAY[_group] = {"s": _STRING, "p": _STRING, "q": _STRING, "l": _LIFETIME}.get(_name[0], _HIDDEN)
    _PREFIX_OF_GROUP_ARRAY[_group] = {"p": 1, "q": 2}.get(_name[0], 0)

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

    def __init__(self) -> None:
        self.hidden: list[npt.NDArray[np.int64]] = []
        self.strings: list[npt.NDArray[np.int64]] = []
        self.breaks: list[int] = []

    def exclude(self, begin: int, finish: int) -> None:
        """Mark a comment or markdown fence: no tokens come from it."""
        self.hidden.append(np.array([begin, finish], dtype=np.int64))

    def string(self, begin: int, finish: int) -> None:
        """Mark a string literal: it becomes one STR token."""
        self.strings.append(np.array([begin, finish], dtype=np.int64))

    def specials(self, text: str, begin: int = 0, finish: int | None = None) -> None:
        """Apply the scan-side rules to ``text[begin:finish]``."""
        if begin and text[begin - 1] in _PREFIX_LETTERS:
            # A prefix behind ``begin`` is not this region's: hide the letter from the
            # look-behinds behind another word character, which every other rule reads alike.
            text = text[: begin - 1] + "_" + text[begin:]
        matches = (
            SPECIAL_PATTERN.finditer(text, begin) if finish is None else SPECIAL_PATTERN.finditer(text, begin, finish)
        )
        spans = [(*match.span(), match.lastindex or 0) for match in matches]
        if not spans:
            return
        found = np.array(spans, dtype=np.int64)
        kinds = _KIND_OF_GROUP_ARRAY[found[:, 2]]
        found[:, 0] -= _PREFIX_OF_GROUP_ARRAY[found[:, 2]]
        # A lifetime quote stays code: one punctuation token.
        self.hidden.append(found[kinds == _HIDDEN, :2].ravel())
        self.strings.append(found[kinds == _STRING, :2].ravel())

    def regions(self) -> Regions:
        """What was collected, as the engine takes it."""
        return Regions(
            np.concatenate(self.hidden) if self.hidden else _NO_SPANS,
            np.concatenate(self.strings) if self.strings else _NO_SPANS,
            np.asarray(self.breaks, dtype=np.int64),
        )

    def finish(self, text: str, alphabet: Alphabet) -> TokenStream:
        """Cut the remaining code, make the strings tokens and apply the drop rules."""
        regions = self.regions()
        return TokenStream(*alphabet.native.lex(codepoints(text), regions.hidden, regions.strings, regions.breaks))


def newline_offsets(text: str) -> npt.NDArray[np.int64]:
    """Character offsets of every ``\\n`` in text, as a sorted array."""
    if text.isascii():
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    else:
        raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return np.flatnonzero(raw == 10).astype(np.int64)


def lex(text: str, alphabet: Alphabet) -> TokenStream:
    """Tokenise arbitrary text without knowing its language (the scan side)."""
    collector = _Collector()
    collector.specials(text)
    return collector.finish(text, alphabet)


def lex_with_regions(text: str, regions: Sequence[Region], alphabet: Alphabet) -> TokenStream:
    """Tokenise source whose comments and strings a parser has already found (the index side).

    ``regions`` must be sorted and non-overlapping. Comments vanish, each string becomes one
    STR token, free text (heredocs, unparsed code) is read exactly as the scan side would
    read it, and the code between regions is cut by the same rules as on the scan side.
    """
    collector = _Collector()
    for begin, finish, kind in regions:
        if kind == STRING:
            collector.string(begin, finish)
        elif kind == TEXT:
            collector.breaks += [begin, finish]
            collector.specials(text, begin, finish)
        else:
            collector.exclude(begin, finish)
    return collector.finish(text, alphabet)
