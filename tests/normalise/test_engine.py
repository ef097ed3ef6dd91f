"""Differential test: the native engine gives exactly what the numpy engine it replaced gave.

The reference is ``reference_numpy.py`` (the numpy code as it last ran in leakguard).
Every text is cut by both, on the scan side (the language-blind rules) and on the index
side (tree-sitter's regions), under a plain and a keyed alphabet: the token arrays, and
the k-gram hashes, tags and window counts over them, must be equal element for element.
Equal tokens mean equal fingerprints: indexes built by either engine are the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
import reference_numpy as reference
from corpus_files import files_by_language
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leakguard import _core
from leakguard.fingerprint import kgrams
from leakguard.normalise import lexer
from leakguard.normalise.alphabet import CASE_FOLDED, ID, KEYWORDS, NUM, STR, Alphabet, word_hash
from leakguard.normalise.lexer import COMMENT, STRING, TEXT, TokenStream, lex, lex_with_regions
from leakguard.normalise.syntax import normalise_source

PLAIN, KEYED = Alphabet(), Alphabet(b"a secret key")
FIELDS = ("abstract", "concrete", "start", "end", "line", "end_line")

#: Pieces that exercise every rule: numbers joining over "." and exponents, "$" in names and
#: numbers, quotes of every kind and prefix, comments, fences, lifetimes, trailing commas,
#: semicolons, non-ASCII letters, digits, spaces and punctuation, a lone surrogate.
PIECES = [
    *"aZ_$19.eE+-()[]{},;:#/*\"'`@<>&!\\\n\t ",
    "0x1F",
    "1e+5",
    "1.5",
    'r"',
    "b'",
    'f"""',
    "'''",
    'u8"',
    'r#"',
    '"#',
    '@"',
    '$"',
    "//",
    "/*",
    "*/",
    "<!--",
    "-->",
    "```py\n",
    "\n```\n",
    "#include",
    "#!",
    "'a>",
    "&'",
    "return",
    "None",
    "String",
    "é",
    "ß",
    "٣",
    "\u2003",
    "\u2014",
    "\u201c",
    "\u00a0",
    "\ud800",
    "𝄞",
    "\u0301",
    "Ⅻ",
    "²",
]

texts = st.lists(st.sampled_from(PIECES), max_size=80).map("".join) | st.text(
    st.characters(codec=None, exclude_categories=()), max_size=200
)


def same(native: TokenStream, numpy_made: TokenStream) -> None:
    for field in FIELDS:
        mine, theirs = getattr(native, field), getattr(numpy_made, field)
        assert mine.dtype == theirs.dtype, field
        np.testing.assert_array_equal(mine, theirs, err_msg=field)


@contextmanager
def both_engines() -> Iterator[list[int]]:
    """Make every lexer call check the native engine against the numpy one; yields a
    list whose length is the number of texts checked."""
    checked: list[int] = []
    original = lexer._Collector.finish

    def finish(self: lexer._Collector, alphabet: Alphabet) -> TokenStream:
        native = original(self, alphabet)
        text = "".join(map(chr, self.cps.tolist()))
        same(native, reference.lex(text, alphabet, self.regions()))
        checked.append(len(native))
        return native

    lexer._Collector.finish = finish  # type: ignore[method-assign]
    try:
        yield checked
    finally:
        lexer._Collector.finish = original  # type: ignore[method-assign]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from([PLAIN, KEYED]))
def test_scan_side_agrees(text: str, alphabet: Alphabet) -> None:
    with both_engines() as checked:
        lex(text, alphabet)
    assert checked


@st.composite
def with_regions(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int]]]:
    text = draw(texts)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=8))))
    regions = []
    for begin, finish in zip(cuts[::2], cuts[1::2], strict=False):
        regions.append((begin, finish, draw(st.sampled_from([COMMENT, STRING, TEXT]))))
    return text, regions


@settings(max_examples=300, deadline=None)
@given(with_regions(), st.sampled_from([PLAIN, KEYED]))
def test_index_side_agrees(case: tuple[str, list[tuple[int, int, int]]], alphabet: Alphabet) -> None:
    text, regions = case
    with both_engines() as checked:
        lex_with_regions(text, regions, alphabet)
    assert checked


def test_real_files_agree_on_both_sides() -> None:
    files = [(language, path) for language, paths in files_by_language(limit=6).items() for path in paths]
    if not files:
        pytest.skip("no corpus files (run tests/corpus/fetch.sh)")
    with both_engines() as checked:
        for language, path in files:
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            lex(text, KEYED)
            normalise_source(text, language, PLAIN)
    assert len(checked) >= 2 * len(files)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=60).map(lambda v: np.asarray(v, dtype=np.uint64)),
    st.integers(1, 14),
)
def test_kgram_measures_agree(values: np.ndarray, k: int) -> None:
    np.testing.assert_array_equal(kgrams.kgram_hashes(values, k), reference.kgram_hashes(values, k))
    tags = (reference.kgram_hashes(values, k) >> np.uint64(48)).astype(np.uint16)
    np.testing.assert_array_equal(kgrams.kgram_tags(values, k), tags)
    marked = (values & np.uint64(1)).astype(bool)
    np.testing.assert_array_equal(kgrams.identifier_counts(marked, k), reference.identifier_counts(marked, k))


def test_symbols_spellings_and_names_agree() -> None:
    symbols = [ID, STR, NUM, *KEYWORDS, *CASE_FOLDED, *map(chr, range(128)), "\u2014", "\ud800", "𝄞"]
    for alphabet in (PLAIN, KEYED):
        assert [alphabet.symbol(s) for s in symbols] == [reference.symbol(alphabet, s) for s in symbols]
        spellings = np.asarray([word_hash(s) for s in symbols], dtype=np.uint64)
        np.testing.assert_array_equal(alphabet.names(spellings), reference.names(alphabet, spellings))
    # The engine's spelling hash is the numpy engine's Spellings (every quote read as ").
    spelled = [
        int(reference.Spellings(reference.codepoints(s)).hashes(np.asarray([0]), np.asarray([len(s)]))[0])
        for s in symbols
    ]
    assert [word_hash(s) for s in symbols] == spelled


def test_the_engine_refuses_malformed_arrays_with_a_clear_error() -> None:
    cps = np.zeros(4, dtype=np.uint32)
    no_spans = np.empty(0, dtype=np.int64)
    with pytest.raises(ValueError, match="pairs"):
        PLAIN.native.lex(cps, np.asarray([1], dtype=np.int64), no_spans, no_spans)
    with pytest.raises(ValueError, match="negative"):
        PLAIN.native.lex(cps, np.asarray([-1, 2], dtype=np.int64), no_spans, no_spans)
    with pytest.raises(ValueError, match="contiguous"):
        _core.kgram_hashes(np.zeros(8, dtype=np.uint64)[::2], 2)
    with pytest.raises(TypeError):
        _core.kgram_hashes(np.zeros(8, dtype=np.int32), 2)  # type: ignore[arg-type]
