"""``leakguard explain``: a finding next to where it came from, for a person reviewing an alert.

For each finding: the scanned lines with the matched span highlighted, and beside them
the indexed file and line range. The index holds no source text, so the source column
shows code only when the reviewer points ``--source-root`` at a checkout of the indexed
repository; otherwise it names the file and lines to look up.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leakguard.result import Finding, ScanResult

MAX_LINES = 60


def _scanned_lines(result: ScanResult, finding: Finding) -> Text:
    text = result.text
    first = text.rfind("\n", 0, finding.start) + 1
    last = text.find("\n", max(finding.start, finding.end - 1))
    last = len(text) if last < 0 else last
    body = Text(text[first:last])
    body.stylize("bold red", finding.start - first, finding.end - first)
    return _clip(body, finding.text_start_line)


def _clip(body: Text, first_number: int) -> Text:
    lines = body.split("\n")
    out = Text()
    for number, line in enumerate(lines[:MAX_LINES], first_number):
        out.append(f"{number:>5} ", style="dim")
        out.append_text(line)
        out.append("\n")
    if len(lines) > MAX_LINES:
        out.append(f"      ... {len(lines) - MAX_LINES} more lines\n", style="dim")
    return out


def _source_lines(finding: Finding, source_root: Path | None) -> Text:
    if source_root is None:
        return Text(
            f"{finding.path} lines {finding.start_line}-{finding.end_line}\n"
            "(the index holds no source text: pass --source-root to show it)",
            style="dim",
        )
    path = source_root / finding.path
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return Text(f"{path}: {exc.strerror or exc}", style="yellow")
    chosen = "\n".join(lines[finding.start_line - 1 : finding.end_line])
    return _clip(Text(chosen, style="cyan"), finding.start_line)


def render_explain(
    result: ScanResult, source: str, stream: IO[str], source_root: Path | None = None, color: bool | None = None
) -> None:
    """Write each finding side by side with its indexed source (or where to find it)."""
    console = Console(file=stream, highlight=False, force_terminal=color, no_color=color is False, width=200)
    if not result.is_leak:
        console.print(f"clean {source}: nothing to explain (score {result.score:.2f})")
        return
    for number, finding in enumerate(result.findings, 1):
        table = Table(
            title=f"{number}. score {finding.score:.2f}, {finding.matched_tokens} tokens "
            f"({finding.exact_tokens} with identical names)",
            expand=True,
        )
        table.add_column(f"{source} lines {finding.text_start_line}-{finding.text_end_line}", ratio=1)
        table.add_column(f"{finding.path} lines {finding.start_line}-{finding.end_line}", ratio=1)
        left = _scanned_lines(result, finding) if result.text else Text("(input streamed, not kept)", style="dim")
        table.add_row(left, _source_lines(finding, source_root))
        console.print(table)
