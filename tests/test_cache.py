"""The cache of scan results: bounded by characters, least recently used out first, shared safely."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from leakguard.cache import LARGEST_SHARE, ResultCache
from leakguard.options import DEFAULT_POLICY
from leakguard.result import Finding, ScanResult


def result(text: str, leak: bool = False) -> ScanResult:
    findings = [Finding("a.py", 1, 2, 0, len(text), 0.9, 30, 30)] if leak else []
    return ScanResult(leak, 0.9 if leak else 0.1, findings, text, DEFAULT_POLICY)


def test_results_come_back_equal_and_as_copies() -> None:
    cache = ResultCache(1000)
    assert cache.get("x = 1") is None
    cache.put("x = 1", result("x = 1", leak=True))
    got = cache.get("x = 1")
    assert got is not None and got.is_leak and got.text == "x = 1" and len(got.findings) == 1
    got.findings.clear()
    again = cache.get("x = 1")
    assert again is not None and len(again.findings) == 1
    stats = cache.stats
    assert (stats.hits, stats.misses, stats.entries, stats.chars) == (2, 1, 1, 5)


def test_the_least_recently_used_go_first_when_characters_run_out() -> None:
    cache = ResultCache(100)
    texts = [c * 10 for c in "abcdefghij"]  # 100 characters in all: every one fits
    for text in texts:
        cache.put(text, result(text))
    assert cache.get("a" * 10) is not None  # now the most recently used
    cache.put("k" * 10, result("k" * 10))
    assert cache.get("b" * 10) is None  # the least recently used went
    assert cache.get("a" * 10) is not None and cache.stats.chars == 100
    cache.put("a" * 10, result("a" * 10))  # kept again: counted once
    assert cache.stats.chars == 100 and cache.stats.entries == 10


def test_a_text_too_large_for_its_share_is_never_kept() -> None:
    cache = ResultCache(80)
    cache.put("y" * (80 // LARGEST_SHARE + 1), result("y"))
    assert cache.stats.entries == 0
    cache.put("y" * (80 // LARGEST_SHARE), result("y"))
    assert cache.stats.entries == 1
    cache.clear()
    assert cache.stats.entries == 0 and cache.stats.chars == 0


def test_zero_keeps_nothing_and_negative_is_refused() -> None:
    cache = ResultCache(0)
    cache.put("", result(""))
    cache.put("z", result("z"))
    assert cache.stats.entries == 0 and cache.get("") is None
    with pytest.raises(ValueError):
        ResultCache(-1)


def test_many_threads_keep_the_accounting_right() -> None:
    cache = ResultCache(500)
    texts = [f"text number {n:04d}" for n in range(400)]  # 16 characters each

    def work(text: str) -> None:
        cache.put(text, result(text))
        cache.get(text)
        cache.get(texts[0])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, texts * 3))
    stats = cache.stats
    assert stats.chars == 16 * stats.entries <= 500
    assert stats.hits + stats.misses == 2 * 3 * len(texts)
