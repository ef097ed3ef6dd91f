"""The Python line-prefix cutter the engine's ``prefixes.rs`` replaced, kept as the
reference of a differential test (``tests/decode/test_prefixes.py``).

Line numbers (runs of consecutively numbered lines) and quote/REPL markers (runs of quoted
lines) at the head of each line, as character ranges to delete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_NUMBERED = re.compile(r"[ \t]*(\d{1,6})(?:[ \t]*[|:\u2502]|\.(?=[ \t])|(?=[ \t])|$)[ \t]?")
_QUOTED = re.compile(r">>> |\.\.\.(?: |$)|(?:>[ \t]?)+")
_MIN_RUN = 3


def _lines(text: str) -> Iterator[tuple[int, str]]:
    position = 0
    for line in text.splitlines(keepends=True):
        yield position, line
        position += len(line)


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


def cuts(text: str) -> list[tuple[int, int]]:
    """The ranges to delete from ``text``, every line visited (split as ``str.splitlines``)."""
    return prefix_cuts(_lines(text))
