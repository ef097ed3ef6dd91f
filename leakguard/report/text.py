"""Output for people, drawn with rich: the verdict, then each finding with the matched
lines of the scanned text highlighted. The indexed source is never shown: the index does
not have it, only file names and line numbers. A giant line (a JSON log record, minified
code) is shown as an excerpt around the match (:mod:`leakguard.report.excerpt`).
"""

from __future__ import annotations

from collections import Counter
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leakguard.inputs import SKIPPED, Outcome
from leakguard.report.excerpt import LineIndex
from leakguard.result import Finding, ScanResult

_CONTEXT_LINES = 1
_MAX_SHOWN_LINES = 40


def _console(stream: IO[str], color: bool | None, width: int | None = None) -> Console:
    return Console(
        file=stream, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False, width=width
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def render_text(result: ScanResult, source: str, stream: IO[str], color: bool | None = None) -> None:
    """Write a human-readable report of ``result`` for scanned input ``source``."""
    console = _console(stream, color)
    if not result.findings:
        console.print(f"[green]clean[/green] {source}: no indexed code found (score {result.score:.2f})")
        return
    verdict = "[bold red]LEAK[/bold red]" if result.is_leak else "[bold yellow]WARNING[/bold yellow]"
    console.print(f"{verdict} {source}: {_plural(len(result.findings), 'finding')}, score {result.score:.2f}")
    text = LineIndex.of(result.text)
    for number, finding in enumerate(result.findings, 1):
        console.print(
            f"\n[bold]{number}.[/bold] matches [cyan]{finding.path}[/cyan] lines "
            f"{finding.start_line}-{finding.end_line}  score {finding.score:.2f}  "
            f"({finding.matched_tokens} tokens, {finding.exact_tokens} with identical names)"
        )
        where = f"   at lines {finding.text_start_line}-{finding.text_end_line} of {source}"
        if text.lines:
            end_column = text.column(max(finding.start, finding.end - 1))
            where += f", columns {text.column(finding.start)}-{end_column}"
        console.print(Text(where, style="dim"))
        console.print(Text(f"   why: {finding.why}", style="dim"))
        if finding.labels:
            action = "warning only (warn_labels)" if finding.warn else "blocks"
            console.print(Text(f"   source labels: {', '.join(finding.labels)}; {action}", style="dim"))
        if text.lines:  # else a streamed input too large to keep: the line above says where to look
            _print_lines(console, text, finding)


def _print_lines(console: Console, text: LineIndex, finding: Finding) -> None:
    first = text.line_of(finding.start)
    last = text.line_of(max(finding.start, finding.end - 1))
    shown_from = max(0, first - _CONTEXT_LINES)
    shown_to = min(len(text.lines) - 1, last + _CONTEXT_LINES, shown_from + _MAX_SHOWN_LINES)
    for index in range(shown_from, shown_to + 1):
        marker = ">" if first <= index <= last else " "
        console.print(
            Text(f"  {marker}{index + 1:>5} | ", style="dim") + text.marked(index, finding.start, finding.end)
        )
    if shown_to < last:
        console.print(Text(f"         ... {last - shown_to} more matched lines", style="dim"))


def render_lines(outcomes: list[Outcome], stream: IO[str], errors: IO[str]) -> None:
    """One line per finding, for scripts and ``-q``: ``SOURCE:LINE: matches PATH lines A-B (score S)``.

    Nothing is written for clean or skipped sources; a source that could not be scanned
    gets a line on ``errors``.
    """
    for outcome in outcomes:
        if outcome.error is not None:
            errors.write(f"leakguard: error: {outcome.source}: {outcome.error}\n")
        for finding in outcome.result.findings if outcome.result is not None else ():
            stream.write(
                f"{outcome.source}:{finding.text_start_line}: matches {finding.path} lines "
                f"{finding.start_line}-{finding.end_line} (score {finding.score:.2f})\n"
            )


def render_summary(outcomes: list[Outcome], stream: IO[str], color: bool | None = None) -> None:
    """A table of many scanned sources (a log directory): one row per source that leaks.

    Clean sources are counted, not listed, so a directory of thousands of logs stays
    readable; skipped sources are counted by reason, and each one that could not be
    scanned is named with the reason.
    """
    # Piped output keeps whole paths on one line (a terminal's table wraps to fit instead).
    console = _console(stream, color, None if stream.isatty() else 1000)
    leaks = [o for o in outcomes if o.is_leak]
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
    failed = [o for o in outcomes if o.error is not None]
    for outcome in failed:
        console.print(Text(f"error {outcome.source}: {outcome.error}", style="yellow"))
    skipped = Counter(o.skipped for o in outcomes if o.status == SKIPPED)
    scanned = sum(1 for o in outcomes if o.result is not None)
    verdict = (
        "[bold red]LEAK[/bold red]" if leaks else "[yellow]incomplete[/yellow]" if failed else "[green]clean[/green]"
    )
    note = f", {sum(skipped.values())} skipped ({', '.join(sorted(str(r) for r in skipped))})" if skipped else ""
    note += f", {len(failed)} could not be scanned" if failed else ""
    console.print(f"{verdict}: {len(leaks)} of {scanned} sources contain indexed code{note}")
