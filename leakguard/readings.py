"""Whether a decoded reading of a text can find what the text's own reading does not.

A decoded view (see :mod:`leakguard.decode`) is scanned for what decoding reveals: a copy
whose quotes a chat app curled, whose letters a look-alike replaced. Most typographic
characters reveal nothing (a curly apostrophe in prose, an em dash between sentences), and
scanning the view then costs as much as scanning the text again.

Where the view's tokens are the original's (the same values over the same characters,
neighbours in both), its k-grams are the original's and their lookups give the same
postings. Only k-grams holding a token that decoding changed can meet indexed code the
original reading missed, and only chains that pass over a changed token can differ from the
original's. So the view can add nothing when none of its new k-grams is indexed and no hit
of the original reading lies within ``policy.gap + k`` tokens of a change: its hits are then
the original's on the same characters, and no chain of them reaches a change. (A copy
matched line by line up to a change would hold a hit within that reach: winnowing selects a
fingerprint in every ``window + k - 1`` tokens, and ``gap`` is larger.)

A look-alike character inside copied code fails the second test (the copy's hits surround
it) and the view is scanned: there the original reading sees the copy in two pieces and only
the decoded one sees it whole.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakguard.decode import View
from leakguard.index.store import Index
from leakguard.index.table import find
from leakguard.normalise.lexer import TokenStream
from leakguard.options import ScanPolicy


def can_add(
    index: Index,
    policy: ScanPolicy,
    view: View,
    tokens: TokenStream,
    hashes: npt.NDArray[np.uint64],
    original: TokenStream,
    original_hits: npt.NDArray[np.int64],
) -> bool:
    """Whether scanning ``tokens`` (lexed from ``view``, with k-gram hashes ``hashes``) can
    find what scanning ``original`` (lexed from the text the view decodes, with hits at
    token positions ``original_hits``, ascending) did not.
    """
    k = index.params.k
    n = len(tokens)
    if n < k or view.starts is None or view.ends is None:
        return False  # no k-gram to look up, or the text itself
    if not len(original):
        return True
    first = view.starts[tokens.start]
    at = np.minimum(np.searchsorted(original.start, first), len(original) - 1)
    same = (
        (original.start[at] == first)
        & (original.end[at] == view.ends[tokens.end - 1])
        & (original.abstract[at] == tokens.abstract)
        & (original.concrete[at] == tokens.concrete)
    )
    # Tokens i and i + 1 are neighbours in the original too; a break is a change between them.
    follows = same[:-1] & same[1:] & (at[1:] == at[:-1] + 1)
    breaks = (~follows).nonzero()[0]
    if breaks.size == 0:
        return False  # a run of the original's tokens: its chains are pieces of the original's
    broken = np.concatenate(([0], (~follows).cumsum()))
    new = ((broken[k - 1 :] != broken[: n - k + 1]) | ~same[: n - k + 1]).nonzero()[0]
    positions, _ = find(index.arrays, hashes[new])
    if positions.size:
        return True
    # Each break spans original tokens at[i] .. at[i + 1]; a hit within reach of one can
    # chain over it.
    reach = policy.gap + k
    low = np.minimum(at[breaks], at[breaks + 1]) - reach
    high = np.maximum(at[breaks], at[breaks + 1]) + reach
    return bool((np.searchsorted(original_hits, high, side="right") > np.searchsorted(original_hits, low)).any())
