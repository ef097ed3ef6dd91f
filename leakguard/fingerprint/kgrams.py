"""Hashes of every k-gram of a token stream, and the measures taken over k-gram windows.

A k-gram hash is a polynomial over the 64-bit token values (wrapping arithmetic modulo
2**64), passed through the MurmurHash3 64-bit finaliser so that nearby k-grams give
unrelated hashes. Token values come from xxhash (see
:mod:`leakguard.normalise.alphabet`), so hashes are stable across processes, machines
and Python versions, and depend on the secret key when there is one.

The per-token work runs in the native engine (``native/engine/src/kgram.rs``; line hashes in
``span.rs``): the index side and the scan side call the same code.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakguard import _core

U64 = npt.NDArray[np.uint64]


def kgram_hashes(values: U64, k: int) -> U64:
    """Hash of every window of ``k`` consecutive token values (empty if fewer than k)."""
    return _core.kgram_hashes(np.ascontiguousarray(values, dtype=np.uint64), k)


def _distinct(values: U64, k: int) -> npt.NDArray[np.int64]:
    from numpy.lib.stride_tricks import sliding_window_view

    ordered = np.sort(sliding_window_view(values, k), axis=1)
    return np.asarray(1 + np.count_nonzero(ordered[:, 1:] != ordered[:, :-1], axis=1), dtype=np.int64)


def informative(abstract: U64, concrete: U64, k: int, min_distinct: int) -> npt.NDArray[np.bool_]:
    """Which k-grams carry information: ``min_distinct`` different symbols, or names.

    A k-gram like ``STR , STR , STR , ...`` (a list of strings) or a line repeated over and
    over has almost no information: it turns up in unrelated code everywhere. Such k-grams
    are never indexed, so they can never raise an alarm. A k-gram whose *structure* is
    periodic but whose names vary (``a=a, b=b, c=c``) is kept when it holds at least
    ``min_distinct + 2`` different concrete tokens; its abstract hash is then common, so
    only exact copies find it (see :func:`leakguard.scanner.lookup`).
    """
    n = abstract.shape[0] - k + 1
    if n <= 0:
        return np.empty(0, dtype=bool)
    keep = _distinct(abstract, k) >= min_distinct
    if not keep.all():
        keep |= _distinct(concrete, k) >= min_distinct + 2
    return np.asarray(keep)


def identifier_counts(marked: npt.NDArray[np.bool_], k: int) -> npt.NDArray[np.int64]:
    """Number of marked tokens in each k-gram (the scan marks names and literal values)."""
    return _core.window_counts(np.ascontiguousarray(marked, dtype=bool), k)


def line_hashes(
    abstract: U64, line: npt.NDArray[np.int32], n_lines: int, skip: int | None = None
) -> npt.NDArray[np.uint16]:
    """16-bit hash of the abstract tokens on each line (index ``line - 1``); 0 for lines without tokens.

    Tokens whose value is ``skip`` do not count (the comma: whether a trailing comma is
    dropped depends on the next line, which a copy may not include).

    It lets the matcher extend a finding over whole lines that verifiably match the
    indexed file (see :mod:`leakguard.span`) while revealing nothing about
    the code: 16 bits of an abstracted line.
    """
    return _core.line_hashes(
        np.ascontiguousarray(abstract, dtype=np.uint64), np.ascontiguousarray(line, dtype=np.int32), n_lines, skip
    )


def kgram_tags(concrete: U64, k: int) -> npt.NDArray[np.uint16]:
    """16-bit tag of each k-gram's concrete tokens (identifier names included).

    Two k-grams with the same abstract hash and the same tag are, with probability
    1 - 2**-16, the same code with the same names: an exact copy rather than a renamed one.
    """
    return _core.kgram_tags(np.ascontiguousarray(concrete, dtype=np.uint64), k)
