"""Hits: the (scanned k-gram, indexed posting) pairs of a scan.

A *hit* says: the k-gram starting at scanned token ``pos`` also occurs in indexed file
``file`` at lines ``line..end_line``; it is *exact* when the names match too, and ``key``
names the indexed fingerprint. The native engine finds them (``lookup.rs``) and, before
chaining them, drops the ones that cannot change what chaining finds (``hits.rs``):
structural hits on repetitions of code that an exact hit names better, and hits too
sparse to reach a reportable chain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass
class Hits:
    """Fingerprint hits of one scan as parallel arrays."""

    pos: npt.NDArray[np.int64]
    file: npt.NDArray[np.int64]
    line: npt.NDArray[np.int64]
    end_line: npt.NDArray[np.int64]
    exact: npt.NDArray[np.bool_]
    key: npt.NDArray[np.int64]
