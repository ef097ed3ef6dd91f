"""Line prefixes: unified diffs, numbered listings, quoted replies, REPL sessions.

A prefix at the start of every line (``+`` in a diff, ``  42 | `` from an editor,
``> `` in a reply, ``>>> `` in a Python session) puts a foreign token at the head of
each line and breaks every k-gram that crosses a line. These decoders find runs of such
lines and remove the prefixes (only the prefixes; the code keeps its offsets).

Unified diffs give two views: the new side (context and added lines) and, when lines were
removed, the old side (context and removed lines), so code leaving in either direction is
found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from leakguard.decode.view import View

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@", re.M)
_NUMBERED = re.compile(r"[ \t]*(\d{1,6})(?:[ \t]*[|:\u2502]|\.(?=[ \t])|(?=[ \t])|$)[ \t]?")
_QUOTED = re.compile(r">>> |\.\.\.(?: |$)|(?:>[ \t]?)+")
_MIN_RUN = 3


def _lines(text: str) -> Iterator[tuple[int, str]]:
    position = 0
    for line in text.splitlines(keepends=True):
        yield position, line
        position += len(line)


def diff_sides(view: View) -> list[View]:
    """New-side and old-side views of the unified-diff hunks in the text ([] if none)."""
    text = view.text
    # A substring test first: the anchored pattern alone tries every position of the text.
    if not (text.startswith("@@ -") or "\n@@ -" in text) or not _HUNK.search(text):
        return []
    new_side: list[tuple[int, int]] = []
    old_side: list[tuple[int, int]] = []
    removed_any = False
    in_hunk = False
    for start, line in _lines(view.text):
        if _HUNK.match(line):
            in_hunk = True
            continue
        first = line[:1]
        if not in_hunk or first not in ("+", "-", " ", "\\") or line.startswith(("+++ ", "--- ")):
            in_hunk = in_hunk and first in ("+", "-", " ", "\\")
            continue
        if first == "\\":  # "\ No newline at end of file"
            new_side.append((start, start + len(line)))
            old_side.append((start, start + len(line)))
        elif first == "+":
            new_side.append((start, start + 1))
            old_side.append((start, start + len(line)))
        elif first == "-":
            removed_any = True
            new_side.append((start, start + len(line)))
            old_side.append((start, start + 1))
        else:
            new_side.append((start, start + 1))
            old_side.append((start, start + 1))
    views = [v for v in (view.delete(new_side),) if v is not None]
    if removed_any:
        old = view.delete(old_side)
        if old is not None:
            views.append(old)
    return views


_HINT = re.compile(r"[ \t]*\d{1,6}[ \t|:.\u2502]|>|\.\.\.")
#: _HINT after a line break. Starting with a literal, it lets the engine skip from line
#: break to line break instead of trying the pattern at every character (as ``^`` does).
_HINT_AFTER_BREAK = re.compile(r"\n(?:[ \t]*\d{1,6}[ \t|:.\u2502]|>|\.\.\.)")


#: Where a line that may carry a number or a quote marker begins: its first non-blank
#: character is a digit, or it starts with ">" or "...". Other lines close the runs.
_CANDIDATE = re.compile(r"\n(?=[ \t]*\d|>|\.\.\.)")
_CANDIDATE_AT_START = re.compile(r"[ \t]*\d|>|\.\.\.")


def _candidate_lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines that may carry a prefix, each with its offset; the others are skipped.

    Most lines of a text carry none: finding the few that may with one pattern, which
    jumps from line break to line break, costs a tenth of a Python step per line.
    """
    if _CANDIDATE_AT_START.match(text):
        yield 0, text[: text.find("\n") + 1 or len(text)]
    for found in _CANDIDATE.finditer(text):
        start = found.end()
        yield start, text[start : text.find("\n", start) + 1 or len(text)]


def strip_line_prefixes(view: View) -> View | None:
    """Remove line numbers (runs of consecutive numbers) and quote/REPL markers (runs)."""
    candidates = _HINT_AFTER_BREAK.finditer(view.text)
    if next(candidates, None) is None or (not _HINT.match(view.text) and next(candidates, None) is None):
        return None  # fewer than two candidate lines: nothing to strip, and no line loop
    text = view.text
    # Where ``splitlines`` sees other line breaks than "\n" (a lone "\r", "\u2028", ...),
    # every line is visited; comparing line counts tells that faster than any pattern.
    only_newlines = len(text.splitlines()) == text.count("\n") + (not text.endswith("\n"))
    return view.delete(prefix_cuts(_candidate_lines(text) if only_newlines else _lines(text)))


def prefix_cuts(lines: Iterable[tuple[int, str]]) -> list[tuple[int, int]]:
    """Character ranges of the line numbers and quote markers to remove, in order.

    ``lines`` are (offset, line) pairs in order; a gap between one line's end and the
    next one's offset stands for lines that carry no prefix.
    """
    cuts: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []  # consecutive numbered lines
    quoted: list[tuple[int, int]] = []  # consecutive quoted lines
    previous = -2
    expected = 0  # where the line after the previous one starts
    for start, line in lines:
        if start != expected:  # lines were skipped: they carry no prefix and end both runs
            if len(run) >= _MIN_RUN:
                cuts += run
            if len(quoted) >= 2:
                cuts += quoted
            run, quoted, previous = [], [], -1
        expected = start + len(line)
        # Most lines are neither: test the first character before the patterns.
        match = _NUMBERED.match(line) if line.lstrip(" \t")[:1].isdigit() else None
        number = int(match.group(1)) if match else -1
        if match and number == previous + 1:
            run.append((start, start + match.end()))
        else:
            if len(run) >= _MIN_RUN:
                cuts += run
            run = [(start, start + match.end())] if match else []
        previous = number
        quote = _QUOTED.match(line) if line.startswith((">", "...")) else None
        if quote:
            quoted.append((start, start + quote.end()))
        else:
            if len(quoted) >= 2:
                cuts += quoted
            quoted = []
    if len(run) >= _MIN_RUN:
        cuts += run
    if len(quoted) >= 2:
        cuts += quoted
    cuts.sort()
    return cuts
