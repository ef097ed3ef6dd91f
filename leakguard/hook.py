"""The pre-commit hook: scan what a commit adds, name the file and line, and the indexed source.

Only the lines the commit adds count (``git diff --cached``), like detect-secrets' hook:
a developer is not blamed for code that was already there. The added lines of each file
are scanned as one text, and every finding is mapped back to the file's own line numbers.
A line holding the marker ``leakguard: allow`` (in a comment) accepts any finding that
touches it, and a baseline file (:mod:`leakguard.baseline`) accepts reviewed findings by
hash; ``leakguard baseline --staged`` records what this hook would report.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from leakguard.api import Scanner
from leakguard.baseline import Accepted, finding_hash
from leakguard.errors import InputError
from leakguard.result import Finding

ALLOW_MARKER = "leakguard: allow"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Added:
    """The lines one commit adds to one file: their text and their line numbers."""

    path: str
    lines: tuple[str, ...]
    numbers: tuple[int, ...]


@dataclass(frozen=True)
class StagedFinding:
    """A finding in a staged file: where in the file, and what it matches."""

    path: str
    start_line: int
    end_line: int
    finding: Finding
    hash: str

    def accepted(self) -> Accepted:
        """The baseline entry that accepts this finding."""
        source = self.finding
        return Accepted(self.hash, source.path, (source.start_line, source.end_line), self.path, self.start_line)


def parse_diff(diff: str) -> list[Added]:
    """Added lines per file from ``git diff --unified=0`` output."""
    files: list[Added] = []
    path: str | None = None
    lines: list[str] = []
    numbers: list[int] = []
    number = 0

    def flush() -> None:
        """Record the file being read, if it added any line."""
        if path is not None and lines:
            files.append(Added(path, tuple(lines), tuple(numbers)))

    for line in diff.splitlines():
        if line.startswith("+++ "):
            flush()
            target = line[4:]
            path = None if target == "/dev/null" else target[2:] if target.startswith("b/") else target
            lines, numbers = [], []
        elif line.startswith("@@"):
            match = _HUNK.match(line)
            number = int(match.group(1)) if match else 0
        elif line.startswith("+") and path is not None:
            lines.append(line[1:])
            numbers.append(number)
            number += 1
    flush()
    return files


def staged_additions(repo: Path) -> list[Added]:
    """Lines added by the staged changes of the git repository at ``repo``."""
    try:
        diff = subprocess.run(
            ["git", "diff", "--cached", "--unified=0", "--no-color", "--no-ext-diff", "--diff-filter=ACMR"],
            cwd=repo,
            capture_output=True,
            check=True,
            text=True,
            encoding="utf-8",
            errors="replace",
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise InputError(f"cannot read the staged changes of {repo}: {exc}") from exc
    return parse_diff(diff)


def scan_added(scanner: Scanner, added: list[Added]) -> list[StagedFinding]:
    """Scan each file's added lines; findings touching an allow marker, or in the
    scanner's baseline, are dropped."""
    out: list[StagedFinding] = []
    for entry in added:
        text = "\n".join(entry.lines) + "\n"
        result = scanner.scan(text)
        for finding in result.findings:
            first, last = finding.text_start_line - 1, finding.text_end_line - 1
            if any(ALLOW_MARKER in line for line in entry.lines[first : last + 1]):
                continue
            hashed = finding_hash(finding, text)
            out.append(StagedFinding(entry.path, entry.numbers[first], entry.numbers[last], finding, hashed))
    return out
