"""The numpy look-up the native engine replaced, kept as the reference of a differential test.

``test_scan.py`` checks that :func:`leakguard.scanner.lookup` (the engine's
``lookup.rs``) finds exactly the hits this code found, in the same order.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from reference_numpy import identifier_counts, kgram_hashes

from leakguard.arrays import member
from leakguard.hits import Hits
from leakguard.index.postings import held_by_more, posting_bounds
from leakguard.index.store import Index
from leakguard.index.table import bisect, find
from leakguard.normalise.alphabet import ID, NUM, STR
from leakguard.normalise.lexer import TokenStream
from leakguard.options import ScanPolicy

MAX_POSTINGS_PER_HASH = 32


def kgram_tags(concrete: npt.NDArray[np.uint64], k: int) -> npt.NDArray[np.uint16]:
    return np.asarray(kgram_hashes(concrete, k) >> np.uint64(48), dtype=np.uint16)


def lookup(index: Index, tokens: TokenStream, policy: ScanPolicy, hashes: npt.NDArray[np.uint64] | None = None) -> Hits:
    """Every (scanned k-gram, indexed posting) pair whose hashes agree, as arrays.

    A hash held by more than ``policy.max_df`` files is common structure and is followed
    only to the postings whose names match the scanned k-gram exactly (and only when that
    exact code is itself rare). So is a hash with more postings than are followed
    (``MAX_POSTINGS_PER_HASH``: a long table, a column of similar statements): the first
    ones would be the wrong ones, and the names say which row was copied. A hit is *exact*
    when the names match and the k-gram holds at least two identifiers or literals:
    structure alone is weaker evidence.
    """
    k = index.params.k
    arrays = index.arrays
    none = np.empty(0, np.int64)
    empty = Hits(none, none, none, none, np.empty(0, dtype=bool), none)
    if arrays["residues"].shape[0] == 0:
        return empty
    if hashes is None:
        hashes = kgram_hashes(tokens.abstract, k)
    positions, slot = find(arrays, hashes)
    if positions.size == 0:
        return empty
    tags = kgram_tags(tokens.concrete, k)[positions]
    named_tokens = _named_tokens(tokens, index)
    named = identifier_counts(named_tokens, k)[positions] >= 2
    # A k-gram of literals and punctuation only (a row of a table) matches any table of the
    # same shape: it is evidence only where the values themselves match.
    worded = identifier_counts(~member(tokens.abstract, index.alphabet.literal_symbols()), k)[positions] > 0
    # A k-gram whose every name and value is common in public code (framework API names,
    # usual literals) says nothing about where it came from, even when the names match.
    private = _private_kgrams(tokens, named_tokens, index, k)[positions]
    first, stop = posting_bounds(arrays, slot)
    max_df = policy.max_df(index.n_files)
    common = held_by_more(arrays, slot, max_df)
    post_tag = arrays["post_tag"]
    narrow = ((common | (stop - first > MAX_POSTINGS_PER_HASH)) & named).nonzero()[0]
    if narrow.size:
        # Both ends of each tag's postings in one search (tags are integers: the end of
        # ``t`` is the start of ``t + 1``), which halves the per-call cost on short texts.
        wanted = tags[narrow].astype(np.int64)
        m = narrow.size
        bounds = bisect(
            post_tag,
            np.concatenate((first[narrow], first[narrow])),
            np.concatenate((stop[narrow], stop[narrow])),
            np.concatenate((wanted, wanted + 1)),
            right=False,
        )
        lo, hi = bounds[:m], bounds[m:]
        rare = hi - lo <= max_df
        first[narrow[rare]], stop[narrow[rare]] = lo[rare], hi[rare]
    keep = ~common | (stop - first <= max_df)
    positions, first, stop, tags, named = positions[keep], first[keep], stop[keep], tags[keep], named[keep]
    slot_kept, worded, private, common = slot[keep], worded[keep], private[keep], common[keep]
    count = np.minimum(stop - first, MAX_POSTINGS_PER_HASH)
    pos = positions.repeat(count)
    # Index of each expanded posting: its group's first posting plus its rank in the group.
    rank = np.arange(pos.shape[0]) - (count.cumsum() - count).repeat(count)
    post = first.repeat(count) + rank
    exact = (post_tag[post] == tags.repeat(count)) & (named & private).repeat(count)
    keys = slot_kept.repeat(count)
    # Structure alone counts only for a k-gram with a word in it (not a row of a table) whose
    # shape is not common (in the index, or in public code).
    useful = exact | (worded & ~common).repeat(count)
    if not useful.all():
        pos, post, exact, keys = pos[useful], post[useful], exact[useful], keys[useful]
    files, lines, end_lines = index.postings(post)
    return Hits(
        pos=pos.astype(np.int64),
        file=files,
        line=lines,
        end_line=end_lines,
        exact=exact,
        key=keys.astype(np.int64),
    )


def _private_kgrams(tokens: TokenStream, named: npt.NDArray[np.bool_], index: Index, k: int) -> npt.NDArray[np.bool_]:
    """Whether each k-gram holds a name or literal value (``named`` tokens) that public code
    does not commonly use (the index's ``public_names``, from the background model): all of
    them, when the index has no such table."""
    table = index.arrays.get("public_names")
    if table is None or table.shape[0] == 0:
        return np.ones(max(0, len(tokens) - k + 1), dtype=bool)
    at = np.minimum(np.searchsorted(table, tokens.concrete), table.shape[0] - 1)
    own = named & (table[at] != tokens.concrete)
    return identifier_counts(own, k) > 0


def _named_tokens(tokens: TokenStream, index: Index) -> npt.NDArray[np.bool_]:
    """Tokens that carry a name or a literal value: what makes a matching k-gram an exact copy."""
    alphabet = index.alphabet
    classes = np.asarray([alphabet.symbol(ID), alphabet.symbol(STR), alphabet.symbol(NUM)], dtype=np.uint64)
    return member(tokens.abstract, classes)
