"""``leakguard explain``: a finding next to where it came from, for a person reviewing an alert.

For each finding: the scanned lines with the matched span highlighted, and beside them
the indexed file and line range. The index holds no source text, so the source column
shows code only when the reviewer points ``--source-root`` at a checkout of the indexed
repository; otherwise it names the file and lines to look up. The checkout's file is
compared with the index's line hashes (:mod:`leakguard.index.checkout`), and the report
says when the lines shown are not the ones that were indexed.

The report fits the terminal (or ``COLUMNS``; 160 columns when written to a file or a
pipe), and a giant line is shown as an excerpt around the match.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leakguard.index.store import Index
from leakguard.report.excerpt import LineIndex, excerpt
from leakguard.result import Finding, ScanResult

if TYPE_CHECKING:  # the comparison needs tree-sitter: loaded only when a checkout is shown
    from leakguard.index.checkout import Drift

MAX_LINES = 60
#: Width of the report when it goes to a file or a pipe and ``COLUMNS`` is not set.
FILE_WIDTH = 160


def report_width(stream: IO[str]) -> int:
    """``COLUMNS`` when set, else the terminal's width, else :data:`FILE_WIDTH`."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if stream.isatty():
        return shutil.get_terminal_size((FILE_WIDTH, 24)).columns
    return FILE_WIDTH


def _scanned_lines(text: LineIndex, finding: Finding) -> Text:
    first = text.line_of(finding.start)
    last = text.line_of(max(finding.start, finding.end - 1))
    return _numbered(
        [text.marked(index, finding.start, finding.end) for index in range(first, min(last, first + MAX_LINES) + 1)],
        finding.text_start_line,
        last - first + 1,
    )


def _numbered(lines: list[Text], first_number: int, total: int) -> Text:
    out = Text()
    for number, line in enumerate(lines, first_number):
        out.append(f"{number:>5} ", style="dim")
        out.append_text(line)
        out.append("\n")
    if total > len(lines):
        out.append(f"      ... {total - len(lines)} more lines\n", style="dim")
    return out


def _source_lines(finding: Finding, source_root: Path | None, drifts: _Drifts | None, readable: str) -> Text:
    if source_root is None:
        return Text(
            f"{readable} lines {finding.start_line}-{finding.end_line}\n"
            "(the index holds no source text: pass --source-root to show it)",
            style="dim",
        )
    path = source_root / readable
    try:
        content = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return Text(f"{path}: {exc.strerror or exc}", style="yellow")
    lines = content.split("\n")
    chosen = lines[finding.start_line - 1 : finding.end_line]
    shown = [excerpt(line, 0, 0) for line in chosen[:MAX_LINES]]
    for line in shown:
        line.stylize("cyan")
    out = _numbered(shown, finding.start_line, len(chosen))
    note = _drift_note(drifts.of(finding.path, content), finding) if drifts is not None else None
    return Text.assemble(note, "\n", out) if note is not None else out


class _Drifts:
    """Each checkout file compared with the index once, however many findings name it."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._seen: dict[str, Drift | None] = {}

    def of(self, path: str, content: str) -> Drift | None:
        from leakguard.index.checkout import drift

        if path not in self._seen:
            self._seen[path] = drift(self._index, path, content)
        return self._seen[path]


def _drift_note(found: Drift | None, finding: Finding) -> Text | None:
    """A warning when the checkout's file is not the one that was indexed."""
    if found is None or found.unchanged:
        return None
    changed = found.within(finding.start_line, finding.end_line)
    if changed:
        shown = ", ".join(str(n) for n in changed[:8]) + (", ..." if len(changed) > 8 else "")
        return Text(
            f"warning: {finding.path} changed since it was indexed ({len(changed)} of these lines differ: "
            f"{shown}); the code shown may not be what matched",
            style="bold yellow",
        )
    return Text(f"({finding.path} changed since it was indexed, elsewhere: these lines are as indexed)", style="dim")


def render_explain(
    result: ScanResult,
    source: str,
    stream: IO[str],
    source_root: Path | None = None,
    color: bool | None = None,
    index: Index | None = None,
    paths: Mapping[str, str] | None = None,
) -> None:
    """Write each finding side by side with its indexed source (or where to find it).

    With ``index`` (the one scanned against) and ``source_root``, each source file shown is
    checked against the index's line hashes. ``paths`` gives the readable path of hashed
    file names (see :mod:`leakguard.index.pathnames`).
    """
    paths = paths or {}
    width = report_width(stream)
    console = Console(file=stream, highlight=False, force_terminal=color, no_color=color is False, width=width)
    if not result.is_leak:
        console.print(f"clean {source}: nothing to explain (score {result.score:.2f})")
        return
    text = LineIndex.of(result.text)
    drifts = _Drifts(index) if index is not None and source_root is not None else None
    for number, finding in enumerate(result.findings, 1):
        table = Table(
            title=f"{number}. score {finding.score:.2f}, {finding.matched_tokens} tokens "
            f"({finding.exact_tokens} with identical names)",
            expand=True,
        )
        table.add_column(f"{source} lines {finding.text_start_line}-{finding.text_end_line}", ratio=1)
        readable = paths.get(finding.path, finding.path)
        table.add_column(f"{readable} lines {finding.start_line}-{finding.end_line}", ratio=1)
        left = _scanned_lines(text, finding) if text.lines else Text("(input streamed, not kept)", style="dim")
        table.add_row(left, _source_lines(finding, source_root, drifts, readable))
        console.print(table)
        console.print(Text(f"why: {finding.why}", style="dim"))
