"""Where a copy begins and ends: growing a finding line by line as far as the index vouches.

Hits only mark the k-grams the index kept (one in every ``w``), so the first and last few
tokens of a copy carry no hit. :func:`copy_bounds` claims them a whole line at a time,
comparing each scanned line's 16-bit hash with the indexed file's line hashes (see
``line_hash`` in ``fingerprints/FORMAT.md``), so redaction removes the whole copy and
nothing around it. A copy never ends part-way through a line of code: the rest of its
first and last lines is claimed too when it is shorter than a k-gram (a ``def`` or
``pub fn name(`` before the first hit), so a redacted copy keeps no token of the lines
it spans; a longer rest is other text on the same physical line (a log record holding
the code as an escaped string), and stays.

The line hashes and the walks are the native engine's (``native/engine/src/span.rs``);
the Python implementation it replaced is kept in ``tests/reference_span.py``, the oracle
of a differential test.
"""

from __future__ import annotations

from leakguard import _core
from leakguard.arrays import codepoints
from leakguard.index.store import Index
from leakguard.match import Chain
from leakguard.normalise.alphabet import ID, Alphabet
from leakguard.normalise.lexer import TokenStream


class LineTable:
    """Per-line views of a token stream (first and last token of each line, line hashes,
    lines that read like the end of a sentence), made once for a scan's findings."""

    def __init__(self, text: str, tokens: TokenStream, alphabet: Alphabet) -> None:
        self.native = _core.Lines(
            tokens.abstract,
            tokens.line,
            tokens.start,
            codepoints(text),
            alphabet.symbol(ID),
            alphabet.symbol(","),
            alphabet.char_symbols("!?.:").tolist(),
        )


def copy_bounds(index: Index, chain: Chain, tokens: TokenStream, lines: LineTable) -> tuple[int, int, int, int]:
    """Token span and indexed line range of a copy, grown line by line past the outer hits.

    The index keeps one k-gram in every ``w``, so a copy may begin some tokens before its
    first hit and end some after its last k-gram. Those tokens are claimed a whole line at
    a time, and only while each scanned line's hash equals the hash of the indexed line it
    stands for (lines without code are stepped over on both sides): the span grows exactly
    as far as the index vouches for, never into prose or log lines around the code.
    Returns (first token, last token, first indexed line, last indexed line).
    """
    return lines.native.copy_bounds(
        index.line_hashes(chain.file),
        chain.positions[0],
        chain.positions[-1],
        chain.first_line,
        chain.max_line,
        index.params.k,
        index.params.window,
    )
