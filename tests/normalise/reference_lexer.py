"""Reference lexer for tests: the token rules as plain regular expressions, one token at a time.

This was leakguard's scan-time lexer before the vectorised one
(:mod:`leakguard.normalise.lexer` with the native engine's ``code.rs``); the tests
check the fast path cuts exactly these tokens. Only the cutting is here: line numbers and
the lone-string rule come from the real lexer, which both share.
"""

from __future__ import annotations

import re

import numpy as np
from reference_numpy import _finish

from leakguard.normalise.alphabet import CASE_FOLDED, ID, KEYWORDS, NUM, STR, Alphabet, word_hash
from leakguard.normalise.lexer import LITERAL, TokenStream


def keyword_symbol(word: str) -> str | None:
    """The keyword symbol for ``word``, or None when it is an identifier."""
    return word if word in KEYWORDS else CASE_FOLDED.get(word)


# A triple-quoted string ends before a markdown fence line: each fenced paste is paired alone.
# Refined when the vectorised lexer came: a prefixed string never starts right after a
# word or number character (the look-behinds), so "1$\"\"" is a number, "$" and a string.
_STRING = r"""
  (?P<s>
     (?:(?<![\w$])[rRbBuUfF]{1,2})?(?:\"\"\"[\s\S]*?(?:\"\"\"|(?=\n[ \t]*```)|\Z)|'''[\s\S]*?(?:'''|(?=\n[ \t]*```)|\Z))
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


_CLOSERS = frozenset(")]}")


def literal_value(alphabet: Alphabet, text: str) -> int:
    """Concrete value of a number or string literal: its text (every quote alike), salted."""
    spelled = text.translate({39: 34, 96: 34})
    return int(alphabet.names(np.asarray([word_hash(spelled) ^ int(LITERAL)], dtype=np.uint64))[0])


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
                concrete.append(literal_value(alphabet, m.group()))
            elif kind == "s":
                abstract.append(str_value)
                concrete.append(literal_value(alphabet, m.group()))
            else:  # comment or markdown fence: nothing to keep
                continue
            start.append(m.start())
            end.append(m.end())

    def finish(self, text: str) -> TokenStream:
        return _finish(
            text,
            self.alphabet,
            np.asarray(self.abstract, dtype=np.uint64),
            np.asarray(self.concrete, dtype=np.uint64),
            np.asarray(self.start, dtype=np.int64),
            np.asarray(self.end, dtype=np.int64),
        )


def lex(text: str, alphabet: Alphabet) -> TokenStream:
    """Tokenise arbitrary text without knowing its language (the scan side)."""
    builder = _Builder(alphabet)
    builder.add_matches(SCAN_PATTERN.finditer(text))
    return builder.finish(text)
