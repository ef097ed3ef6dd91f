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
        parts: list[str] = []
        original: list[int] = []
        position = 0
        for match in pattern.finditer(text):
            replacement = replace(match)
            if replacement != match.group():
                begin, finish = match.span()
                parts += (text[position:begin], replacement)
                original += (begin - position, finish - begin)
                position = finish
        if not parts:
            return None
        parts.append(text[position:])
        original.append(len(text) - position)
        moving = np.zeros(len(parts), dtype=bool)
        moving[0::2] = True  # the text between the matches
        return self._spliced(parts, np.array(original, dtype=np.int64), moving)

    def _spliced(self, parts: list[str], original: I64, moving: npt.NDArray[np.bool_]) -> View:
        """The view of ``"".join(parts)``, where ``parts[i]`` stands for the next
        ``original[i]`` characters of this view: a *moving* part (text kept as it was) maps
        character by character, any other (a replacement) maps each of its characters to
        the whole stretch it replaced. The maps are built in one go, not part by part."""
        begins = np.cumsum(original) - original
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        first_end = np.where(moving, begins + 1, np.maximum(begins + original, begins + 1))
        offset = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        moved = np.where(np.repeat(moving, lengths), offset, 0)
        return self.compose("".join(parts), np.repeat(begins, lengths) + moved, np.repeat(first_end, lengths) + moved)

    def select(self, ranges: list[tuple[int, int]]) -> View:
        """A view of only the given sorted, disjoint ranges, each ended by a line break.

        Used to decode a few lines of a long text (one JSON record in a log) without
        scanning the rest twice. Each added line break maps to the end of its range.
        """
        if not ranges:
            return self.compose("", np.empty(0, np.int64), np.empty(0, np.int64))
        bounds = np.array(ranges, dtype=np.int64)
        begins, finishes = bounds[:, 0], bounds[:, 1]
        lengths = finishes - begins + 1  # each range and its line break
        breaks = np.cumsum(lengths) - 1
        # Offsets in the view plus, per range, how far its text moved: few arrays, as the
        # view of one long line is the whole text.
        starts = np.arange(int(breaks[-1]) + 1, dtype=np.int64)
        moved = begins - (breaks + 1 - lengths)
        starts += moved[0] if moved.shape[0] == 1 else np.repeat(moved, lengths)
        ends = starts + 1
        ends[breaks] = np.maximum(finishes, begins + 1)
        np.minimum(starts, max(0, len(self.text) - 1), out=starts)
        text = "\n".join(self.text[begin:finish] for begin, finish in ranges) + "\n"
        return self.compose(text, starts, ends)

    def around_changes(self, original: str, context_lines: int) -> View:
        """Only the lines of this view that differ from ``original`` (the text it was
        decoded from), with ``context_lines`` lines on either side.

        Elsewhere the view reads like the original, whose own scan finds the same code: a
        long prompt with one curly quote need not be scanned twice. The view itself is
        returned when the changed lines and their context make most of it.
        """
        if self.starts is None or self.ends is None or "\n" not in self.text:
            return self  # one line: any change selects all of it
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

    def delete(self, ranges: list[tuple[int, int]] | I64) -> View | None:
        """A new view without the given sorted, disjoint ``[start, end)`` ranges (pairs,
        or an array of shape ``(n, 2)``)."""
        if len(ranges) == 0:
            return None
        bounds = np.array(ranges, dtype=np.int64)
        # What is kept: from the end of the text deleted before (overlaps merged) to the
        # start of the next range deleted, and after the last one.
        reach = np.maximum.accumulate(bounds[:, 1])
        kept_from = np.concatenate(([0], reach))
        kept_to = np.concatenate((bounds[:, 0], [len(self.text)]))
        lengths = np.maximum(kept_to - kept_from, 0)
        starts = np.arange(int(lengths.sum()), dtype=np.int64)
        starts += np.repeat(kept_from - (np.cumsum(lengths) - lengths), lengths)
        text = "".join(self.text[a:b] for a, b in zip(kept_from.tolist(), kept_to.tolist(), strict=True) if b > a)
        return self.compose(text, starts, starts + 1)

    def decoded(self, found: tuple[npt.NDArray[np.uint32], I64, I64] | None) -> View | None:
        """The view of what one of the engine's decoders made of this view's text: its code
        points and each one's range ``[starts[i], ends[i])`` in this view (None: unchanged)."""
        if found is None:
            return None
        cps, starts, ends = found
        return self.compose(cps.tobytes().decode("utf-32-le", "surrogatepass"), starts, ends)

    def compose(self, text: str, starts: I64, ends: I64) -> View:
        """A view of ``text`` whose characters came from this view's ``[starts[i], ends[i])``."""
        if self.starts is None or self.ends is None:
            return View(text, starts, ends)
        if starts.size == 0:
            return View(text, starts, ends)
        return View(text, self.starts[starts], self.ends[ends - 1])
