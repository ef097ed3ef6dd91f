"""The numpy engine the native one replaced, kept as the reference of a differential test.

Until the native engine (``native/``) took over, leakguard cut text into tokens, valued
them and hashed k-grams with these whole-array numpy operations. ``test_engine.py``
checks that the engine gives exactly the same arrays on hostile and real text: the same
tokens mean the same fingerprints, so indexes built before and after agree.

Code to tokens with whole-array operations: no Python work per token.

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
import xxhash

from leakguard.arrays import distinct_inverse, member
from leakguard.normalise.alphabet import CASE_FOLDED, ID, KEYWORDS, NUM, STR, Alphabet
from leakguard.normalise.lexer import LITERAL, Regions, TokenStream

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_P = 0x9E3779B97F4A7C15
_P_INV = pow(_P, -1, 1 << 64)
_LENGTH = 0xD6E8FEB86659FD93
_MASK = (1 << 64) - 1

PUNCT, WORD, NUMBER = 0, 1, 2

_BASE = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_NAME_SALT = 0x243F6A8885A308D3


def fmix64(values: U64) -> U64:
    """MurmurHash3's 64-bit finaliser: a bijection that spreads every input bit."""
    out = np.asarray(values ^ (values >> _S33), dtype=np.uint64)
    out *= _M1
    out ^= out >> _S33
    out *= _M2
    out ^= out >> _S33
    return out


def kgram_hashes(values: U64, k: int) -> U64:
    """Hash of every window of ``k`` consecutive token values (empty if fewer than k)."""
    n = values.shape[0] - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    acc = values[:n].copy()
    for j in range(1, k):
        acc *= _BASE
        acc += values[j : j + n]
    return fmix64(acc)


def identifier_counts(marked: npt.NDArray[np.bool_], k: int) -> I64:
    """Number of marked tokens in each k-gram."""
    n = marked.shape[0] - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    total = np.concatenate(([0], marked.cumsum(dtype=np.int64)))
    return np.asarray(total[k : k + n] - total[:n], dtype=np.int64)


def names(alphabet: Alphabet, hashes: U64) -> U64:
    """Concrete values of spellings under the alphabet's key."""
    return fmix64(hashes ^ np.uint64(alphabet._seed ^ _NAME_SALT))


def symbol(alphabet: Alphabet, text: str) -> int:
    """A symbol's value, with the xxhash package."""
    return xxhash.xxh3_64_intdigest(b"s" + text.encode("utf-8", "surrogatepass"), seed=alphabet._seed)


def keyword_table(alphabet: Alphabet) -> tuple[U64, U64]:
    """(sorted word hashes of every keyword spelling, the symbol value of each)."""
    spellings = {word: word for word in KEYWORDS} | CASE_FOLDED
    pairs = sorted((word_hash(word), symbol(alphabet, sym)) for word, sym in spellings.items())
    return np.asarray([h for h, _ in pairs], dtype=np.uint64), np.asarray([v for _, v in pairs], dtype=np.uint64)


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


_CLOSERS = ")]}"


def lex(text: str, alphabet: Alphabet, regions: Regions) -> TokenStream:
    """The token stream of ``text`` with ``regions`` applied, as the numpy engine made it."""
    n = len(text)
    in_code = np.ones(n, dtype=bool)
    breaks = np.zeros(n + 1, dtype=bool)
    for flat in (regions.hidden, regions.strings):
        for begin, finish in flat.reshape(-1, 2).tolist():
            in_code[begin:finish] = False
    breaks[regions.breaks] = True
    strings = regions.strings.reshape(-1, 2)
    return _Finisher(in_code, breaks, strings[:, 0].tolist(), strings[:, 1].tolist()).finish(text, alphabet)


class _Finisher:
    def __init__(
        self, in_code: npt.NDArray[np.bool_], breaks: npt.NDArray[np.bool_], starts: list[int], ends: list[int]
    ) -> None:
        self.in_code, self.breaks, self.string_starts, self.string_ends = in_code, breaks, starts, ends

    def finish(self, text: str, alphabet: Alphabet) -> TokenStream:
        """Cut the remaining code, merge in the strings and apply the drop rules."""
        cps = codepoints(text)
        spellings = Spellings(cps)
        code = tokenise(cps, self.in_code, self.breaks[: cps.shape[0]], spellings, text)
        kind = code.kind
        keep = ~((kind == PUNCT) & (code.first == 59))  # ";" never counts
        starts, ends, kind, first, hashes = (
            code.start[keep],
            code.end[keep],
            kind[keep],
            code.first[keep],
            code.hashes[keep],
        )
        abstract = np.full(starts.shape[0], symbol(alphabet, NUM), dtype=np.uint64)
        # Literals keep their value in the concrete stream, as names do: a copy with the
        # same numbers and strings is an exact copy, one with other values a renamed one.
        words = kind == WORD
        concrete = names(alphabet, hashes ^ np.where(words, np.uint64(0), LITERAL))
        punct = kind == PUNCT
        if punct.any():
            marks = first[punct]
            ascii_values = np.asarray([symbol(alphabet, chr(i)) for i in range(128)], dtype=np.uint64)
            values = ascii_values[np.minimum(marks, 127)]
            wide = marks > 127
            if wide.any():
                values[wide] = [symbol(alphabet, chr(int(c))) for c in marks[wide]]
            abstract[punct] = values
            concrete[punct] = values
        if words.any():
            word_hashes = hashes[words]
            table, symbols = keyword_table(alphabet)
            slot = np.minimum(np.searchsorted(table, word_hashes), table.shape[0] - 1)
            is_keyword = table[slot] == word_hashes
            abstract[words] = np.where(is_keyword, symbols[slot], np.uint64(symbol(alphabet, ID)))
            concrete[words] = np.where(is_keyword, symbols[slot], concrete[words])
        if self.string_starts:
            str_value = np.uint64(symbol(alphabet, STR))
            count = len(self.string_starts)
            string_starts = np.asarray(self.string_starts, dtype=np.int64)
            string_ends = np.asarray(self.string_ends, dtype=np.int64)
            starts = np.concatenate((starts, string_starts))
            ends = np.concatenate((ends, string_ends))
            abstract = np.concatenate((abstract, np.full(count, str_value, dtype=np.uint64)))
            values = spellings.hashes(string_starts, np.maximum(string_ends, string_starts + 1))
            concrete = np.concatenate((concrete, names(alphabet, values ^ LITERAL)))
            order = starts.argsort(kind="stable")
            starts, ends, abstract, concrete = starts[order], ends[order], abstract[order], concrete[order]
        keep = _not_before_closer(abstract, alphabet)
        if keep is not None:
            starts, ends, abstract, concrete = starts[keep], ends[keep], abstract[keep], concrete[keep]
        return _finish(text, alphabet, abstract, concrete, starts, ends, cps)


def _not_before_closer(abstract: npt.NDArray[np.uint64], alphabet: Alphabet) -> npt.NDArray[np.bool_] | None:
    """Mask that drops each comma directly followed by a closing bracket; None if none."""
    comma = abstract == np.uint64(symbol(alphabet, ","))
    if not comma.any():
        return None
    closers = np.asarray([symbol(alphabet, c) for c in _CLOSERS], dtype=np.uint64)
    before = np.zeros(abstract.shape[0], dtype=bool)
    before[:-1] = member(abstract[1:], closers)
    drop = comma & before
    return None if not drop.any() else ~drop


def _finish(
    text: str,
    alphabet: Alphabet,
    abstract: npt.NDArray[np.uint64],
    concrete: npt.NDArray[np.uint64],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    cps: npt.NDArray[np.uint32] | None = None,
) -> TokenStream:
    """Line numbers and the lone-string rule; ``cps`` are the text's code points if known."""
    # Line breaks before each character, counted once: cheaper than a binary search per token.
    before = np.zeros(len(text) + 1, dtype=np.int32)
    ((codepoints(text) if cps is None else cps) == 10).cumsum(out=before[1:])
    line = before[start] + 1
    end_line = before[np.maximum(end - 1, start)] + 1
    keep = _not_lone_strings(abstract == np.uint64(symbol(alphabet, STR)), line, end_line)
    if keep is not None:
        abstract, concrete, start, end = abstract[keep], concrete[keep], start[keep], end[keep]
        line, end_line = line[keep], end_line[keep]
    return TokenStream(abstract, concrete, start, end, line, end_line)


def _not_lone_strings(
    is_str: npt.NDArray[np.bool_], line: npt.NDArray[np.int32], end_line: npt.NDArray[np.int32]
) -> npt.NDArray[np.bool_] | None:
    """Mask that drops strings alone on their lines (docstrings); None when nothing drops."""
    strings = is_str.nonzero()[0]
    if strings.shape[0] == 0:
        return None
    n = is_str.shape[0]
    # The line the token before each string ends on, and the line the token after it starts on.
    prev_end = np.where(strings > 0, end_line[np.maximum(strings - 1, 0)], -1)
    next_line = np.where(strings < n - 1, line[np.minimum(strings + 1, n - 1)], _NO_LINE)
    lone = (prev_end < line[strings]) & (next_line > end_line[strings])
    if not lone.any():
        return None
    keep = np.ones(n, dtype=bool)
    keep[strings[lone]] = False
    return keep


_NO_LINE = np.iinfo(np.int32).max
