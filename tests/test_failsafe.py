"""Guards fail closed: a text that cannot be scanned is blocked, with the reason, unless told to fail open."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from leakguard.errors import ConfigError, IndexFormatError
from leakguard.failsafe import FAIL_OPEN_ENV, TIME_BUDGET_ENV, Failsafe, ScanFailed, attempt, attempt_async


def test_settings_come_from_arguments_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FAIL_OPEN_ENV, raising=False)
    monkeypatch.delenv(TIME_BUDGET_ENV, raising=False)
    assert Failsafe.resolve() == Failsafe(False, None)
    monkeypatch.setenv(FAIL_OPEN_ENV, "true")
    monkeypatch.setenv(TIME_BUDGET_ENV, "1.5")
    assert Failsafe.resolve() == Failsafe(True, 1.5)
    assert Failsafe.resolve(False, 3.0) == Failsafe(False, 3.0)
    monkeypatch.setenv(FAIL_OPEN_ENV, "maybe")
    with pytest.raises(ConfigError, match="LEAKGUARD_FAIL_OPEN must be 1 or 0"):
        Failsafe.resolve()
    monkeypatch.setenv(FAIL_OPEN_ENV, "0")
    monkeypatch.setenv(TIME_BUDGET_ENV, "soon")
    with pytest.raises(ConfigError, match="number of seconds"):
        Failsafe.resolve()
    with pytest.raises(ConfigError, match="positive"):
        Failsafe(time_budget=-1)


def _broken() -> str:
    raise IndexFormatError("index.lgx is corrupt (checksum of section 'residues' does not match)")


def _buggy() -> str:
    raise KeyError("boom")


def test_every_failure_to_scan_becomes_one_error_with_its_reason() -> None:
    closed = Failsafe()
    assert attempt(lambda: "verdict", closed) == "verdict"
    with pytest.raises(ScanFailed, match="checksum of section 'residues'"):
        attempt(_broken, closed)
    with pytest.raises(ScanFailed, match="internal error: KeyError: 'boom'"):
        attempt(_buggy, closed)
    release = threading.Event()
    started = time.perf_counter()
    with pytest.raises(ScanFailed, match=r"time budget of 0.2 s was spent"):
        attempt(lambda: release.wait(10), Failsafe(time_budget=0.2))
    assert time.perf_counter() - started < 5  # the guard stopped waiting; the scan thread is let go
    release.set()
    assert "blocked, as it fails closed" in closed.explain("x", "this request")
    assert "let through unscanned" in Failsafe(fail_open=True).explain("x", "this request")


def test_the_async_form_never_blocks_the_event_loop() -> None:
    async def main() -> list[str]:
        release = threading.Event()
        ticks: list[str] = []

        async def ticker() -> None:
            for _ in range(3):
                await asyncio.sleep(0.01)
                ticks.append("tick")

        tick = asyncio.create_task(ticker())
        with pytest.raises(ScanFailed, match="time budget"):
            await attempt_async(lambda: release.wait(10), Failsafe(time_budget=0.3))
        release.set()
        await tick
        with pytest.raises(ScanFailed, match="corrupt"):
            await attempt_async(_broken, Failsafe())
        return ticks

    assert asyncio.run(main()) == ["tick"] * 3
