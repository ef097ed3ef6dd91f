"""Binary-to-text encodings: code pasted as base64 or hex, to slip past a text filter.

``ZGVmIHNwbGl0X2ZlZShncm9zcywg...`` is code to anyone who decodes it, and a prompt can ask
the model to decode it. This decoder finds blocks of base64 (standard or URL-safe,
wrapped over lines or not, 48 characters at least, the first line 40) and of hex (64 digits at least), and
reads a block decoded when what it decodes to is UTF-8 text: printable, with spaces or
line breaks. Images, keys, hashes, JWT signatures and compressed data decode to bytes
that are not text, and are left alone. Every character of a decoded block maps to the
whole block, so a finding there redacts the block.

The patterns are linear (no nested quantifier can backtrack); a block is decoded at most
once. A block is limited to :data:`MAX_BLOCK` characters: past that it is read as it is.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from leakguard import _core
from leakguard.decode.view import View

#: Characters of the largest block decoded (a few hundred KB of code; larger is not a prompt).
MAX_BLOCK = 1 << 20
# Each starts only where its run starts (the look-behind) and takes the run whole: linear.
# A block's first line has 40 characters at least (encoders wrap at 64 or 76): shorter runs
# are names and paths, and a prompt has many.
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{40,}(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_-]{4,})*={0,2}")
_HEX = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64,}(?![0-9a-fA-F])")
_LETTER = re.compile(r"[A-Za-z]{3}")


def _readable(data: bytes) -> str | None:
    """``data`` as text when it is UTF-8 that reads as text (code, prose), else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text) < 24 or not (" " in text or "\n" in text) or not _LETTER.search(text):
        return None
    printable = sum(1 for char in text if char.isprintable() or char in "\n\t\r")
    return text if printable >= 0.97 * len(text) else None


def _from_base64(block: str) -> str:
    """The block decoded, when it is base64 of readable text; else the block as it is.

    A wrapped block's pattern may take in the first word of the line after it ("...==" is
    not needed at the end): when the whole does not decode, it is tried without its last line.
    """
    if len(block) > MAX_BLOCK:
        return block
    lines = block.split("\n")
    for used in (len(lines), len(lines) - 1) if len(lines) > 1 else (1,):
        text = _decode_base64("".join("".join(lines[:used]).split()))
        if text is not None:
            rest = lines[used:]
            return text + ("\n" + "\n".join(rest) if rest else "")
    return block


def _decode_base64(compact: str) -> str | None:
    if len(compact) < 48:
        return None
    if "-" in compact or "_" in compact:
        compact = compact.replace("-", "+").replace("_", "/")
    if not compact.endswith("="):
        compact += "=" * (-len(compact) % 4)
    try:
        return _readable(base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        return None


def _from_hex(block: str) -> str:
    if len(block) > MAX_BLOCK or len(block) % 2:
        return block
    text = _readable(bytes.fromhex(block))
    return text if text is not None else block


class _AtRuns:
    """Matches of a block pattern tried only where a long enough run starts (found natively)."""

    def __init__(self, pattern: re.Pattern[str], runs: list[tuple[int, int]], anchored: bool) -> None:
        self.pattern, self.runs, self.anchored = pattern, runs, anchored

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        past = 0
        for start, end in self.runs:
            if start < past:
                continue  # inside a block already matched (a wrapped block's later lines)
            if self.anchored:
                match = self.pattern.match(text, start)
                if match is not None:
                    past = match.end()
                    yield match
                continue
            while (match := self.pattern.search(text, max(start, past), end)) is not None:
                past = match.end()  # a run of letters and digits may hold several hex blocks
                yield match


def decode_encodings(view: View) -> View | None:
    """A view with readable base64 and hex blocks decoded; None when there is none."""
    if len(view.text) < 48:
        return None
    runs = _core.encoded_runs(view.text, 40)  # nearly every text has none: told at memory speed
    if not runs:
        return None
    decoded = view.substitute(_AtRuns(_BASE64, runs, True), lambda match: _from_base64(match.group()))
    current = decoded or view
    hex_runs = runs if decoded is None else _core.encoded_runs(current.text, 64)
    if hex_runs:
        decoded = current.substitute(_AtRuns(_HEX, hex_runs, False), lambda match: _from_hex(match.group())) or decoded
    return decoded
