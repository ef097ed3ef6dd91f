"""What a guard does when it cannot scan: it blocks (fails closed), unless told to let text through.

leakguard guards hot paths: the pre-commit hook, the LiteLLM guardrail, the mitmproxy
addon and ``leakguard serve``. When one of them cannot scan — the index is missing or
corrupt, the input cannot be decoded, an internal error, or the scan takes longer than its
time budget — passing the text on would open a silent hole, so by default the text is
*blocked*, with a message that says why and how to fail open instead. Failing open is a
decision a security team takes on purpose (an outage of leakguard must not stop all AI
traffic, say), per front end, or for all of them with ``LEAKGUARD_FAIL_OPEN=1``; every
text let through that way is logged.

A time budget (``LEAKGUARD_TIME_BUDGET`` seconds, or each front end's option) bounds how long
a guard waits for one scan. The scan itself cannot be interrupted (its work is native code);
it finishes in its worker thread and its answer is dropped, and the number of such threads
is bounded by the pool the scans run in.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from leakguard.errors import ConfigError, LeakguardError

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

FAIL_OPEN_ENV = "LEAKGUARD_FAIL_OPEN"
TIME_BUDGET_ENV = "LEAKGUARD_TIME_BUDGET"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})

T = TypeVar("T")


class ScanFailed(LeakguardError):
    """A guard could not scan a text: the reason is the message."""


@dataclass(frozen=True)
class Failsafe:
    """How a guard fails.

    Attributes:
        fail_open: let a text through (with a warning) when it cannot be scanned, instead of
            blocking it.
        time_budget: seconds a guard waits for one scan before giving up on it (None: no limit).
    """

    fail_open: bool = False
    time_budget: float | None = None

    def __post_init__(self) -> None:
        if self.time_budget is not None and self.time_budget <= 0:
            raise ConfigError("the time budget must be a positive number of seconds")

    @classmethod
    def resolve(cls, fail_open: bool | None = None, time_budget: float | None = None) -> Failsafe:
        """The given settings, else ``LEAKGUARD_FAIL_OPEN`` and ``LEAKGUARD_TIME_BUDGET``, else
        fail closed without a limit."""
        if fail_open is None:
            value = os.environ.get(FAIL_OPEN_ENV, "").strip().lower()
            if value not in _TRUE | _FALSE:
                raise ConfigError(f"{FAIL_OPEN_ENV} must be 1 or 0 (true or false), not {value!r}")
            fail_open = value in _TRUE
        if time_budget is None and os.environ.get(TIME_BUDGET_ENV, "").strip():
            try:
                time_budget = float(os.environ[TIME_BUDGET_ENV])
            except ValueError as exc:
                raise ConfigError(f"{TIME_BUDGET_ENV} must be a number of seconds") from exc
        return cls(fail_open, time_budget or None)

    def explain(self, reason: str, what: str, refused: str = "blocked") -> str:
        """The message a guard gives: what happened to ``what`` (``refused`` when it fails
        closed), why, and how to change that."""
        if self.fail_open:
            return f"leakguard could not scan {what} ({reason}); let through unscanned (fail-open)"
        return (
            f"leakguard could not scan {what} ({reason}); {refused}, as it fails closed "
            f"(set {FAIL_OPEN_ENV}=1, or the front end's fail-open option, to let text through instead)"
        )


#: Scans with a time budget run here, so that a guard can stop waiting for one.
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor  # only with a budget: the hook starts without it

        _pool = ThreadPoolExecutor(max_workers=4 * (os.cpu_count() or 1), thread_name_prefix="leakguard-scan")
    return _pool


def _failed(exc: Exception) -> ScanFailed:
    """The one ScanFailed an error while scanning becomes."""
    if isinstance(exc, LeakguardError):
        return ScanFailed(str(exc))
    return ScanFailed(f"internal error: {type(exc).__name__}: {exc}")  # a bug: the guard must still decide


def _spent(failsafe: Failsafe) -> ScanFailed:
    return ScanFailed(f"the time budget of {failsafe.time_budget:g} s was spent")


def attempt(scan: Callable[[], T], failsafe: Failsafe) -> T:
    """Run ``scan``; any failure to scan (an error, the time budget spent) becomes ScanFailed."""
    try:
        if failsafe.time_budget is None:
            return scan()
        from concurrent.futures import TimeoutError as FutureTimeout

        future = _executor().submit(scan)
        try:
            return future.result(timeout=failsafe.time_budget)
        except FutureTimeout:
            future.cancel()
            raise _spent(failsafe) from None
    except ScanFailed:
        raise
    except Exception as exc:
        raise _failed(exc) from exc


async def attempt_async(
    scan: Callable[[], T], failsafe: Failsafe, run: Callable[[Callable[[], T]], Awaitable[T]] | None = None
) -> T:
    """:func:`attempt` for an event loop: the scan runs in a worker thread, the loop never waits on it.

    Without a time budget the scan runs by ``run`` (a server's own thread pool, say) when
    given; with one it runs in this module's pool, whose futures can be given up on."""
    import asyncio

    loop = asyncio.get_running_loop()
    try:
        if failsafe.time_budget is None:
            return await (run(scan) if run is not None else loop.run_in_executor(_executor(), scan))
        try:
            return await asyncio.wait_for(loop.run_in_executor(_executor(), scan), failsafe.time_budget)
        except asyncio.TimeoutError:
            raise _spent(failsafe) from None
    except ScanFailed:
        raise
    except Exception as exc:
        raise _failed(exc) from exc
