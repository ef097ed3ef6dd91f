"""The Python line walk the engine's ``span.rs`` replaced, and the numpy line hashes,
kept as the reference of a differential test (``tests/test_span.py``).

Where a copy begins and ends: growing a finding line by line as far as the index vouches.

Hits only mark the k-grams the index kept (one in every ``w``), so the first and last few
tokens of a copy carry no hit. :func:`copy_bounds` claims them a whole line at a time,
comparing each scanned line's 16-bit hash with the indexed file's line hashes (see
``line_hash`` in ``fingerprints/FORMAT.md``), so redaction removes the whole copy and
nothing around it. A copy never ends part-way through a line of code: the rest of its
first and last lines is claimed too when it is shorter than a k-gram (a ``def`` or
``pub fn name(`` before the first hit), so a redacted copy keeps no token of the lines
it spans; a longer rest is other text on the same physical line (a log record holding
the code as an escaped string), and stays.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from reference_numpy import fmix64

from leakguard.arrays import member
from leakguard.index.store import Index
from leakguard.match import Chain
from leakguard.normalise.alphabet import ID, Alphabet
from leakguard.normalise.lexer import TokenStream

_ALIGN_LINES = 12
_BASE = np.uint64(0x9E3779B97F4A7C15)
U64 = npt.NDArray[np.uint64]


def line_hashes(
    abstract: U64, line: npt.NDArray[np.int32], n_lines: int, skip: int | None = None
) -> npt.NDArray[np.uint16]:
    """16-bit hash of the abstract tokens on each line (index ``line - 1``); 0 for lines without tokens.

    Tokens whose value is ``skip`` do not count (the comma: whether a trailing comma is
    dropped depends on the next line, which a copy may not include).

    It lets the matcher extend a finding over whole lines that verifiably match the
    indexed file (see :func:`leakguard.scanner._copy_bounds`) while revealing nothing about
    the code: 16 bits of an abstracted line.
    """
    out = np.zeros(n_lines, dtype=np.uint16)
    if skip is not None:
        keep = abstract != np.uint64(skip)
        abstract, line = abstract[keep], line[keep]
    if abstract.shape[0] == 0:
        return out
    starts = np.concatenate(([True], line[1:] != line[:-1])).nonzero()[0]
    rank = np.arange(abstract.shape[0], dtype=np.uint64) - np.repeat(
        starts.astype(np.uint64), np.diff(np.append(starts, abstract.shape[0]))
    )
    with np.errstate(over="ignore"):
        mixed = fmix64(abstract ^ (rank * _BASE))
    sums = np.add.reduceat(mixed, starts)
    values = (fmix64(sums) >> np.uint64(48)).astype(np.uint16)
    values[values == 0] = 1
    out[line[starts] - 1] = values
    return out


class LineTable:
    """Per-line views of a token stream: first and last token of each line, and line hashes."""

    def __init__(self, text: str, tokens: TokenStream, alphabet: Alphabet) -> None:
        id_value = alphabet.symbol(ID)
        sentence_ends = alphabet.char_symbols("!?.:")
        n_lines = int(tokens.line[-1]) if len(tokens) else 0
        self.hash = line_hashes(tokens.abstract, tokens.line, n_lines, alphabet.symbol(","))
        lines = tokens.line.astype(np.int64)
        self.first = np.searchsorted(lines, np.arange(1, n_lines + 1), side="left")
        self.last = np.searchsorted(lines, np.arange(1, n_lines + 1), side="right") - 1
        # A line that reads like the end of a sentence ("thanks", "Thanks!", "Any ideas?")
        # matches some line of code by chance; a walk may pass through one but not end on it.
        # Prose starts at the left margin: an indented lone name is code (Ruby's `end`, the
        # last item of a list, a value returned by a block) and may end a walk.
        count = self.last - self.first + 1
        has = count > 0
        head = np.where(has, tokens.abstract[np.minimum(self.first, len(tokens) - 1)], np.uint64(0))
        second = np.where(count > 1, tokens.abstract[np.minimum(self.first + 1, len(tokens) - 1)], np.uint64(0))
        named = head == np.uint64(id_value)
        self.weak = named & ((count == 1) | ((count == 2) & member(second, sentence_ends)))
        for line in self.weak.nonzero()[0].tolist():
            start = int(tokens.start[self.first[line]])
            if start > 0 and text[start - 1] in " \t":
                self.weak[line] = False


def copy_bounds(index: Index, chain: Chain, tokens: TokenStream, lines: LineTable) -> tuple[int, int, int, int]:
    """Token span and indexed line range of a copy, grown line by line past the outer hits.

    The index keeps one k-gram in every ``w``, so a copy may begin some tokens before its
    first hit and end some after its last k-gram. Those tokens are claimed a whole line at
    a time, and only while each scanned line's hash equals the hash of the indexed line it
    stands for (lines without code are stepped over on both sides): the span grows exactly
    as far as the index vouches for, never into prose or log lines around the code. The
    indexed line an edge stands for is found by alignment near the outer hit, because
    repeated code can give the hit the posting of an identical line nearby.
    Returns (first token, last token, first indexed line, last indexed line).
    """
    k = index.params.k
    budget = 20 * (index.params.window + k)  # line hashes verify each step; this bounds coincidences
    source = index.line_hashes(chain.file)
    file_lines = source.shape[0]
    first = chain.positions[0]
    last = min(chain.positions[-1] + k - 1, len(tokens) - 1)
    start_line, end_line = chain.first_line, max(chain.max_line, chain.first_line)

    def source_hash(number: int) -> int:
        """Hash of an indexed line of this file; -1 outside it."""
        return int(source[number - 1]) if 1 <= number <= file_lines else -1

    def walk(scan_line: int, src_line: int, step: int) -> list[tuple[int, int]]:
        """Pairs (scanned line, indexed line) that match, from the given pair onwards."""
        pairs: list[tuple[int, int]] = []
        start_scan = scan_line
        n_scan = lines.hash.shape[0]
        while 1 <= scan_line <= n_scan and 1 <= src_line <= file_lines:
            if int(lines.hash[scan_line - 1]) != source_hash(src_line):
                break
            pairs.append((scan_line, src_line))
            scan_line += step
            while 1 <= scan_line <= n_scan and lines.hash[scan_line - 1] == 0:
                scan_line += step
            src_line += step
            while 1 <= src_line <= file_lines and source_hash(src_line) == 0:
                src_line += step
        while pairs and lines.weak[pairs[-1][0] - 1] and len(pairs) > 1:
            pairs.pop()
        if len(pairs) == 1 and lines.weak[pairs[0][0] - 1] and pairs[0][0] != start_scan:
            pairs.pop()
        return pairs

    def best_walk(scan_line: int, near: int, step: int) -> list[tuple[int, int]]:
        """The longest walk from the expected indexed line or, failing that, one nearby."""
        direct = walk(scan_line, near, step)
        if len(direct) >= 4:
            return direct  # four matching lines: the alignment is settled
        candidates = range(max(1, near - _ALIGN_LINES), min(file_lines, near + _ALIGN_LINES) + 1)
        others = [walk(scan_line, src, step) for src in candidates if src != near]
        return max([direct, *others], key=len)

    # Backward from the first hit's line.
    first_scan_line = int(tokens.line[first])
    pairs = best_walk(first_scan_line, start_line, -1)
    spent = 0
    for scan_line, src_line in pairs:
        spent += max(0, first - int(lines.first[scan_line - 1]))
        if spent > budget:
            break
        first, start_line = min(first, int(lines.first[scan_line - 1])), src_line
    if not pairs and int(tokens.line[first + k - 1]) > first_scan_line:
        # The first k-gram starts on a line that is not the indexed one: its tokens there
        # matched by structure alone (prose just before the code).
        first = int(lines.first[int(tokens.line[first + k - 1]) - 1])
    # Forward from the last k-gram's last line.
    last_scan_line = int(tokens.line[last])
    pairs = best_walk(last_scan_line, end_line, 1)
    spent = 0
    for scan_line, src_line in pairs:
        spent += max(0, int(lines.last[scan_line - 1]) - last)
        if spent > budget:
            break
        last, end_line = max(last, int(lines.last[scan_line - 1])), src_line
    if not pairs and int(tokens.line[chain.positions[-1]]) < last_scan_line:
        # The last k-gram ends on a line that is not the indexed one: trim its tail there
        # (an identifier just after the code matches any identifier).
        last = int(lines.last[last_scan_line - 2])
    first, last = _whole_lines(first, last, tokens, lines, k)
    return first, last, min(start_line, end_line), min(end_line, file_lines)


def _whole_lines(first: int, last: int, tokens: TokenStream, lines: LineTable, k: int) -> tuple[int, int]:
    """``first``/``last`` moved to the ends of their lines when fewer than ``k`` tokens lie beyond."""
    head = int(lines.first[int(tokens.line[first]) - 1])
    tail = int(lines.last[int(tokens.line[last]) - 1])
    return (head if first - head < k else first), (tail if tail - last < k else last)
