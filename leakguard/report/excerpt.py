"""Lines of the scanned text as a person sees them: a giant line is shown around the match.

A log of JSON records, minified JavaScript or a data URL can hold megabytes on one line.
Reports never print such a line whole: :func:`excerpt` keeps :data:`MAX_LINE_CHARS`
characters of it, placed so that the matched part starts near the left, and marks what
it cut with an ellipsis; the report says the match's columns, so the rest can be found.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from rich.text import Text

#: Characters of one line a report shows at most.
MAX_LINE_CHARS = 240
#: Of those, how many come before the match when the line is cut.
_LEAD = 40
_ELLIPSIS = "\u2026"


def excerpt(line: str, start: int, end: int, limit: int = MAX_LINE_CHARS, style: str = "bold red") -> Text:
    """``line`` with ``[start, end)`` styled, cut to ``limit`` characters around ``start``.

    ``start``/``end`` are columns of ``line`` (0-based; an empty range marks nothing). A
    cut is shown as an ellipsis at that end.
    """
    limit = max(limit, 2 * _LEAD)
    if len(line) <= limit:
        shown = Text(line)
        if start < end:
            shown.stylize(style, start, end)
        return shown
    lo = max(0, min(start - _LEAD, len(line) - limit)) if start < end else 0
    hi = lo + limit
    shown = Text(_ELLIPSIS if lo else "", style="dim")
    body = Text(line[lo:hi])
    if start < end and start < hi and end > lo:
        body.stylize(style, max(start, lo) - lo, min(end, hi) - lo)
    shown.append_text(body)
    if hi < len(line):
        shown.append(_ELLIPSIS, style="dim")
    return shown


@dataclass(frozen=True)
class LineIndex:
    """Where each line of a text starts, to turn character offsets into lines and columns."""

    lines: list[str]
    offsets: list[int]

    @classmethod
    def of(cls, text: str) -> LineIndex:
        """The lines of ``text`` (ends kept: lines end at ``\\n``, as findings count them)."""
        parts = text.split("\n")
        lines = [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))
        return cls(lines, offsets)

    def line_of(self, offset: int) -> int:
        """0-based index of the line holding character ``offset``."""
        return max(0, min(len(self.lines) - 1, bisect.bisect_right(self.offsets, offset) - 1))

    def column(self, offset: int) -> int:
        """1-based column of character ``offset`` in its line."""
        return offset - self.offsets[self.line_of(offset)] + 1

    def marked(self, index: int, start: int, end: int, limit: int = MAX_LINE_CHARS) -> Text:
        """Line ``index`` (without its line break) with the part inside ``[start, end)`` styled."""
        base = self.offsets[index]
        line = self.lines[index].rstrip("\r\n")
        a = min(max(start - base, 0), len(line))
        b = min(max(end - base, 0), len(line))
        return excerpt(line, a, b, limit)
