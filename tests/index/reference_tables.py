"""The numpy forms of the hash table's packing (before ``native/engine/src/pack.rs``): the
oracle of ``tests/index/test_pack.py``. Not used by leakguard itself."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

RESIDUE_BITS = 16
OFFSET_BLOCK_BITS = 6
DF_WIDE = 255
PUBLIC_DF = 65535


def hash_table(unique: npt.NDArray[np.uint64], bits: int) -> dict[str, npt.NDArray[Any]]:
    edges = np.arange(2**bits, dtype=np.uint64) << np.uint64(RESIDUE_BITS)
    return {
        "hash_buckets": np.append(np.searchsorted(unique, edges), unique.shape[0]).astype(np.uint32),
        "residues": (unique & np.uint64((1 << RESIDUE_BITS) - 1)).astype(np.uint16),
    }


def split_offsets(offsets: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
    offsets = np.asarray(offsets, dtype=np.int64)
    blocks = offsets[:: 1 << OFFSET_BLOCK_BITS]
    within = offsets - blocks[np.arange(offsets.shape[0]) >> OFFSET_BLOCK_BITS]
    narrow = within.shape[0] == 0 or int(within.max()) <= np.iinfo(np.uint16).max
    return {"offset_blocks": blocks.astype(np.uint32), "offsets": within.astype(np.uint16 if narrow else np.uint32)}


def pack_df(df: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
    df = np.minimum(np.asarray(df, dtype=np.int64), PUBLIC_DF)
    wide = np.flatnonzero(df >= DF_WIDE)
    return {
        "df": np.minimum(df, DF_WIDE).astype(np.uint8),
        "df_wide_slots": wide.astype(np.uint32),
        "df_wide": df[wide].astype(np.uint16),
    }


def table_prefixes(arrays: dict[str, npt.NDArray[Any]]) -> npt.NDArray[np.uint64]:
    buckets = np.asarray(arrays["hash_buckets"], dtype=np.int64)
    bits = int(buckets.shape[0] - 1).bit_length() - 1
    bucket = np.repeat(np.arange(2**bits, dtype=np.uint64), np.diff(buckets))
    out: npt.NDArray[np.uint64] = (bucket << np.uint64(RESIDUE_BITS)) | np.asarray(arrays["residues"], np.uint64)
    return out


def posting_offsets(arrays: dict[str, npt.NDArray[Any]]) -> npt.NDArray[np.int64]:
    within = np.asarray(arrays["offsets"], dtype=np.int64)
    blocks = np.asarray(arrays["offset_blocks"], dtype=np.int64)
    out: npt.NDArray[np.int64] = blocks[np.arange(within.shape[0]) >> OFFSET_BLOCK_BITS] + within
    return out


def pack_line_hashes(hashes: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
    hashes = np.asarray(hashes, dtype=np.uint16)
    code = hashes != 0
    padded = np.zeros(-(-code.shape[0] // 64) * 64, dtype=bool)
    padded[: code.shape[0]] = code
    words = np.packbits(padded, bitorder="little").view("<u8")
    per_word = padded.reshape(-1, 64).sum(axis=1, dtype=np.int64)
    rank = np.concatenate(([0], np.cumsum(per_word)[:-1])) if per_word.shape[0] else per_word
    return {"line_code": words.astype("<u8"), "line_rank": rank.astype(np.uint32), "line_hash": hashes[code]}
