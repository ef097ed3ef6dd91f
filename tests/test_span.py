"""Where a copy begins and ends: a redacted copy keeps no token of the lines it spans; the
engine's line hashes and walks agree with the Python ones they replaced."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import reference_span
from conftest import EXAMPLES
from corpus_files import files_by_language
from hypothesis import given, settings
from hypothesis import strategies as st

import leakguard
from leakguard.fingerprint.kgrams import line_hashes
from leakguard.match import Chain
from leakguard.normalise.alphabet import KEYWORDS, Alphabet
from leakguard.normalise.lexer import lex

_WORD = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")


def _renamed(lines: list[str]) -> list[str]:
    names: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        return word if word in KEYWORDS else names.setdefault(word, f"v{len(names)}")

    return [_WORD.sub(swap, line) for line in lines]


def _left_on_spanned_lines(result: leakguard.ScanResult, start: int, end: int) -> list[str]:
    """Tokens of the pasted code (``start``..``end``) on a line a finding spans, outside every finding."""
    spanned = {n for f in result.findings for n in range(f.text_start_line, f.text_end_line + 1)}
    tokens = lex(result.text, Alphabet())
    return [
        result.text[a:b]
        for a, b, line in zip(tokens.start.tolist(), tokens.end.tolist(), tokens.line.tolist(), strict=True)
        if line in spanned and start <= a and b <= end and not any(f.start <= a and b <= f.end for f in result.findings)
    ]


@pytest.fixture(scope="module")
def real_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[leakguard.Index, list[Path]]:
    """Real files of languages whose long lines and signatures split across lines: the demo's
    files are too small to be winnowed, so their copies always start with a hit."""
    found = files_by_language(12, min_bytes=1500)
    picked = [path for language in ("rust", "tsx", "go") for path in found[language]]
    if len(picked) < 12:
        if os.environ.get("LEAKGUARD_REQUIRE_CORPUS"):
            pytest.fail("the corpus is missing (run tests/corpus/fetch.sh)")
        pytest.skip("the corpus is missing (run tests/corpus/fetch.sh)")
    root = tmp_path_factory.mktemp("span-files")
    for n, path in enumerate(picked):
        shutil.copyfile(path, root / f"{n:02d}_{path.name}")
    return leakguard.build_index([root], jobs=1), [*picked, *sorted((EXAMPLES / "acme").rglob("*.*"))]


@pytest.mark.parametrize("renamed", [False, True])
def test_redaction_takes_whole_lines_of_a_copy(real_files: tuple[leakguard.Index, list[Path]], renamed: bool) -> None:
    """Windows of real files, pasted plain and renamed: nothing of a spanned line stays."""
    index, paths = real_files
    rng = random.Random(3)
    checked = 0
    for path in paths:
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        for _ in range(8):
            size = rng.randint(8, 60)
            first = rng.randrange(max(1, len(lines) - size))
            body = lines[first : first + size]
            code = "\n".join(_renamed(body) if renamed else body) + "\n"
            head = "Can you make this faster?\n```\n"
            result = index.scan(head + code + "```\nthanks\n")
            if result.is_leak:
                checked += 1
                assert _left_on_spanned_lines(result, len(head), len(head) + len(code)) == [], (path.name, first)
    assert checked >= 50


def _ruby_methods() -> list[str]:
    """A Ruby class of varied methods, long enough (over 300 tokens) to be winnowed, each
    method ending in a returned name and ``end``: the lines no hit may reach."""
    lines = ["class Ledger"]
    verbs = ["post", "flush", "reverse", "audit", "settle", "close", "archive", "reopen"]
    for n, verb in enumerate(verbs):
        lines += [
            f"  def {verb}_batch(entries, currency, limit = {n + 2})",
            f"    picked = entries.select {{ |e| e.amount_in(currency) > limit * {n + 3} }}",
            f"    raise ArgumentError, 'empty {verb}' if picked.empty?",
            f"    picked.each_slice({n + 4}) {{ |slice| journal.{verb}(slice, currency, batch: slice.size) }}",
            f"    result_{verb} = picked.map(&:id).take({n + 5})",
            f"    result_{verb}",
            "  end",
        ]
    return [*lines, "end"]


def test_an_indented_lone_name_ends_a_copy_and_a_prose_word_does_not(tmp_path: Path) -> None:
    """Ruby's `end` and a returned name are code when indented; "thanks" at the margin is prose."""
    body = _ruby_methods()
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "ledger.rb").write_text("\n".join(body) + "\n")
    index = leakguard.build_index([tmp_path / "repo"], jobs=1)
    assert index.small_files.max() == 0  # winnowed: one k-gram in every window kept
    for first in range(1, len(body) - 14, 7):  # each paste ends with a method's last two lines
        pasted = body[first : first + 14]
        head = "Why does this fail?\n```\n"
        code = "\n".join(pasted) + "\n"
        result = index.scan(head + code + "```\nthanks\n")
        assert result.is_leak
        assert _left_on_spanned_lines(result, len(head), len(head) + len(code)) == [], first
        last = max(result.findings, key=lambda f: f.end)
        assert result.text[last.start : last.end].rstrip().endswith(pasted[-1]), first
        assert "thanks" not in result.text[last.start : last.end]


# The engine's line walk (native/engine/src/span.rs) against the Python one it replaced.


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=120),
    st.sampled_from([None, 0, 3]),
)
def test_line_hashes_agree_with_the_numpy_ones(tokens: list[tuple[int, int]], skip: int | None) -> None:
    values = np.asarray([v for v, _ in tokens], dtype=np.uint64)
    lines = np.cumsum([1] + [step for _, step in tokens[1:]]).astype(np.int32) if tokens else np.empty(0, np.int32)
    n_lines = int(lines[-1]) + 2 if tokens else 3
    np.testing.assert_array_equal(
        line_hashes(values, lines, n_lines, skip), reference_span.line_hashes(values, lines, n_lines, skip)
    )


def _texts() -> list[str]:
    """Texts holding the demo code whole, cut, edited, wrapped in prose and log lines."""
    rng = random.Random(5)
    sources = [p.read_text() for p in sorted((EXAMPLES / "acme").rglob("*")) if p.is_file()]
    texts = [p.read_text() for p in sorted((EXAMPLES / "prompts").iterdir())]
    for source in sources:
        lines = source.splitlines()
        for _ in range(6):
            a = rng.randrange(len(lines))
            b = rng.randrange(a, len(lines) + 1)
            part = lines[a:b]
            if rng.random() < 0.5:
                part = [line for line in part if rng.random() > 0.15]
            prose = "Why does this fail?\nthanks\n" if rng.random() < 0.5 else "2026-11-24 INFO served 3 in 4 ms\n"
            texts.append(prose + "\n".join(part) + "\n" + prose)
    return texts


def test_copy_bounds_agree_with_the_python_walk(demo_index: leakguard.Index) -> None:
    from leakguard.match import chain_hits
    from leakguard.options import ScanPolicy
    from leakguard.scanner import lookup
    from leakguard.span import LineTable, copy_bounds

    policy, rng, compared = ScanPolicy(), random.Random(7), 0
    for text in _texts():
        tokens = lex(text, demo_index.alphabet)
        if len(tokens) < demo_index.params.k:
            continue
        hits = lookup(demo_index, tokens, policy)
        found = chain_hits(hits, demo_index.params.k, policy, tokens.line, demo_index.small_files, floor=0.0).chains
        native, python_made = (
            LineTable(text, tokens, demo_index.alphabet),
            reference_span.LineTable(text, tokens, demo_index.alphabet),
        )
        chains = list(found)
        for _ in range(10):  # and chains drawn at random over the same tokens
            first = rng.randrange(len(tokens) - demo_index.params.k + 1)
            last = rng.randrange(first, len(tokens) - demo_index.params.k + 1)
            line = rng.randrange(1, 60)
            file = rng.randrange(len(demo_index.paths))
            chains.append(Chain(file, [first, last], [], line, line + 3, line + rng.randrange(0, 9), last))
        for chain in chains:
            assert copy_bounds(demo_index, chain, tokens, native) == reference_span.copy_bounds(
                demo_index, chain, tokens, python_made
            ), (text[:80], chain.positions[:3], chain.file)
            compared += 1
    assert compared > 250
