"""Line hashes of the indexed files, stored only for the lines that hold code.

A finding's edges are grown line by line while each scanned line's 16-bit hash equals
the indexed line's (see :mod:`leakguard.span`). A third of the lines of real sources hold
no code (blank lines, comments, docstrings), and their hash is 0, so the index keeps:

* ``line_code`` (u64, one word per 64 global lines): bit ``j`` of word ``i`` is set when
  global line ``64 i + j`` holds code;
* ``line_rank`` (u32, one per word): the code lines before word ``i``;
* ``line_hash`` (u16, one per code line, in line order): the hash of each code line.

Two thirds of the lines at 2 bytes and every line at a bit and a half: on real sources
three quarters of the bytes of one u16 a line. A file's hashes are unpacked whole when a
finding in it is grown (:func:`file_line_hashes`), so the walk reads a plain array.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from leakguard import _core

_WORD = 64


def pack_line_hashes(hashes: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
    """The three line sections from one hash per global line (0 for lines without code)."""
    code, rank, kept = _core.pack_lines(np.ascontiguousarray(hashes, dtype=np.uint16))
    return {"line_code": code, "line_rank": rank, "line_hash": kept}


def line_count_ok(arrays: dict[str, npt.NDArray[Any]], lines: int) -> bool:
    """Whether the line sections fit an index of ``lines`` global lines."""
    words = arrays["line_code"]
    if words.shape[0] != -(-lines // _WORD) or arrays["line_rank"].shape != words.shape:
        return False
    if words.shape[0] == 0:
        return bool(arrays["line_hash"].shape[0] == 0)
    last = int(arrays["line_rank"][-1]) + int(words[-1]).bit_count()
    return bool(last == arrays["line_hash"].shape[0])


def file_line_hashes(arrays: dict[str, npt.NDArray[Any]], first: int, stop: int) -> npt.NDArray[np.uint16]:
    """The hash of each global line ``first .. stop - 1`` (one file's lines), 0 where no code."""
    out = np.zeros(stop - first, dtype=np.uint16)
    if stop <= first:
        return out
    low_word, high_word = first // _WORD, -(-stop // _WORD)
    words = np.ascontiguousarray(arrays["line_code"][low_word:high_word], dtype="<u8")
    bits = np.unpackbits(words.view(np.uint8), bitorder="little").astype(bool)
    code = bits[first - low_word * _WORD : stop - low_word * _WORD]
    # Code lines before ``first``: those before its word, then those of its word below it.
    below = int(words[0]) & ((1 << (first % _WORD)) - 1)
    start = int(arrays["line_rank"][low_word]) + below.bit_count()
    out[code] = arrays["line_hash"][start : start + int(np.count_nonzero(code))]
    return out
