"""Scanning and redacting inputs of any size in bounded memory.

Input is read in blocks and scanned in *windows*: each window is the uncommitted tail of
the previous one plus the next block. After a window is scanned, everything up to its
*commit point* is final: ``OVERLAP`` characters before the window's end, moved forward
past any finding that crosses it. The next window starts at the commit point, so a copy
that straddles two blocks is seen whole (when it is shorter than ``OVERLAP``), and no
character is scanned for a finding twice. Memory is about one window, whatever the input
size.
"""

from __future__ import annotations

import codecs
import dataclasses
from collections.abc import Callable, Iterator
from typing import IO

from leakguard.baseline import Baseline
from leakguard.errors import InputError
from leakguard.index.store import Index
from leakguard.options import DEFAULT_POLICY, ScanPolicy
from leakguard.result import Finding, ScanResult, blocks

BLOCK_BYTES = 1 << 20
OVERLAP = 64 * 1024
#: Inputs up to this size are kept in memory, so reports can quote them and
#: :meth:`ScanResult.redacted` works; larger ones are streamed.
KEEP_LIMIT = 8 << 20


def _blocks(source: IO[bytes], name: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    while True:
        data = source.read(BLOCK_BYTES)
        if b"\x00" in data:
            raise InputError(f"{name}: input looks binary (contains NUL bytes); leakguard scans text")
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: input is not valid UTF-8 (byte {offset + exc.start})") from exc
        offset += len(data)
        if text:
            yield text
        if not data:
            return


def _windows(
    index: Index, blocks: Iterator[str], policy: ScanPolicy, baseline: Baseline | None
) -> Iterator[tuple[str, int, int, ScanResult, int]]:
    """Yield (window, base offset, base line, its result in window coordinates, commit).

    Findings the baseline accepts are dropped here, so scan and redact agree on them.
    """
    pending = ""
    base = 0
    line = 1
    exhausted = False
    while not exhausted:
        try:
            pending += next(blocks)
        except StopIteration:
            exhausted = True
        if not exhausted and len(pending) < OVERLAP * 2:
            continue
        if not pending:
            return
        result = index.scan(pending, policy)
        if baseline is not None:
            result = baseline.filter(result)
        commit = len(pending) if exhausted else len(pending) - OVERLAP
        if not exhausted:
            newline = pending.rfind("\n", 0, commit)
            commit = newline + 1 if newline > 0 else commit
            for finding in result.findings:
                if finding.start < commit < finding.end:
                    commit = finding.end
        yield pending, base, line, result, commit
        line += pending.count("\n", 0, commit)
        base += commit
        pending = pending[commit:]


def _globalise(finding: Finding, base: int, line: int) -> Finding:
    return dataclasses.replace(
        finding,
        start=finding.start + base,
        end=finding.end + base,
        text_start_line=finding.text_start_line + line - 1,
        text_end_line=finding.text_end_line + line - 1,
    )


def scan_stream(
    index: Index,
    source: IO[bytes],
    policy: ScanPolicy | None = None,
    name: str = "<input>",
    baseline: Baseline | None = None,
) -> ScanResult:
    """Scan a binary stream of UTF-8 text of any size; keeps the text only when small.

    Findings accepted by ``baseline`` are left out.
    """
    policy = policy or DEFAULT_POLICY
    findings: list[Finding] = []
    kept: list[str] | None = []
    size = 0
    best = 0.0
    for window, base, line, result, commit in _windows(index, _blocks(source, name), policy, baseline):
        findings += [_globalise(f, base, line) for f in result.findings if f.start < commit]
        best = max(best, result.score)
        size += commit
        if kept is not None:
            kept.append(window[:commit])
            if size > KEEP_LIMIT:
                kept = None
    if size == 0:
        raise InputError(f"{name}: input is empty")
    text = "".join(kept) if kept is not None else ""
    return ScanResult(blocks(findings), best, findings, text, policy)


def redact_stream(
    index: Index,
    source: IO[bytes],
    write: Callable[[str], object],
    policy: ScanPolicy | None = None,
    template: str | None = None,
    name: str = "<input>",
    baseline: Baseline | None = None,
) -> ScanResult:
    """Copy ``source`` to ``write`` with every finding replaced by a placeholder, in bounded memory.

    Everything outside the findings is written unchanged; findings accepted by ``baseline``
    are kept too. Returns the findings (the text is not kept).
    """
    policy = policy or DEFAULT_POLICY
    template = template if template is not None else policy.redaction_template
    findings: list[Finding] = []
    best = 0.0
    written = 0
    for window, base, line, result, commit in _windows(index, _blocks(source, name), policy, baseline):
        position = 0
        for finding in sorted(result.findings, key=lambda f: f.start):
            if finding.start >= commit or finding.start < position:
                continue
            if finding.warn:  # reported, passed on as it is
                findings.append(_globalise(finding, base, line))
                continue
            write(window[position : finding.start])
            write(finding.placeholder(template))
            position = finding.end
            findings.append(_globalise(finding, base, line))
        write(window[position:commit])
        best = max(best, result.score)
        written += commit
    if written == 0:
        raise InputError(f"{name}: input is empty")
    return ScanResult(blocks(findings), best, findings, "", policy)
