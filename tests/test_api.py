from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import EXAMPLES

import leakguard
from leakguard.config import Config

PROMPTS = sorted((EXAMPLES / "prompts").iterdir())


def test_one_scanner_serves_many_threads_with_the_serial_answers(demo_index_dir: Path) -> None:
    scanner = leakguard.Scanner.open(demo_index_dir, config=Config(), cache_chars=0)  # every call scans
    texts = [p.read_text() for p in PROMPTS] * 25
    serial = [scanner.scan(t).to_json() for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda t: scanner.scan(t).to_json(), texts))
    assert threaded == serial
    assert any(r["is_leak"] for r in serial) and not all(r["is_leak"] for r in serial)


def test_open_takes_the_index_from_the_environment_then_the_config(
    demo_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEAKGUARD_INDEX", raising=False)
    with pytest.raises(leakguard.ConfigError, match="no index"):
        leakguard.Scanner.open(config=Config())
    scanner = leakguard.Scanner.open(config=Config(index=str(demo_index_dir), threshold=1e9))
    assert scanner.policy.threshold == 1e9
    monkeypatch.setenv("LEAKGUARD_INDEX", str(demo_index_dir))
    assert leakguard.Scanner.open(config=Config()).index.n_files == 5


def test_redact_returns_the_text_to_send_and_the_verdict(demo_index_dir: Path) -> None:
    scanner = leakguard.Scanner.open(demo_index_dir, config=Config())
    leak = (EXAMPLES / "prompts" / "leak_verbatim.md").read_text()
    redaction = scanner.redact(leak, template="<cut {path}>")
    assert redaction.result.is_leak and "<cut payments/ledger.py>" in redaction.text
    assert "def split_fee" not in redaction.text
    clean = (EXAMPLES / "prompts" / "clean_question.md").read_text()
    assert scanner.redact(clean).text == clean


def test_a_text_seen_before_is_answered_from_the_cache(demo_index_dir: Path) -> None:
    scanner = leakguard.Scanner.open(demo_index_dir, config=Config())
    history = [p.read_text() for p in PROMPTS]
    first = [scanner.scan(t) for t in history]
    again = [scanner.scan(t) for t in history]  # the next turn of a chat resends them
    assert [r.to_json() for r in again] == [r.to_json() for r in first]
    assert scanner.cache_stats.hits == len(history) and scanner.cache_stats.misses == len(history)
    again[0].findings.clear()  # a caller's change to its copy does not reach the cache
    assert scanner.scan(history[0]).to_json() == first[0].to_json()
    off = leakguard.Scanner.open(demo_index_dir, config=Config(), cache_chars=0)
    assert [off.scan(t).to_json() for t in history * 2] == [r.to_json() for r in first * 2]
    assert off.cache_stats.hits == 0
