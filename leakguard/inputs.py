"""What the CLI scans: standard input, files, and directories of files (logs, exports).

A directory stands for every regular file under it, in sorted order, so a nightly job can
point leakguard at a log directory. Files found there with nothing to scan (empty, or
clearly not text: a NUL byte in their first block, as in compressed rotations and core
dumps) are *skipped*. When several sources are scanned, one that cannot be read (not
UTF-8, no permission, or a named file that is empty or binary) is an *error* outcome and
the others are still scanned: one bad source never hides the findings of the rest. A
single source that cannot be read raises :class:`~leakguard.errors.InputError`. Several
sources are scanned by worker processes when asked (:func:`scan_sources`), with the same
outcomes in the same order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from leakguard.api import Scanner
from leakguard.errors import InputError
from leakguard.result import ScanResult
from leakguard.stream import scan_stream

STDIN = "-"
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Source:
    """One input to scan: its name in reports, and whether it was found by walking a directory."""

    name: str
    walked: bool = False


#: What became of a source: scanned (``result`` is set), skipped or failed (``reason`` says why).
SCANNED, SKIPPED, ERROR = "scanned", "skipped", "error"


@dataclass(frozen=True)
class Outcome:
    """The result of scanning one source, or why there is none.

    Attributes:
        source: the source's name in reports (``<stdin>`` for standard input).
        result: the scan's result; None when the source was skipped or failed.
        skipped: why a source found by walking a directory had nothing to scan
            (``"binary"``, ``"empty"``).
        error: why a source could not be scanned (it is not valid UTF-8, unreadable...).
    """

    source: str
    result: ScanResult | None
    skipped: str | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        """``"scanned"``, ``"skipped"`` or ``"error"``."""
        return ERROR if self.error is not None else SKIPPED if self.result is None else SCANNED

    @property
    def is_leak(self) -> bool:
        """Whether the source was scanned and leaks."""
        return self.result is not None and self.result.is_leak


def expand(sources: Sequence[str]) -> list[Source]:
    """Files and ``-`` as given; each directory as the sorted regular files under it.

    Hidden directories (``.git``, ``.cache``) are not entered. A missing path is an InputError.
    """
    out: list[Source] = []
    for name in sources:
        if name == STDIN:
            out.append(Source(name))
            continue
        path = Path(name)
        if path.is_dir():
            found: list[str] = []
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found += [os.path.join(root, f) for f in files]
            out.extend(Source(f, walked=True) for f in sorted(found))
        elif path.exists():
            out.append(Source(name))
        else:
            raise InputError(f"{name}: no such file or directory")
    return out


@contextmanager
def open_source(name: str) -> Iterator[IO[bytes]]:
    """The source as a binary stream (standard input for ``-``)."""
    if name == STDIN:
        yield sys.stdin.buffer
        return
    try:
        handle = open(name, "rb")  # noqa: SIM115 - closed below
    except IsADirectoryError as exc:
        raise InputError(f"{name}: is a directory") from exc
    except OSError as exc:
        raise InputError(f"{name}: {exc.strerror or exc}") from exc
    with handle:
        yield handle


def looks_binary(head: bytes) -> bool:
    """Whether a file whose first bytes are ``head`` is clearly not text (a NUL byte early on)."""
    return b"\x00" in head[:_SNIFF_BYTES]


def _nothing_to_scan(name: str) -> str | None:
    """``"empty"`` or ``"binary"`` for a file with nothing to scan, from its first block."""
    try:
        with open(name, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return None  # reported properly when it is opened for the scan
    return "empty" if not head else "binary" if looks_binary(head) else None


def scan_source(scanner: Scanner, source: Source, keep_text: bool = True) -> Outcome:
    """Scan one source with ``scanner`` (streamed: any size); raises InputError when it cannot.

    A file found by walking a directory is skipped when it is empty (a rotated log) or
    binary. Without ``keep_text`` the result holds the findings only (memory stays flat
    over a directory of thousands of logs).
    """
    reason = _nothing_to_scan(source.name) if source.walked else None
    if reason is not None:
        return Outcome(source.name, None, reason)
    display = "<stdin>" if source.name == STDIN else source.name
    with open_source(source.name) as stream:
        result = scan_stream(scanner.index, stream, scanner.policy, display, scanner.baseline)
    return Outcome(display, result if keep_text else replace(result, text=""))


def scan_or_report(scanner: Scanner, source: Source, keep_text: bool) -> Outcome:
    """:func:`scan_source`, with a source that cannot be scanned as an error outcome."""
    try:
        return scan_source(scanner, source, keep_text)
    except InputError as exc:
        display = "<stdin>" if source.name == STDIN else source.name
        message = str(exc)
        return Outcome(display, None, error=message.removeprefix(f"{display}: "))


#: Whether worker processes are forked here (see :func:`scan_sources`).
_CAN_FORK = sys.platform.startswith("linux")

#: The scanner of a worker process: the parent's own, inherited when the worker is forked.
_worker_scanner: Scanner | None = None


def _start_worker(scanner: Scanner) -> None:
    global _worker_scanner
    _worker_scanner = scanner


def _scan_in_worker(source: Source, keep_text: bool) -> Outcome:
    if _worker_scanner is None:
        raise RuntimeError("worker process started without a scanner")
    return scan_or_report(_worker_scanner, source, keep_text)


def scan_sources(scanner: Scanner, sources: Sequence[Source], keep_text: bool = True, jobs: int = 1) -> list[Outcome]:
    """:func:`scan_source` of every source, in order; with ``jobs`` above 1, by that many
    worker processes (a directory of logs scans about ``jobs`` times as fast; 0: one per
    core, as :func:`leakguard.build_index` takes it). A source that cannot be scanned
    (:class:`~leakguard.errors.InputError`) becomes an error outcome, and the run goes on.

    Workers are forked: they share the parent's memory-mapped index instead of loading it
    again, and nothing but sources and outcomes crosses between processes. Forking is what
    Linux does by default; elsewhere (macOS, where system libraries may not survive a fork,
    and Windows, which has none), and when standard input is among the sources, sources are
    scanned one after another. The outcomes are the same either way. Errors that are not
    about a source (a bug, an interrupt) stop the run.
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(sources) < 2 or any(s.name == STDIN for s in sources) or not _CAN_FORK:
        return [scan_or_report(scanner, source, keep_text) for source in sources]
    # Imported here, not at the top: they cost a cold `leakguard scan -` about 20 ms, and
    # only a scan of several files by several workers needs them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(jobs, len(sources))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(scanner,)) as pool:
        futures = [pool.submit(_scan_in_worker, source, keep_text) for source in sources]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise
