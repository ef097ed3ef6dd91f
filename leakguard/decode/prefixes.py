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
from collections.abc import Iterator

import numpy as np

from leakguard import _core
from leakguard.arrays import codepoints
from leakguard.decode.view import View

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@", re.M)


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


def strip_line_prefixes(view: View) -> View | None:
    """Remove line numbers (runs of consecutive numbers) and quote/REPL markers (runs).

    The engine reads the lines (``native/engine/src/prefixes.rs``: which prefixes, which
    runs); most texts hold no candidate line at all, which two patterns tell first.
    """
    candidates = _HINT_AFTER_BREAK.finditer(view.text)
    if next(candidates, None) is None or (not _HINT.match(view.text) and next(candidates, None) is None):
        return None  # fewer than two candidate lines: nothing to strip
    starts, ends = _core.prefix_cuts(codepoints(view.text))
    return view.delete(np.stack((starts, ends), axis=1))
