"""Winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003), as used by MOSS.

From every window of ``w`` consecutive k-gram hashes the minimum is selected (the
rightmost one on ties), and each selected position is kept once. Because every window
contributes a fingerprint, any run of at least ``w + k - 1`` tokens shared with another
text contains a selected k-gram of this one: that is the guarantee threshold. On random
input about ``2 / (w + 1)`` of all k-grams are selected.

The scan side does not winnow: it looks up every k-gram of the scanned text, so each
fingerprint the index kept is found wherever its k-gram appears.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from leakguard.arrays import distinct


def winnow(hashes: npt.NDArray[np.uint64], window: int) -> npt.NDArray[np.int64]:
    """Positions (sorted, unique) of the k-gram hashes selected by winnowing.

    A stream with fewer than ``window`` hashes forms one short window, so small files still
    yield one fingerprint.
    """
    n = hashes.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    w = min(window, n)
    if w == 1:
        return np.arange(n, dtype=np.int64)
    views = sliding_window_view(hashes, w)
    # argmin returns the leftmost minimum; reversing each window gives the rightmost one,
    # which keeps a run of equal hashes from selecting every position.
    rightmost = (w - 1) - np.argmin(views[:, ::-1], axis=1)
    positions = np.arange(views.shape[0], dtype=np.int64) + rightmost
    return distinct(positions)
