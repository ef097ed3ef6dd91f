"""The vectorised tokenizer must cut text exactly like the reference regular expressions."""

from __future__ import annotations

import pytest
import reference_lexer as reference
from corpus_files import files_by_language
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.normalise import lexer
from leakguard.normalise.alphabet import Alphabet, word_hash

A = Alphabet()
PIECES = [
    "a",
    "Z",
    "_",
    "$",
    "1",
    "0x1F",
    "9",
    ".",
    "e",
    "E",
    "+",
    "-",
    " ",
    "\n",
    "\t",
    "(",
    ")",
    ",",
    ";",
    "}",
    '"',
    "'",
    "`",
    "#",
    "/",
    "*",
    "<",
    "&",
    "!",
    "@",
    "r",
    "R",
    "b",
    "B",
    "f",
    "F",
    "u",
    "U",
    "u8",
    "L",
    "é",
    "ß",
    "٣",
    "\u00a0",
    "中",
    "if",
    "return",
    "None",
    "def",
    "//",
    "/*",
    "*/",
    '"""',
    "'''",
    '""',
    'r#"',
    '"#',
    "**",
    "```",
    "<!--",
    "-->",
    "\\",
]


def same(text: str) -> None:
    expected = reference.lex(text, A)
    actual = lexer.lex(text, A)
    assert actual.start.tolist() == expected.start.tolist(), text
    assert actual.end.tolist() == expected.end.tolist(), text
    assert actual.abstract.tolist() == expected.abstract.tolist(), text
    assert actual.concrete.tolist() == expected.concrete.tolist(), text
    assert actual.line.tolist() == expected.line.tolist(), text


@given(st.lists(st.sampled_from(PIECES), max_size=60))
@settings(max_examples=600, deadline=None, derandomize=True)
def test_random_code_like_text(pieces: list[str]) -> None:
    same("".join(pieces))


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_random_unicode_text(text: str) -> None:
    same(text)


@pytest.mark.parametrize("language", ["python", "javascript", "rust", "csharp", "php", "ruby"])
def test_real_files(language: str) -> None:
    files = files_by_language(limit=10)[language]
    if not files:
        pytest.skip(f"no {language} files (run tests/corpus/fetch.sh)")
    for path in files:
        same(path.read_text(encoding="utf-8", errors="replace"))


def test_word_hash_matches_the_name_values() -> None:
    stream = lexer.lex("alpha beta_2 $gamma", A)
    assert stream.concrete.tolist() == [A.name("alpha"), A.name("beta_2"), A.name("$gamma")]
    assert word_hash("alpha") != word_hash("alphb")
