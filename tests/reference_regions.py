"""The scan side's regular expression for comments and strings, kept as the reference of
the native engine's ``regions.rs`` (a differential test holds the engine to it).

Until the engine took over, :class:`leakguard.normalise.lexer._Collector` found the
comments, fences, lifetimes and strings of a text with this one pattern.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

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


def specials(
    text: str, begin: int = 0, finish: int | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Hidden spans and string spans of ``text[begin:finish]`` as flat (start, end) pairs,
    as the numpy engine's collector found them."""
    if begin and text[begin - 1] in _PREFIX_LETTERS:
        # A prefix behind ``begin`` is not this region's: hide the letter from the
        # look-behinds behind another word character, which every other rule reads alike.
        text = text[: begin - 1] + "_" + text[begin:]
    matches = SPECIAL_PATTERN.finditer(text, begin) if finish is None else SPECIAL_PATTERN.finditer(text, begin, finish)
    spans = [(*match.span(), match.lastindex or 0) for match in matches]
    if not spans:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    found = np.array(spans, dtype=np.int64)
    kinds = _KIND_OF_GROUP_ARRAY[found[:, 2]]
    found[:, 0] -= _PREFIX_OF_GROUP_ARRAY[found[:, 2]]
    return found[kinds == _HIDDEN, :2].ravel(), found[kinds == _STRING, :2].ravel()
