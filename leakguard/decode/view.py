"""A decoded view of scanned text, with an exact map back to the original characters.

Every character of a view knows the range of original characters it came from, so a
finding in decoded text (an unescaped JSON string, a diff without its ``+`` prefixes)
is reported at the characters the user actually sent, and redaction removes exactly
those.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from leakguard.arrays import codepoints

I64 = npt.NDArray[np.int64]


class Finder(Protocol):
    """What :meth:`View.substitute` needs of a pattern: its matches in a text, in order."""

    def finditer(self, string: str) -> Iterator[re.Match[str]]: ...


@dataclass(frozen=True)
class View:
    """Text to scan plus, per character, the original range ``[starts[i], ends[i])``.

    The original text itself is a view with no maps (``starts is None``).
    """

    text: str
    starts: I64 | None = None
    ends: I64 | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of the view's characters ``[start, end)`` (end > start)."""
        if self.starts is None or self.ends is None:
            return start, end
        return int(self.starts[start]), int(self.ends[end - 1])

    def substitute(self, pattern: Finder, replace: Callable[[re.Match[str]], str]) -> View | None:
        """A new view with each match of ``pattern`` replaced; None when nothing changed.

        Every character of a replacement maps to the whole original range of its match;
        characters outside matches keep their own range.
        """
        text = self.text
        pieces: list[str] = []
        local_starts: list[I64] = []
        local_ends: list[I64] = []
        position = 0
        for match in pattern.finditer(text):
            begin, finish = match.span()
            replacement = replace(match)
            if replacement == match.group():
                continue
            if begin > position:
                pieces.append(text[position:begin])
                local_starts.append(np.arange(position, begin, dtype=np.int64))
                local_ends.append(np.arange(position + 1, begin + 1, dtype=np.int64))
            if replacement:
                pieces.append(replacement)
                local_starts.append(np.full(len(replacement), begin, dtype=np.int64))
                local_ends.append(np.full(len(replacement), max(finish, begin + 1), dtype=np.int64))
            position = finish
        if not pieces and position == 0:
            return None
        if position < len(text):
            pieces.append(text[position:])
            local_starts.append(np.arange(position, len(text), dtype=np.int64))
            local_ends.append(np.arange(position + 1, len(text) + 1, dtype=np.int64))
        starts = np.concatenate(local_starts) if local_starts else np.empty(0, np.int64)
        ends = np.concatenate(local_ends) if local_ends else np.empty(0, np.int64)
        return self.compose("".join(pieces), starts, ends)

    def select(self, ranges: list[tuple[int, int]]) -> View:
        """A view of only the given sorted, disjoint ranges, each ended by a line break.

        Used to decode a few lines of a long text (one JSON record in a log) without
        scanning the rest twice. Each added line break maps to the end of its range.
        """
        pieces: list[str] = []
        local_starts: list[I64] = []
        local_ends: list[I64] = []
        for begin, finish in ranges:
            pieces.append(self.text[begin:finish] + "\n")
            local_starts.append(np.arange(begin, finish + 1, dtype=np.int64))
            local_ends.append(np.append(np.arange(begin + 1, finish + 1, dtype=np.int64), max(finish, begin + 1)))
        starts = (
            np.minimum(np.concatenate(local_starts), max(0, len(self.text) - 1))
            if local_starts
            else np.empty(0, np.int64)
        )
        ends = np.concatenate(local_ends) if local_ends else np.empty(0, np.int64)
        return self.compose("".join(pieces), starts, ends)

    def around_changes(self, original: str, context_lines: int) -> View:
        """Only the lines of this view that differ from ``original`` (the text it was
        decoded from), with ``context_lines`` lines on either side.

        Elsewhere the view reads like the original, whose own scan finds the same code: a
        long prompt with one curly quote need not be scanned twice. The view itself is
        returned when the changed lines and their context make most of it.
        """
        if self.starts is None or self.ends is None or not self.text:
            return self
        mine, theirs = codepoints(self.text), codepoints(original)
        starts, ends = self.starts, self.ends
        same = (ends - starts == 1) & (theirs[np.minimum(starts, theirs.shape[0] - 1)] == mine)
        contiguous = np.empty(mine.shape[0], dtype=bool)  # nothing deleted just before
        contiguous[0] = starts[0] == 0
        contiguous[1:] = starts[1:] == ends[:-1]
        changed = (~(same & contiguous)).nonzero()[0]
        if changed.size == 0:
            return self
        newlines = (mine == 10).nonzero()[0]
        line_starts = np.concatenate(([0], newlines + 1))
        line = np.searchsorted(newlines, changed)  # 0-based line of each changed character
        low = np.maximum(line - context_lines, 0)
        high = np.minimum(line + context_lines + 1, line_starts.shape[0])  # exclusive
        reach = np.maximum.accumulate(high)
        opens = np.ones(low.shape[0], dtype=bool)
        opens[1:] = low[1:] > reach[:-1]
        firsts = low[opens]
        lasts = reach[np.append(opens.nonzero()[0][1:] - 1, low.shape[0] - 1)]
        n = mine.shape[0]
        # Each range ends before its last line break: ``select`` adds one.
        ranges = [
            (int(line_starts[a]), int(line_starts[b]) - 1 if b < line_starts.shape[0] else n)
            for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True)
        ]
        if sum(b - a for a, b in ranges) > n * 3 // 4:
            return self
        return self.select(ranges)

    def delete(self, ranges: list[tuple[int, int]]) -> View | None:
        """A new view without the given sorted, disjoint ``[start, end)`` ranges."""
        if not ranges:
            return None
        pattern_free: list[str] = []
        local_starts: list[I64] = []
        position = 0
        for begin, finish in ranges:
            if begin > position:
                pattern_free.append(self.text[position:begin])
                local_starts.append(np.arange(position, begin, dtype=np.int64))
            position = max(position, finish)
        if position < len(self.text):
            pattern_free.append(self.text[position:])
            local_starts.append(np.arange(position, len(self.text), dtype=np.int64))
        starts = np.concatenate(local_starts) if local_starts else np.empty(0, np.int64)
        return self.compose("".join(pattern_free), starts, starts + 1)

    def compose(self, text: str, starts: I64, ends: I64) -> View:
        """A view of ``text`` whose characters came from this view's ``[starts[i], ends[i])``."""
        if self.starts is None or self.ends is None:
            return View(text, starts, ends)
        if starts.size == 0:
            return View(text, starts, ends)
        return View(text, self.starts[starts], self.ends[ends - 1])
