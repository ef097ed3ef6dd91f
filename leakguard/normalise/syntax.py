"""The index side: tree-sitter finds comments, strings and units in source files.

tree-sitter knows exactly where each comment and string literal of a file begins and
ends (raw strings, nested quotes, template literals, ``//`` as Python floor division), so
the index side uses its regions instead of guessing. The code between them is cut into
tokens by the same rules as the scan side (:func:`leakguard.normalise.lexer.lex_with_regions`),
which is what keeps the two sides' fingerprints in agreement.

Units (functions, classes, methods) are the granules of MinHash near-duplicate matching.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from leakguard.normalise.alphabet import Alphabet
from leakguard.normalise.languages import SPECS, grammar
from leakguard.normalise.lexer import COMMENT, STRING, TEXT, Region, TokenStream, lex, lex_with_regions

if TYPE_CHECKING:
    from tree_sitter import Node, Query


@dataclass(frozen=True, order=True)
class Unit:
    """A function, class or method: character range and 1-based inclusive line range."""

    start: int
    end: int
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Normalised:
    """A source file as tokens plus the units found in it."""

    language: str | None
    tokens: TokenStream
    units: tuple[Unit, ...]


_COLON_PREFIXED = frozenset({"delimited_symbol"})
_QUERIES: dict[str, Query] = {}
_LOCAL = threading.local()
_LOCK = threading.Lock()


def _query(language: str) -> Query:
    with _LOCK:
        query = _QUERIES.get(language)
        if query is None:
            from tree_sitter import Query

            lang = grammar(language)
            spec = SPECS[language]
            kinds = [lang.node_kind_for_id(i) for i in range(lang.node_kind_count)]
            comments = sorted({k for k in kinds if k and "comment" in k and lang.id_for_node_kind(k, True)})
            parts = [f"({k}) @c" for k in comments]
            parts += [f"({k}) @s" for k in spec.strings if lang.id_for_node_kind(k, True)]
            parts += [f"({k}) @u" for k in spec.units if lang.id_for_node_kind(k, True)]
            parts += [f"({k}) @t" for k in spec.texts if lang.id_for_node_kind(k, True)]
            # Where the parser gave up, read the text exactly as the scan side does.
            parts.append("(ERROR) @t")
            query = Query(lang, "\n".join(parts))
            _QUERIES[language] = query
        return query


def _parser(language: str) -> object:
    # Parsers are not thread-safe; keep one per thread and language.
    parsers: dict[str, object] | None = getattr(_LOCAL, "parsers", None)
    if parsers is None:
        parsers = {}
        _LOCAL.parsers = parsers
    parser = parsers.get(language)
    if parser is None:
        from tree_sitter import Parser

        parser = Parser(grammar(language))
        parsers[language] = parser
    return parser


def normalise_source(text: str, language: str | None, alphabet: Alphabet) -> Normalised:
    """Tokenise a source file of a known language with tree-sitter's help.

    Files of unknown language (``language=None``) take the generic lexical path: the scan
    lexer itself, with no units.
    """
    if language is None or language not in SPECS:
        return Normalised(None, lex(text, alphabet), ())
    from tree_sitter import QueryCursor

    data = text.encode("utf-8", "surrogatepass")
    tree = _parser(language).parse(data)  # type: ignore[attr-defined]
    captures: dict[str, list[Node]] = QueryCursor(_query(language)).captures(tree.root_node)
    to_char = _byte_to_char(text, data)
    raw: list[Region] = [(n.start_byte, n.end_byte, COMMENT) for n in captures.get("c", ())]
    # A symbol like :"name" is a string after its colon, which stays a token as on the scan side.
    raw += [(n.start_byte + (n.type in _COLON_PREFIXED), n.end_byte, STRING) for n in captures.get("s", ())]
    raw += [(n.start_byte, n.end_byte, TEXT) for n in captures.get("t", ())]
    raw.sort()
    regions: list[Region] = []
    last_end = -1
    for begin, finish, kind in raw:
        if begin < last_end:
            continue  # nested inside an earlier region (a string inside an f-string, ...)
        regions.append((to_char(begin), to_char(finish), kind))
        last_end = finish
    tokens = lex_with_regions(text, regions, alphabet)
    units = tuple(
        sorted(
            Unit(to_char(n.start_byte), to_char(n.end_byte), n.start_point[0] + 1, n.end_point[0] + 1)
            for n in captures.get("u", ())
        )
    )
    return Normalised(language, tokens, units)


def _byte_to_char(text: str, data: bytes) -> _OffsetMap:
    if len(data) == len(text):
        return _identity
    lead = (np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80
    table = np.concatenate(([0], np.cumsum(lead))).astype(np.int64)
    return lambda offset: int(table[offset])


def _identity(offset: int) -> int:
    return offset


if TYPE_CHECKING:
    from collections.abc import Callable

    _OffsetMap = Callable[[int], int]
else:
    _OffsetMap = object
