"""The regular-expression Unicode decoder the engine's ``fold.rs`` replaced, kept as the
reference of a differential test (``tests/decode/test_unicode.py``).

Unicode tricks: zero-width and bidi controls, compatibility forms, look-alike letters.

Someone dodging a filter pushes zero-width spaces between letters, swaps a Latin letter
for a Cyrillic look-alike or writes in full-width forms; a chat app turns quotes into curly
ones. This decoder undoes all of it: controls are removed, every non-ASCII character is
NFKC-normalised, and common confusables are folded to their ASCII look-alike.
"""

from __future__ import annotations

import re
import unicodedata

from leakguard.decode.unicode import CONFUSABLES, INVISIBLE
from leakguard.decode.view import View

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold(match: re.Match[str]) -> str:
    char = match.group()
    folded = CONFUSABLES.get(char)
    if folded is not None:
        return folded
    normal = unicodedata.normalize("NFKC", char)
    return "".join(CONFUSABLES.get(c, c) for c in normal)


def decode_unicode(view: View) -> View | None:
    """Remove invisible controls and fold look-alikes; None for pure ASCII text."""
    if view.text.isascii():
        return None
    current = view
    visible = current.substitute(INVISIBLE, lambda m: "")
    if visible is not None:
        current = visible
    folded = current.substitute(_NON_ASCII, _fold)
    if folded is not None:
        current = folded
    return None if current is view else current
