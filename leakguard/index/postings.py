"""The postings: where each distinct hash was found, in as few bytes as direct access allows.

Sections (see ``fingerprints/FORMAT.md``), for ``U`` distinct hashes and ``P`` postings
sorted by (hash, concrete tag, line):

* ``offset_blocks`` (u32) and ``offsets`` (u16): the postings of hash ``i`` start at
  ``offset_blocks[i >> 6] + offsets[i]`` (and end where those of ``i + 1`` start). Real
  sources hold 2.4 postings a distinct hash, so 64 hashes hold far fewer than 65,536
  postings; an index where some block holds more keeps ``offsets`` as u32.
* ``df`` (u8): the number of files holding each hash, up to 254; 255 means "look it up
  in ``df_wide``", which holds the saturating 16-bit count (65535 also marks a shape an
  idiom set declared common) of the hashes listed, in order, in ``df_wide_slots``. Only
  ``df > max_df`` is ever asked, and ``max_df`` is below 255 in any index of fewer than
  25,500 files, so the wide table is read only for huge indexes.
* ``post_loc`` (u8, 3 or 4 bytes a posting, then zero bytes up to a whole word): little-endian
  ``(g << s) | min(span, 2**s - 1)``, ``g`` the global line of the k-gram's first token and
  ``span`` the lines it covers beyond it. Three bytes while the index holds fewer than
  2**21 lines (then ``s = min(8, 24 - bits(L))``, at least 3), else four
  (``s = min(8, 32 - bits(L))``, at least 4).
* ``post_tag`` (u16): the top 16 bits of the k-gram's hash over concrete tokens.

Every section is read by plain gathers, so a lookup costs a few array operations more
than whole u32 values would, for a fifth less index on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from leakguard import _core
from leakguard.arrays import concatenated

if TYPE_CHECKING:
    from leakguard.index.build import FileFingerprints

I64 = npt.NDArray[np.int64]

#: An index holds fewer lines than this, so a posting's line and span fit in 32 bits.
MAX_LINES = 2**28
#: Hashes per block of ``offsets``: each block has its own u32 base.
OFFSET_BLOCK_BITS = 6
#: ``df`` value that sends a lookup to the ``df_wide`` table.
DF_WIDE = 255
#: ``df`` of a hash an idiom set marked as common in public code (also the saturation value).
PUBLIC_DF = int(np.iinfo(np.uint16).max)


def _line_bits(lines: int) -> int:
    return max(1, int(lines).bit_length())


def posting_bytes(lines: int) -> int:
    """Bytes of each ``post_loc`` row in an index of ``lines`` lines: 3, or 4 from 2**21 lines."""
    return 3 if _line_bits(lines) + 3 <= 24 else 4


def span_bits(lines: int) -> int:
    """Low bits of a packed posting that hold its span, in an index of ``lines`` lines (3 to 8)."""
    return min(8, 8 * posting_bytes(lines) - _line_bits(lines))


def pack_postings(loc: npt.NDArray[Any], spans: npt.NDArray[Any], lines: int) -> npt.NDArray[np.uint8]:
    """The ``post_loc`` section: each posting's global line shifted over its span (clamped to
    the bits there are), in :func:`posting_bytes` little-endian bytes, then zero bytes up to
    a whole 32-bit word past the last row."""
    bits = span_bits(lines)
    width = posting_bytes(lines)
    # In 32 bits throughout: a packed posting fits (an index holds fewer than 2**28 lines).
    clamped = np.minimum(np.asarray(spans), 2**bits - 1).astype("<u4")
    values = (np.asarray(loc).astype("<u4") << np.uint32(bits)) | clamped
    rows = values.view(np.uint8).reshape(-1, 4)[:, :width]
    packed: npt.NDArray[np.uint8] = np.concatenate((rows.ravel(), np.zeros(4 - width, np.uint8)))
    return packed


def posting_count(post_loc: npt.NDArray[Any], lines: int) -> int:
    """Postings a ``post_loc`` section holds; -1 when its length fits no whole number of rows."""
    width = posting_bytes(lines)
    count, rest = divmod(post_loc.shape[0] - (4 - width), width)
    return count if rest == 0 and count >= 0 else -1


def posting_words(post_loc: npt.NDArray[Any], lines: int) -> npt.NDArray[np.uint32]:
    """A view of a ``post_loc`` section with one (unaligned) 32-bit word a posting.

    Row ``i`` starts at byte ``i * width``, so word ``i`` holds it in its low bytes and the
    next row's first bytes above them (:func:`posting_values` masks those off). One gather
    of whole words reads three times faster than gathering rows of bytes and joining them.
    """
    width = posting_bytes(lines)
    count = max(posting_count(post_loc, lines), 0)
    words: npt.NDArray[np.uint32] = np.ndarray(
        (count,), dtype="<u4", buffer=np.ascontiguousarray(post_loc), strides=(width,)
    )
    return words


def posting_values(words: npt.NDArray[np.uint32], lines: int, post: I64 | None = None) -> I64:
    """The packed value of the postings ``post`` (all of them when None), from :func:`posting_words`."""
    mask = (1 << (8 * posting_bytes(lines))) - 1
    picked = words if post is None else words[post]
    values: I64 = (picked & np.uint32(mask)).astype(np.int64)
    return values


def unpack_postings(values: npt.NDArray[Any], lines: int) -> tuple[I64, I64]:
    """Global line and span of packed posting values (:func:`posting_values`)."""
    bits = span_bits(lines)
    values = np.asarray(values, dtype=np.int64)
    return values >> bits, values & (2**bits - 1)


def posting_bounds(arrays: dict[str, npt.NDArray[Any]], slot: I64) -> tuple[I64, I64]:
    """First posting of each hash slot, and the posting after its last."""
    blocks, within = arrays["offset_blocks"], arrays["offsets"]
    after = slot + 1
    first: I64 = blocks[slot >> OFFSET_BLOCK_BITS].astype(np.int64) + within[slot]
    stop: I64 = blocks[after >> OFFSET_BLOCK_BITS].astype(np.int64) + within[after]
    return first, stop


def posting_offsets(arrays: dict[str, npt.NDArray[Any]]) -> I64:
    """All U + 1 cumulative posting counts, rebuilt from the two offset sections."""
    offsets = _core.posting_offsets(np.asarray(arrays["offset_blocks"], dtype=np.uint32), arrays["offsets"])
    out: I64 = offsets.view(np.int64)  # below 2**32
    return out


def pack_df(df: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
    """``df``, ``df_wide_slots`` and ``df_wide`` sections from file counts (saturating at 65535)."""
    packed, wide_slots, wide = _core.pack_df(np.asarray(df, dtype=np.uint32))  # saturated as it is packed
    return {"df": packed, "df_wide_slots": wide_slots, "df_wide": wide}


def full_df(arrays: dict[str, npt.NDArray[Any]]) -> npt.NDArray[np.uint16]:
    """The saturating 16-bit file count of every hash, from the three ``df`` sections."""
    out: npt.NDArray[np.uint16] = np.array(arrays["df"], dtype=np.uint16)
    out[np.asarray(arrays["df_wide_slots"], dtype=np.int64)] = arrays["df_wide"]
    return out


def held_by_more(arrays: dict[str, npt.NDArray[Any]], slot: I64, max_df: int) -> npt.NDArray[np.bool_]:
    """Whether each hash slot is held by more than ``max_df`` files (or was marked common)."""
    df = arrays["df"][slot]
    if max_df < DF_WIDE:
        result: npt.NDArray[np.bool_] = df > max_df
        return result
    return _wide_df(arrays, slot) > max_df


def marked_public(arrays: dict[str, npt.NDArray[Any]], slot: I64) -> npt.NDArray[np.bool_]:
    """Whether each hash slot was marked common in public code by an idiom set (the
    background model's shapes): ``df`` saturated at ``PUBLIC_DF``."""
    marked: npt.NDArray[np.bool_] = _wide_df(arrays, slot) == PUBLIC_DF
    return marked


def _wide_df(arrays: dict[str, npt.NDArray[Any]], slot: I64) -> npt.NDArray[np.int64]:
    """The ``df_wide`` count of each slot whose ``df`` is ``DF_WIDE``; 0 for the others
    (their counts are below 255, which is all either caller needs to know)."""
    result = np.zeros(slot.shape[0], dtype=np.int64)
    wide = np.flatnonzero(arrays["df"][slot] == DF_WIDE)
    if wide.size:
        at = np.searchsorted(arrays["df_wide_slots"], slot[wide].astype(arrays["df_wide_slots"].dtype))
        result[wide] = arrays["df_wide"][at]
    return result


def posting_tables(
    keys: npt.NDArray[np.uint64],
    bits: int,
    packed: npt.NDArray[np.uint8],
    tags: npt.NDArray[np.uint16],
    file_ids: I64,
) -> dict[str, npt.NDArray[Any]]:
    """The hash table and posting sections from postings sorted by (prefix, tag, loc).

    ``keys`` are the postings' hash prefixes (:func:`leakguard.index.table.prefixes` with
    the same ``bits``), ``packed`` their ``post_loc`` rows (:func:`pack_postings`). A
    hash's ``df`` counts the runs of one file among its postings.
    """
    count = keys.shape[0]
    starts_mask = np.ones(count, dtype=bool)
    starts_mask[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(starts_mask)
    new_file = starts_mask.copy()
    new_file[1:] |= file_ids[1:] != file_ids[:-1]
    df = np.add.reduceat(new_file.astype(np.int64), starts) if count else np.empty(0, np.int64)
    return grouped_tables(keys[starts], bits, np.append(starts, count), df, packed, tags)


#: The posting sections of an index, in the order the engine's merge and patch return them.
POSTING_SECTIONS = (
    "hash_buckets",
    "residues",
    "offset_blocks",
    "offsets",
    "df",
    "df_wide_slots",
    "df_wide",
    "post_loc",
    "post_tag",
)


def posting_sections(packed: Sequence[npt.NDArray[Any]]) -> dict[str, npt.NDArray[Any]]:
    """The sections the engine's merge or patch returns, by name."""
    return dict(zip(POSTING_SECTIONS, packed, strict=True))


def grouped_tables(
    unique: npt.NDArray[np.uint64],
    bits: int,
    offsets: npt.NDArray[Any],
    df: npt.NDArray[Any],
    packed: npt.NDArray[np.uint8],
    tags: npt.NDArray[np.uint16],
) -> dict[str, npt.NDArray[Any]]:
    """The hash table and posting sections from the postings grouped by prefix: the
    distinct prefixes ``unique``, where each one's postings start (then their count), the
    files holding each, and the packed postings and their tags in order."""
    buckets, residues, blocks, within, packed_df, wide_slots, wide = _core.pack_tables(
        np.ascontiguousarray(unique, dtype=np.uint64),
        bits,
        np.asarray(offsets, dtype=np.uint64),
        np.asarray(df, dtype=np.uint32),  # saturated at PUBLIC_DF as it is packed
    )
    tables: dict[str, npt.NDArray[Any]] = {
        "hash_buckets": buckets,
        "residues": residues,
        "offset_blocks": blocks,
        "offsets": within,
        "df": packed_df,
        "df_wide_slots": wide_slots,
        "df_wide": wide,
    }
    tables["post_loc"] = np.asarray(packed, dtype=np.uint8)
    tables["post_tag"] = np.asarray(tags, dtype=np.uint16)
    return tables


U32 = npt.NDArray[np.uint32]


def posting_columns(
    files: Sequence[FileFingerprints],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint16], U32, npt.NDArray[np.uint8], U32]:
    """The postings of ``files`` as the engine takes them (and a shard stores them): their
    hashes, tags, start lines and spans concatenated in file order, and how many each file has."""
    return (
        concatenated([f.hashes for f in files], np.uint64),
        concatenated([f.tags for f in files], np.uint16),
        concatenated([f.start_lines for f in files], np.uint32),
        concatenated([f.spans for f in files], np.uint8),
        np.asarray([f.hashes.shape[0] for f in files], dtype=np.uint32),
    )
