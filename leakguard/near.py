"""Near-duplicate evidence from MinHash: edited copies whose exact k-grams were broken.

An edited copy keeps runs of exact k-grams: MinHash confirms a partial exact match (a
chain with ``PARTIAL_SHARE``, three quarters, of the evidence a leak needs), it does not
search the index on its own. Around each partial match (within the largest window of it)
the scanned tokens are cut into overlapping windows at a few sizes (a copied unit is best
compared with a window of about its own length), and each window is compared with the
indexed units of the partial match's file that lie near the lines it matched, when their
sizes allow the similarity asked for: a few dozen pairs a partial match, compared on 16
values of their signatures and then, if they could be similar, on all 64 (no LSH
banding, which missed about one pair in ten at the threshold, and an index needs no band
table). A pair at or above a Jaccard similarity of 0.6 becomes a chain whose evidence is
the window's tokens, weighted like a renamed copy and by the similarity: MinHash evidence
never counts as an exact copy. The chain's span is where the window's shared shingles
lie, not the whole window.

The windows, signatures and comparisons are the native engine's
(``native/engine/src/near.rs``, where the parameters are documented); this module turns
its matches into :class:`Chain` objects weighed by the scan policy. The numpy
implementation it replaced is kept in ``tests/reference_near.py``, the oracle of a
differential test.

Replacing the index-wide LSH band table by the partial match's own neighbourhood found
the same copies in the quality and datasets benchmarks, for a sixth less index. (On
those benchmarks this path changes no verdict at all; see the README for the figures
and for the containment rule that was measured and not adopted.)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakguard import _core
from leakguard import score as scoring
from leakguard.index.store import Index
from leakguard.match import Chain, Partial
from leakguard.normalise.lexer import TokenStream
from leakguard.options import ScanPolicy


def near_chains(
    index: Index,
    tokens: TokenStream,
    policy: ScanPolicy,
    explained: npt.NDArray[np.int64],
    around: list[Partial],
) -> list[Chain]:
    """Chains supported by MinHash similarity between scanned windows and indexed units.

    ``around`` lists the partial exact matches an edited copy leaves: the windows of the
    neighbourhood (the largest window on either side) of each are compared with the
    indexed units near the lines it matched. ``explained`` holds the scanned positions
    (sorted, distinct) whose k-grams the exact path already chained; a window they mostly
    cover is left to it.
    """
    arrays = index.arrays
    if not around or arrays["signatures"].shape[0] == 0:
        return []
    k = index.params.k
    perms = arrays["perms"]
    found = _core.near_matches(
        tokens.abstract,
        np.ascontiguousarray(explained, dtype=np.int64),
        np.asarray(around, dtype=np.int64).ravel(),
        np.ascontiguousarray(perms[0]),
        np.ascontiguousarray(perms[1]),
        arrays["unit_file"],
        arrays["unit_lines"].ravel(),
        arrays["unit_tokens"],
        arrays["signatures"].ravel(),
        k,
        index.params.shingle,
    )
    chains: list[Chain] = []
    for file, low, high, first_line, last_line, window_tokens, similarity in found:
        positions = list(range(low, max(low + 1, high - k + 1)))
        chain = Chain(file, positions, [], first_line, last_line, last_line, positions[-1])
        chain.matched = high - low
        chain.exact = 0
        # The similarity was measured over the whole window, so the evidence is the window's.
        chain.evidence = scoring.evidence(window_tokens, 0, policy) * similarity
        chains.append(chain)
    return chains
