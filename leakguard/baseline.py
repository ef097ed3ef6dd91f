"""Accepted findings: a baseline file that stores hashes, never the matched text.

Like detect-secrets' ``.secrets.baseline``, a team records the findings it has reviewed
and accepted (code it may publish, a vendored copy of its own SDK), commits the file, and
later scans stop reporting them. Each entry is identified by a hash of the indexed path
and the matched text with all whitespace removed, so an accepted copy stays accepted when
it moves to other lines or is re-indented, and any edit to it makes a new finding that
needs a new review. The other fields of an entry are there for the reviewer only.

File format (JSON, sorted, one entry per accepted finding)::

    {"version": 1,
     "findings": [{"hash": "<32 hex>", "indexed_path": "payments/ledger.py",
                   "indexed_lines": [46, 55], "path": "src/app.py", "line": 12}]}
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import xxhash

from leakguard.errors import ConfigError
from leakguard.result import Finding, ScanResult, blocks

BASELINE_VERSION = 1
DEFAULT_BASELINE = ".leakguard-baseline.json"


def finding_hash(finding: Finding, text: str) -> str:
    """Stable identity of a finding: indexed path plus the matched text without whitespace."""
    span = "".join(text[finding.start : finding.end].split())
    payload = finding.path.encode("utf-8") + b"\0" + span.encode("utf-8", "surrogatepass")
    return xxhash.xxh3_128_hexdigest(payload)


@dataclass(frozen=True)
class Accepted:
    """One accepted finding as stored in the baseline file."""

    hash: str
    indexed_path: str
    indexed_lines: tuple[int, int]
    path: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, object]:
        """The entry as written to the file."""
        entry: dict[str, object] = {
            "hash": self.hash,
            "indexed_path": self.indexed_path,
            "indexed_lines": list(self.indexed_lines),
        }
        if self.path is not None:
            entry["path"] = self.path
        if self.line is not None:
            entry["line"] = self.line
        return entry


@dataclass(frozen=True)
class Baseline:
    """A set of accepted findings (immutable; safe to share between threads)."""

    entries: tuple[Accepted, ...] = ()

    @cached_property
    def hashes(self) -> frozenset[str]:
        """Hashes of every accepted finding (computed once)."""
        return frozenset(entry.hash for entry in self.entries)

    def accepts(self, finding: Finding, text: str) -> bool:
        """True when this finding, in this text, was accepted."""
        return bool(self.entries) and finding_hash(finding, text) in self.hashes

    def filter(self, result: ScanResult) -> ScanResult:
        """The result without accepted findings; the verdict and score follow what is left.

        Needs the scanned text (a streamed result that did not keep it is returned as is).
        """
        if not self.entries or not result.findings or not result.text:
            return result
        hashes = self.hashes
        kept = [f for f in result.findings if finding_hash(f, result.text) not in hashes]
        if len(kept) == len(result.findings):
            return result
        return replace(result, findings=kept, is_leak=blocks(kept), score=max((f.score for f in kept), default=0.0))

    def merged(self, new: Iterable[Accepted]) -> Baseline:
        """This baseline plus ``new`` entries (an entry already present is kept once)."""
        by_hash = {entry.hash: entry for entry in self.entries}
        for entry in new:
            by_hash.setdefault(entry.hash, entry)
        ordered = sorted(by_hash.values(), key=lambda e: (e.path or "", e.line or 0, e.indexed_path, e.hash))
        return Baseline(tuple(ordered))


def accepted(finding: Finding, text: str, path: str | None = None, line: int | None = None) -> Accepted:
    """The baseline entry that accepts ``finding`` found in ``text``."""
    return Accepted(finding_hash(finding, text), finding.path, (finding.start_line, finding.end_line), path, line)


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file; a missing file is an empty baseline, a malformed one a ConfigError."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Baseline()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise ConfigError(f"{path}: not a leakguard baseline of version {BASELINE_VERSION}")
    entries: list[Accepted] = []
    for number, item in enumerate(data.get("findings", []), 1):
        try:
            start, end = item["indexed_lines"]
            entries.append(
                Accepted(
                    str(item["hash"]),
                    str(item["indexed_path"]),
                    (int(start), int(end)),
                    None if item.get("path") is None else str(item["path"]),
                    None if item.get("line") is None else int(item["line"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: baseline entry {number} is malformed ({exc!r})") from exc
    return Baseline(tuple(entries))


def save_baseline(baseline: Baseline, path: str | Path) -> Path:
    """Write the baseline atomically (a reader never sees half a file)."""
    path = Path(path)
    body = {"version": BASELINE_VERSION, "findings": [entry.to_json() for entry in baseline.entries]}
    text = json.dumps(body, indent=2, sort_keys=True) + "\n"
    import tempfile  # only writers need it; it costs a cold scan a few milliseconds to import

    handle, temporary = tempfile.mkstemp(prefix=".leakguard-baseline.", dir=path.parent or Path.cwd())
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # committed and read by every developer, like any source file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
