"""Differential test: the native look-up finds exactly the hits the numpy look-up found.

The reference is ``reference_lookup.py`` (the numpy code as it last ran in leakguard).
Both look up the same token streams in the same indexes: real files indexed with the
shipped public sets (common shapes, public names) and without, verbatim copies, renamed
ones, and hostile text, under cut-offs low enough that the common-hash paths run too.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import reference_lookup as reference
from corpus_files import files_by_language
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leakguard
from leakguard.fingerprint.kgrams import kgram_hashes
from leakguard.hits import Hits
from leakguard.index.store import Index
from leakguard.normalise.lexer import lex
from leakguard.options import ScanPolicy
from leakguard.scanner import lookup

FILES = [path for paths in files_by_language(limit=4).values() for path in paths]
POLICIES = [ScanPolicy(), ScanPolicy(max_df_min=1, max_df_fraction=0.001)]
FIELDS = ("pos", "file", "line", "end_line", "exact", "key")


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> list[Index]:
    if len(FILES) < 8:
        pytest.skip("too few corpus files (run tests/corpus/fetch.sh)")
    public = leakguard.build_index(FILES, jobs=1)
    plain = leakguard.build_index(FILES, jobs=1, public=False)
    saved = tmp_path_factory.mktemp("lookup-index")
    public.save(saved)
    return [public, plain, leakguard.load_index(saved)]  # the last one memory-mapped


def same(index: Index, text: str, policy: ScanPolicy) -> int:
    tokens = lex(text, index.alphabet)
    hashes = kgram_hashes(tokens.abstract, index.params.k)
    native: Hits = lookup(index, tokens, policy, hashes)
    numpy_made: Hits = reference.lookup(index, tokens, policy, hashes)
    for field in FIELDS:
        mine, theirs = getattr(native, field), getattr(numpy_made, field)
        assert mine.dtype == theirs.dtype, field
        np.testing.assert_array_equal(mine, theirs, err_msg=field)
    return int(native.pos.shape[0])


def renamed(text: str) -> str:
    return re.sub(r"\b([A-Za-z_]\w{2,})\b", lambda m: m.group(1)[::-1] + "_x", text)


def test_real_files_verbatim_and_renamed(indexes: list[Index]) -> None:
    found = 0
    for index in indexes:
        for policy in POLICIES:
            for path in FILES[::3]:
                text = path.read_text(encoding="utf-8", errors="replace")
                found += same(index, text, policy) + same(index, renamed(text), policy)
    assert found > 1000  # the copies were found: the comparison compared something


PIECES = st.sampled_from(["x", "(", ")", "{", "}", ",", ";", "\n", " ", "1", "'a'", "return", "if", "self", "."])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=300).map("".join), st.integers(0, 10_000), st.sampled_from(POLICIES))
def test_hostile_text_around_indexed_code(indexes: list[Index], noise: str, at: int, policy: ScanPolicy) -> None:
    source = FILES[at % len(FILES)].read_text(encoding="utf-8", errors="replace")
    cut = at % max(1, len(source))
    text = noise + source[cut : cut + 600] + noise[::-1]
    for index in indexes:
        same(index, text, policy)
