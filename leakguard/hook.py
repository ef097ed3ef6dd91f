"""The pre-commit hook: scan what a commit adds, name the file and line, and the indexed source.

In a commit, only the lines it adds count (``git diff --cached``), like detect-secrets'
hook: a developer is not blamed for code that was already there. The added lines of each
file are scanned as one text, and every finding is mapped back to the file's own line
numbers. A file the framework names that has no staged change is scanned whole
(:func:`scan_files`): that is ``pre-commit run --all-files`` or ``--files`` in CI, which
checks what is committed. A line holding the marker ``leakguard: allow`` (in a comment)
accepts any finding that touches it, and a baseline file (:mod:`leakguard.baseline`)
accepts reviewed findings by hash; ``leakguard baseline --staged`` records what this hook
would report.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from leakguard.api import Scanner
from leakguard.baseline import Accepted, finding_hash
from leakguard.errors import InputError
from leakguard.result import Finding, ScanResult

ALLOW_MARKER = "leakguard: allow"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class NotARepository(InputError):
    """The hook was run outside a git repository, where there are no staged changes."""


@dataclass(frozen=True)
class Added:
    """The lines one commit adds to one file: their text and their line numbers (none when
    the commit only removes lines)."""

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
        """Record the file being read (unless the diff deletes it)."""
        if path is not None:
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
    """Lines added by the staged changes of the git repository at ``repo``, per staged file.

    Raises NotARepository outside a git repository, InputError when git cannot be run.
    """
    command = ["git", "diff", "--cached", "--unified=0", "--no-color", "--no-ext-diff", "--diff-filter=ACMR"]
    try:
        done = subprocess.run(command, cwd=repo, capture_output=True, text=True, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot run git to read the staged changes: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        # Outside a repository `git diff` acts as `diff --no-index` and rejects --cached with
        # its usage text; ask git plainly whether this is a repository.
        probe = subprocess.run(["git", "rev-parse", "--git-dir"], cwd=repo, capture_output=True, text=True)
        if probe.returncode != 0:
            raise NotARepository(
                f"{repo}: not a git repository (the hook scans a commit's staged changes; "
                "use 'leakguard scan' for other files)"
            )
        reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit status {done.returncode}"
        raise InputError(f"cannot read the staged changes of {repo}: git diff: {reason}")
    return parse_diff(done.stdout)


def scan_added(scanner: Scanner, added: list[Added]) -> list[StagedFinding]:
    """Scan each file's added lines; findings touching an allow marker, or in the
    scanner's baseline, are dropped."""
    out: list[StagedFinding] = []
    for entry in added:
        if entry.lines:
            text = "\n".join(entry.lines) + "\n"
            out += _reported(entry.path, scanner.scan(text), text, entry.lines, entry.numbers)
    return out


def scan_files(scanner: Scanner, paths: list[str]) -> list[StagedFinding]:
    """Scan each file whole (what is committed, for ``pre-commit run --all-files``), with the
    same allow marker and baseline as staged lines. Files with nothing to scan (binary,
    empty, gone) are passed over: the framework hands the hook every file it matches."""
    from leakguard.inputs import looks_binary

    out: list[StagedFinding] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue  # deleted, or a directory: nothing committed there to scan
        if not data or looks_binary(data):
            continue
        text = data.decode("utf-8", errors="replace")  # as the index side reads source files
        lines = tuple(text.split("\n"))
        out += _reported(Path(path).as_posix(), scanner.scan(text), text, lines, tuple(range(1, len(lines) + 1)))
    return out


def _reported(
    path: str, result: ScanResult, text: str, lines: tuple[str, ...], numbers: tuple[int, ...]
) -> list[StagedFinding]:
    """The findings of ``result`` not accepted by an allow marker, at the file's line ``numbers``."""
    out: list[StagedFinding] = []
    for finding in result.findings:
        first, last = finding.text_start_line - 1, finding.text_end_line - 1
        if any(ALLOW_MARKER in line for line in lines[first : last + 1]):
            continue
        out.append(StagedFinding(path, numbers[first], numbers[last], finding, finding_hash(finding, text)))
    return out
