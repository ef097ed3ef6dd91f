"""Seeing through the wrappings code hides in: Unicode tricks, HTML, string escapes, base64 and
hex, line prefixes.

:func:`views` returns the text itself plus, when any wrapping is recognised, decoded views
of it. Each decoded view maps every character back to the original text, so findings and
redactions land on the characters the user sent. Recognising costs a few regular
expression scans; text with nothing to decode yields just itself. A decoded view keeps
only the lines around what decoding changed: the rest reads as the original does.
"""

from __future__ import annotations

from leakguard.decode.encodings import decode_encodings
from leakguard.decode.escapes import decode_escapes
from leakguard.decode.markup import decode_markup
from leakguard.decode.prefixes import diff_sides, strip_line_prefixes
from leakguard.decode.unicode import decode_unicode
from leakguard.decode.view import View

__all__ = ["View", "views"]

#: A decoded view is scanned only this many lines around what decoding changed (see
#: :meth:`View.around_changes`): a copy running on beyond that is the original's to find.
CONTEXT_LINES = 40


def views(text: str) -> list[View]:
    """The original text and its decoded views (at most three in all)."""
    original = View(text)
    current = original
    for stage in (decode_unicode, decode_markup, decode_escapes, decode_encodings):
        decoded = stage(current)
        if decoded is not None:
            current = decoded
    sides = diff_sides(current)
    if sides:
        candidates = sides
    else:
        stripped = strip_line_prefixes(current)
        candidates = [stripped if stripped is not None else current]
    return [original] + [view.around_changes(text, CONTEXT_LINES) for view in candidates if view is not original]
