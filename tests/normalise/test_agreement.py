"""The scan side must reproduce the index side's fingerprints from raw files (>= 98%)."""

from __future__ import annotations

import os

import pytest
from corpus_files import LANGUAGES, files_by_language

from leakguard.fingerprint.kgrams import kgram_hashes, kgram_tags
from leakguard.index.build import fingerprint_text
from leakguard.normalise.alphabet import Alphabet
from leakguard.normalise.lexer import lex
from leakguard.options import FingerprintParams

FILES = files_by_language()
REQUIRED = os.environ.get("LEAKGUARD_REQUIRE_CORPUS") == "1"


@pytest.mark.parametrize("language", LANGUAGES)
def test_scan_path_reproduces_index_fingerprints(language: str) -> None:
    files = FILES[language]
    if len(files) < 3:
        message = f"only {len(files)} real {language} files (run tests/corpus/fetch.sh)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    params = FingerprintParams()
    alphabet = Alphabet()
    total = reproduced = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        indexed = fingerprint_text(path.name, text, params)
        assert indexed.language == language
        tokens = lex(text, alphabet)
        # Hash and concrete tag: the scan side must see the same names and literal values.
        scanned = set(
            zip(
                kgram_hashes(tokens.abstract, params.k).tolist(),
                kgram_tags(tokens.concrete, params.k).tolist(),
                strict=True,
            )
        )
        total += indexed.hashes.shape[0]
        reproduced += sum(pair in scanned for pair in zip(indexed.hashes.tolist(), indexed.tags.tolist(), strict=True))
    assert total > 100
    assert reproduced / total >= 0.98, f"{language}: {reproduced}/{total}"
