"""Output for people, drawn with rich: the verdict, then each finding with the matched
lines of the scanned text highlighted. The indexed source is never shown: the index does
not have it, only file names and line numbers.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leakguard.inputs import Outcome
from leakguard.result import ScanResult

_CONTEXT_LINES = 1
_MAX_SHOWN_LINES = 40


def render_text(
    result: ScanResult, source: str, stream: IO[str], color: bool | None = None, quiet: bool = False
) -> None:
    """Write a human-readable report of ``result`` for scanned input ``source``."""
    console = Console(file=stream, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False)
    if not result.is_leak:
        if not quiet:
            console.print(f"[green]clean[/green] {source}: no indexed code found (score {result.score:.2f})")
        return
    count = len(result.findings)
    console.print(
        f"[bold red]LEAK[/bold red] {source}: {count} finding{'s' if count != 1 else ''}, score {result.score:.2f}"
    )
    if quiet:
        return
    lines = result.text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    for number, finding in enumerate(result.findings, 1):
        console.print(
            f"\n[bold]{number}.[/bold] matches [cyan]{finding.path}[/cyan] lines "
            f"{finding.start_line}-{finding.end_line}  score {finding.score:.2f}  "
            f"({finding.matched_tokens} tokens, {finding.exact_tokens} with identical names)"
        )
        console.print(Text(f"   at lines {finding.text_start_line}-{finding.text_end_line} of {source}", style="dim"))
        if not lines:
            continue  # a streamed input too large to keep: the lines above say where to look
        first = _line_index(offsets, finding.start)
        last = _line_index(offsets, max(finding.start, finding.end - 1))
        shown_from = max(0, first - _CONTEXT_LINES)
        shown_to = min(len(lines) - 1, last + _CONTEXT_LINES, shown_from + _MAX_SHOWN_LINES)
        for index in range(shown_from, shown_to + 1):
            body = Text(lines[index].rstrip("\r\n"))
            a = max(finding.start, offsets[index]) - offsets[index]
            b = min(finding.end, offsets[index + 1]) - offsets[index]
            if a < b:
                body.stylize("bold red", a, b)
            marker = ">" if first <= index <= last else " "
            console.print(Text(f"  {marker}{index + 1:>5} | ", style="dim") + body)
        if shown_to < last:
            console.print(Text(f"         ... {last - shown_to} more matched lines", style="dim"))


def _line_index(offsets: list[int], offset: int) -> int:
    import bisect

    return max(0, bisect.bisect_right(offsets, offset) - 1)


def render_summary(outcomes: list[Outcome], stream: IO[str], color: bool | None = None, quiet: bool = False) -> None:
    """A table of many scanned sources (a log directory): one row per source that leaks.

    Clean sources are counted, not listed, so a directory of thousands of logs stays
    readable; ``quiet`` prints only the leaking sources, one line each, for scripts.
    """
    # Piped output keeps whole paths on one line (a terminal's table wraps to fit instead).
    width = None if stream.isatty() else 1000
    console = Console(
        file=stream, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False, width=width
    )
    leaks = [o for o in outcomes if o.result is not None and o.result.is_leak]
    skipped = [o for o in outcomes if o.result is None]
    if quiet:
        for outcome in leaks:
            assert outcome.result is not None
            count = len(outcome.result.findings)
            console.print(f"LEAK {outcome.source}: {count} finding{'s' if count != 1 else ''}")
        return
    if leaks:
        table = Table(show_edge=False, header_style="bold")
        table.add_column("source")
        table.add_column("findings", justify="right")
        table.add_column("score", justify="right")
        table.add_column("lines")
        table.add_column("matches indexed")
        for outcome in leaks:
            assert outcome.result is not None
            findings = outcome.result.findings
            first = findings[0]
            more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
            table.add_row(
                outcome.source,
                str(len(findings)),
                f"{outcome.result.score:.2f}",
                f"{first.text_start_line}-{first.text_end_line}",
                f"{first.path}:{first.start_line}-{first.end_line}{more}",
            )
        console.print(table)
    scanned = len(outcomes) - len(skipped)
    verdict = "[bold red]LEAK[/bold red]" if leaks else "[green]clean[/green]"
    note = f", {len(skipped)} skipped (binary)" if skipped else ""
    console.print(f"{verdict}: {len(leaks)} of {scanned} sources contain indexed code{note}")
