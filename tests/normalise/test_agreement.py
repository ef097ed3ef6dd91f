"""The scan side must reproduce the index side's fingerprints from raw files (>= 98%)."""

from __future__ import annotations

import os

import pytest
from corpus_files import LANGUAGES, files_by_language

from leakguard.fingerprint.kgrams import kgram_hashes
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
        scanned = set(kgram_hashes(lex(text, alphabet).abstract, params.k).tolist())
        total += indexed.hashes.shape[0]
        reproduced += sum(h in scanned for h in indexed.hashes.tolist())
    assert total > 100
    assert reproduced / total >= 0.98, f"{language}: {reproduced}/{total}"
