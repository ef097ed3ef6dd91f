"""Unicode tricks: zero-width and bidi controls, compatibility forms, look-alike letters.

Someone dodging a filter pushes zero-width spaces between letters, swaps a Latin letter
for a Cyrillic look-alike or writes in full-width forms; a chat app turns quotes into curly
ones. This decoder undoes all of it: controls are removed, every non-ASCII character is
NFKC-normalised, and common confusables are folded to their ASCII look-alike.

``INVISIBLE`` and ``CONFUSABLES`` below are the data the engine's fold table is generated
from (with Python's NFKC, at its Unicode version); a test checks the table is up to date.
"""

from __future__ import annotations

import re

from leakguard import _core
from leakguard.arrays import codepoints
from leakguard.decode.view import View

INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

#: Confusables that NFKC leaves alone: Cyrillic and Greek letters that look Latin, and
#: typographic punctuation. A deliberately small, common set (Unicode's full
#: confusables table maps thousands of rare characters).
# Pairs of (look-alike, ASCII) written as escapes so no ambiguous letter sits in the source.
_LETTERS = (
    "\u0430a \u0435e \u043eo \u0440p \u0441c \u0443y \u0445x \u0456i \u0458j \u0455s \u0501d \u0261g "
    "\u04bbh \u04cfl \u051bq \u051dw \u03bdv \u03bfo \u03b1a \u03c1p \u0410A \u0412B \u0415E \u041aK "
    "\u041cM \u041dH \u041eO \u0420P \u0421C \u0422T \u0425X \u04aeY \u0399I \u039fO \u0391A \u0392B "
    "\u0395E \u0396Z \u0397H \u039aK \u039cM \u039dN \u03a1P \u03a4T \u03a7X \u03a5Y"
)
_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2032": "'",
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u2026": "...",
}
CONFUSABLES: dict[str, str] = {pair[0]: pair[1] for pair in "".join(_LETTERS).split()} | _PUNCTUATION


def decode_unicode(view: View) -> View | None:
    """Remove invisible controls and fold look-alikes; None when nothing changes.

    The work is the engine's (``native/engine/src/fold.rs``), from a table generated from
    ``INVISIBLE``, ``CONFUSABLES`` and NFKC (``native/engine/generate_unicode.py``).
    """
    if view.text.isascii():
        return None
    found = _core.fold_unicode(codepoints(view.text))
    if found is None:
        return None
    folded, source = found
    return view.compose(folded.tobytes().decode("utf-32-le", "surrogatepass"), source, source + 1)
