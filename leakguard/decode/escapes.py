"""String escapes: code inside a JSON log record, a Python repr, a quoted shell argument.

``{"prompt": "def f(x):\\n    return x\\n"}`` holds code whose newlines and quotes are
escapes. This decoder turns ``\\n``, ``\\t``, ``\\r``, ``\\"``, ``\\'``, ``\\\\``, ``\\/``
and ``\\uXXXX`` (surrogate pairs included) back into characters, and runs a second time
when the text was escaped twice (JSON inside a JSON string). The decoding is the engine's
(``native/engine/src/escapes.rs``): escape-dense text has an escape every few characters.
"""

from __future__ import annotations

import re

from leakguard import _core
from leakguard.arrays import codepoints
from leakguard.decode.view import View

# What escaped code looks like: an escaped line break with more text after it, or an
# escaped tab. A "\n" closing an ordinary string literal in code ("...\n") is no hint.
_HINT = re.compile(r"\\n(?=[^\"'\\])|\\t")


def _unescape(view: View) -> View | None:
    return view.decoded(_core.unescape(codepoints(view.text)))


def _escaped_lines(text: str, positions: list[int]) -> list[tuple[int, int]]:
    """Line ranges holding at least three of the given escape positions."""
    lines: list[tuple[int, int]] = []
    index = 0
    while index < len(positions):
        start = text.rfind("\n", 0, positions[index]) + 1
        end = text.find("\n", positions[index])
        end = len(text) if end < 0 else end
        count = 0
        while index < len(positions) and positions[index] < end:
            count += 1
            index += 1
        if count >= 3:
            lines.append((start, end))
    return lines


def decode_escapes(view: View) -> View | None:
    """Unescape string escapes (twice if needed); None unless escapes are frequent.

    Code with a few ``"\\n"`` in its own string literals is left alone. Text with at least
    two escaped newlines or quotes per kilobyte is decoded whole; in a long text where they
    are rarer (a log with one JSON record holding a prompt), only the lines with at least
    three escapes are decoded, into a view of those lines alone.
    """
    text = view.text
    positions = [match.start() for match in _HINT.finditer(text)]
    hints = len(positions)
    if hints < 3:
        return None
    if hints * 1000 < 2 * len(text):
        lines = _escaped_lines(text, positions)
        if not lines:
            return None
        view = view.select(lines)
    once = _unescape(view)
    if once is None:
        return None
    twice = _unescape(once) if len(_HINT.findall(once.text)) >= 3 else None
    return twice or once
