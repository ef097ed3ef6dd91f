"""Code to tokens with whole-array operations: no Python work per token.

The scan side must keep up with a gateway's traffic, so cutting code into tokens is done
on arrays of code points. Every character gets a class (word, digit, ``$``, space,
punctuation); token boundaries, kinds and word hashes then fall out of a few vector
operations, with the same result as these regular-expression rules (the reference kept
in ``tests/normalise/reference_lexer.py``):

* number: ``\\d(?:\\w|\\.(?=\\d)|(?<=[eE])[+-](?=\\d))*``
* word: ``(?:\\$|[^\\W\\d])[\\w$]*``
* punctuation: any other single non-space character.

Words are identified by a 64-bit polynomial hash over their code points, computed for
all words at once from prefix sums: with ``P`` odd it has an inverse modulo 2**64, so
``hash(text[a:b]) = P**(b-1) * (S[b] - S[a])`` where ``S`` is the prefix sum of
``(c + 1) * P**-j``. :func:`word_hash` is the same function for one Python string.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakguard.arrays import distinct_inverse
from leakguard.fingerprint.kgrams import fmix64

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_P = 0x9E3779B97F4A7C15
_P_INV = pow(_P, -1, 1 << 64)
_LENGTH = 0xD6E8FEB86659FD93
_MASK = (1 << 64) - 1

PUNCT, WORD, NUMBER = 0, 1, 2


def _fmix_int(value: int) -> int:
    value ^= value >> 33
    value = (value * 0xFF51AFD7ED558CCD) & _MASK
    value ^= value >> 33
    value = (value * 0xC4CEB9FE1A85EC53) & _MASK
    return value ^ (value >> 33)


def word_hash(word: str) -> int:
    """The 64-bit hash of one word, equal to what :func:`tokenise` computes for it."""
    value = 0
    for char in word:
        value = (value * _P + ord(char) + 1) & _MASK
    return _fmix_int((value + len(word) * _LENGTH) & _MASK)


class _Powers:
    """``P**i`` and ``P**-i`` for i below a bound that grows on demand (shared, read-only)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.up, self.down = self._make(1 << 12)

    @staticmethod
    def _make(size: int) -> tuple[U64, U64]:
        with np.errstate(over="ignore"):
            up = np.cumprod(np.full(size, _P, dtype=np.uint64), dtype=np.uint64)
            down = np.cumprod(np.full(size, _P_INV, dtype=np.uint64), dtype=np.uint64)
        one = np.ones(1, dtype=np.uint64)
        return np.concatenate((one, up[:-1])), np.concatenate((one, down[:-1]))

    def get(self, size: int) -> tuple[U64, U64]:
        """Powers up to at least ``size`` (the arrays may be longer)."""
        up, down = self.up, self.down
        if up.shape[0] >= size:
            return up, down
        with self._lock:
            if self.up.shape[0] < size:
                self.up, self.down = self._make(1 << max(12, (size - 1).bit_length()))
            return self.up, self.down


_POWERS = _Powers()

# Classes of the ASCII characters, by code point.
_ASCII = [chr(i) for i in range(128)]
_ASCII_WORD = np.array([bool(re.match(r"\w", c)) for c in _ASCII])
_ASCII_DIGIT = np.array([bool(re.match(r"\d", c)) for c in _ASCII])
_ASCII_SPACE = np.array([bool(re.match(r"\s", c)) for c in _ASCII])
#: What an ASCII character adds to a spelling's hash: its code point + 1, every quote as ``"``.
_ASCII_VALUES = np.array([(34 if c in "'`" else ord(c)) + 1 for c in _ASCII], dtype=np.uint64)


def codepoints(text: str) -> npt.NDArray[np.uint32]:
    """The code points of text as an array (one byte each when the text is ASCII)."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.uint32)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _class_table(flags: npt.NDArray[np.bool_]) -> bytes:
    """A ``bytes.translate`` table mapping each ASCII byte to 1 where ``flags`` holds, else 0."""
    return bytes(int(flag) for flag in flags) + bytes(128)


# The same classes as tables for ``bytes.translate``: an ASCII text is classed at C speed.
_WORD_BYTES, _DIGIT_BYTES, _SPACE_BYTES = (_class_table(t) for t in (_ASCII_WORD, _ASCII_DIGIT, _ASCII_SPACE))


def _classes(
    cps: npt.NDArray[np.uint32], text: str | None = None
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(is word char, is digit, is space) for every code point, with Python's ``re`` semantics.

    ``text``, when given, is the text ``cps`` came from (read-only arrays are returned then).
    """
    if text is not None and text.isascii():
        raw = text.encode("ascii")
        word, digit, space = (
            np.frombuffer(raw.translate(table), dtype=bool) for table in (_WORD_BYTES, _DIGIT_BYTES, _SPACE_BYTES)
        )
        return word, digit, space
    ascii_part = np.minimum(cps, 127)
    word = _ASCII_WORD[ascii_part]
    digit = _ASCII_DIGIT[ascii_part]
    space = _ASCII_SPACE[ascii_part]
    wide = cps > 127
    if wide.any():
        unique, inverse = distinct_inverse(cps[wide])
        chars = [chr(int(c)) for c in unique]
        word[wide] = np.array([bool(re.match(r"\w", c)) for c in chars])[inverse]
        digit[wide] = np.array([bool(re.match(r"\d", c)) for c in chars])[inverse]
        space[wide] = np.array([bool(re.match(r"\s", c)) for c in chars])[inverse]
    return word, digit, space


@dataclass(frozen=True)
class CodeTokens:
    """Tokens found in the code parts of a text: offsets, kind, and for words their hash."""

    start: I64
    end: I64
    kind: npt.NDArray[np.int8]
    hashes: U64
    first: npt.NDArray[np.uint32]


def tokenise(
    cps: npt.NDArray[np.uint32],
    in_code: npt.NDArray[np.bool_],
    breaks: npt.NDArray[np.bool_] | None = None,
    spellings: Spellings | None = None,
    text: str | None = None,
) -> CodeTokens:
    """Cut the characters marked ``in_code`` into number, word and punctuation tokens.

    Characters outside code (comments, strings) end any token and belong to none; a token
    never continues across a position marked in ``breaks``.
    ``hashes`` holds :func:`word_hash` of each word and number (0 for punctuation) and ``first``
    the first code point of each token. ``text``, if given, is the text of ``cps`` (faster).
    """
    n = cps.shape[0]
    word, digit, space = _classes(cps, text)
    dollar = (cps == 36) & in_code
    word = word & in_code
    digit = digit & in_code
    wordish = word | dollar
    before = np.zeros(n, dtype=bool)
    before[1:] = wordish[:-1]
    if breaks is not None:
        before &= ~breaks
    run_start = wordish & ~before
    run_id = run_start.cumsum()  # 1 for the first run's characters; 0 before any run
    starts_of_runs = run_start.nonzero()[0]
    number_run = np.zeros(starts_of_runs.shape[0] + 1, dtype=bool)
    number_run[1:] = digit[starts_of_runs]
    in_number_run = wordish & number_run[run_id]
    # A number stops at its first "$", where a word begins (word chars continue through "$").
    dollars = dollar & in_number_run
    if dollars.any():
        seen = dollars.cumsum()
        seen_before_run = np.zeros(starts_of_runs.shape[0] + 1, dtype=seen.dtype)
        seen_before_run[1:] = (seen - dollars)[starts_of_runs]
        dollars_so_far = seen - seen_before_run[run_id]
        splits = dollars & (dollars_so_far == 1)
        number_char = in_number_run & (dollars_so_far == 0)
    else:  # the usual case, without the counting
        splits, number_char = dollars, in_number_run
    # "1.5" and "1e+5" continue one number across "." and an exponent sign. Only a character
    # right after a number's can, so those few are tested rather than the whole text.
    at = number_char[:-2].nonzero()[0] + 1
    mark = cps[at]
    at = at[(mark == 46) | (mark == 43) | (mark == 45)]
    if at.size:
        mark, previous = cps[at], cps[at - 1]
        joining = in_code[at] & digit[at + 1] & ((mark == 46) | (previous == 101) | (previous == 69))
        if breaks is not None:
            joining &= ~breaks[at] & ~breaks[at + 1]
        at = at[joining]
    joins = np.zeros(n, dtype=bool)
    joins[at] = True
    joined_runs = np.zeros(n, dtype=bool)
    joined_runs[at + 1] = True
    in_token = in_code & ~space
    punct = in_token & ~wordish & ~joins
    start_mask = (run_start & ~joined_runs) | splits | punct
    # A token ends at the next boundary after its start: a token's start, a character
    # outside tokens, or the end of the text.
    bounded = np.empty(n + 1, dtype=bool)
    np.logical_or(start_mask, ~in_token, out=bounded[:n])
    bounded[n] = True
    boundaries = bounded.nonzero()[0]
    at_start = start_mask[boundaries[:-1]].nonzero()[0]
    starts, ends = boundaries[at_start], boundaries[at_start + 1]
    kind = digit[starts].view(np.int8) + np.int8(WORD)  # NUMBER where a digit begins it
    kind[punct[starts]] = PUNCT
    hashes = np.zeros(starts.shape[0], dtype=np.uint64)
    spelled = (kind != PUNCT).nonzero()[0]
    if spelled.size:
        hashes[spelled] = (spellings or Spellings(cps)).hashes(starts[spelled], ends[spelled])
    return CodeTokens(starts.astype(np.int64), ends.astype(np.int64), kind, hashes, cps[starts])


class Spellings:
    """:func:`word_hash` of any spans of one text, from prefix sums computed once.

    Every kind of quote reads as ``"``: words and numbers hold none, and a string literal
    keeps its value when a formatter swaps ``'`` for ``"``.
    """

    def __init__(self, cps: npt.NDArray[np.uint32]) -> None:
        n = cps.shape[0]
        self._up, down = _POWERS.get(n + 1)
        if n and int(cps.max()) < 128:
            values = _ASCII_VALUES[cps]  # one look-up for the quote rule and the + 1
        else:
            unified = np.where((cps == 39) | (cps == 96), np.uint32(34), cps)
            values = unified.astype(np.uint64) + np.uint64(1)
        self._prefix = np.zeros(n + 1, dtype=np.uint64)
        # Array arithmetic wraps silently (see kgram_hashes): no errstate on the scan path.
        (values * down[:n]).cumsum(dtype=np.uint64, out=self._prefix[1:])

    def hashes(self, starts: I64, ends: I64) -> U64:
        """The hash of ``text[start:end]`` for every (non-empty) span at once."""
        poly = self._up[ends - 1] * (self._prefix[ends] - self._prefix[starts])
        lengths = (ends - starts).astype(np.uint64)
        return fmix64(poly + lengths * np.uint64(_LENGTH))
