"""Types of the native scan core (``native/python/src/lib.rs``)."""

from typing import Any

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]

class Alphabet:
    def __init__(self, seed: int, keywords: list[tuple[str, str]]) -> None: ...
    def names(self, spellings: U64) -> U64: ...
    def lex(
        self, cps: npt.NDArray[np.uint32], hidden: I64, strings: I64, breaks: I64
    ) -> tuple[U64, U64, I64, I64, I32, I32]: ...

TABLE_SECTIONS: tuple[str, ...]

class Table:
    def __init__(
        self, sections: dict[str, npt.NDArray[Any]], named_symbols: list[int], literal_symbols: U64
    ) -> None: ...
    def lookup(
        self, abstract_values: U64, concrete_values: U64, hashes: U64, k: int, max_df: int
    ) -> tuple[I64, I64, I64, I64, npt.NDArray[np.bool_], I64]: ...

_ChainTuple = tuple[
    tuple[int, int, int, int, int, int, int, int], tuple[float, float, float, float], list[int], list[int]
]

def chain_hits(
    pos: I64,
    file: I64,
    line: I64,
    end_line: I64,
    exact: npt.NDArray[np.bool_],
    key: I64,
    rules: tuple[int, float, int, float, float],
    small_files: npt.NDArray[np.float64],
    scan_line: I32,
    floor: float,
    fragment_floor: float | None,
) -> tuple[list[_ChainTuple], float, I64, list[tuple[int, int, int, int, int]]]: ...
def near_matches(
    abstract: U64,
    explained: I64,
    partials: I64,
    multipliers: npt.NDArray[np.uint32],
    addends: npt.NDArray[np.uint32],
    unit_file: npt.NDArray[np.uint16] | npt.NDArray[np.uint32],
    unit_lines: npt.NDArray[np.uint16] | npt.NDArray[np.uint32],
    unit_tokens: npt.NDArray[np.uint16] | npt.NDArray[np.uint32],
    signatures: npt.NDArray[np.uint8],
    k: int,
    shingle: int,
) -> list[tuple[int, int, int, int, int, int, float]]: ...
def fold_unicode(cps: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.uint32], I64] | None: ...
def unescape(cps: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.uint32], I64, I64] | None: ...
def unescape_entities(cps: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.uint32], I64, I64] | None: ...
def prefix_cuts(cps: npt.NDArray[np.uint32]) -> tuple[I64, I64]: ...
def line_hashes(abstract: U64, line: I32, n_lines: int, skip: int | None = None) -> npt.NDArray[np.uint16]: ...
def encoded_runs(text: str, min_len: int) -> list[tuple[int, int]]: ...

#: (bits, sections, removed, distinct, marked), as merge_postings and patch_postings return them:
#: the sections in the order of leakguard.index.postings.POSTING_SECTIONS.
MergedTables = tuple[int, tuple[npt.NDArray[Any], ...], int, int, list[int]]

def merge_postings(
    hashes: U64,
    tags: npt.NDArray[np.uint16],
    starts: npt.NDArray[np.uint32],
    spans: npt.NDArray[np.uint8],
    counts: npt.NDArray[np.uint32],
    lines: npt.NDArray[np.uint32],
    public_hashes: U64,
    public_tags: npt.NDArray[np.uint16],
    idioms: list[U64],
) -> MergedTables: ...
def patch_postings(
    old_hash_buckets: npt.NDArray[np.uint32],
    old_residues: npt.NDArray[np.uint16],
    old_offset_blocks: npt.NDArray[np.uint32],
    old_offsets: npt.NDArray[np.uint16] | npt.NDArray[np.uint32],
    old_post_loc: npt.NDArray[np.uint8],
    old_post_tag: npt.NDArray[np.uint16],
    old_line_base: npt.NDArray[np.uint32],
    move_file: npt.NDArray[np.uint32],
    move_base: npt.NDArray[np.uint32],
    hashes: U64,
    tags: npt.NDArray[np.uint16],
    starts: npt.NDArray[np.uint32],
    spans: npt.NDArray[np.uint8],
    counts: npt.NDArray[np.uint32],
    file: npt.NDArray[np.uint32],
    base: npt.NDArray[np.uint32],
    public_hashes: U64,
    public_tags: npt.NDArray[np.uint16],
    bits: int,
    lines: int,
    idioms: list[U64],
) -> MergedTables: ...
def sorted_member(values: U64, choices: U64) -> npt.NDArray[np.bool_]: ...
def distinct_change(kept: list[U64], gone: U64, fresh: U64) -> tuple[int, int]: ...
def pack_tables(
    keys: U64, bits: int, offsets: U64, df: npt.NDArray[np.uint32]
) -> tuple[
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint16],
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint16] | npt.NDArray[np.uint32],
    npt.NDArray[np.uint8],
    npt.NDArray[np.uint32],
    npt.NDArray[np.uint16],
]: ...
def pack_df(
    df: npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint32], npt.NDArray[np.uint16]]: ...
def pack_lines(
    hashes: npt.NDArray[np.uint16],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32], npt.NDArray[np.uint16]]: ...
def table_keys(hash_buckets: npt.NDArray[np.uint32], residues: npt.NDArray[np.uint16]) -> U64: ...
def posting_offsets(
    offset_blocks: npt.NDArray[np.uint32], offsets: npt.NDArray[np.uint16] | npt.NDArray[np.uint32]
) -> U64: ...

class Lines:
    def __init__(
        self,
        abstract: U64,
        line: I32,
        start: I64,
        cps: npt.NDArray[np.uint32],
        id: int,
        comma: int,
        sentence_ends: list[int],
    ) -> None: ...
    def copy_bounds(
        self,
        source: npt.NDArray[np.uint16],
        first_pos: int,
        last_pos: int,
        first_line: int,
        max_line: int,
        k: int,
        window: int,
    ) -> tuple[int, int, int, int]: ...

def specials(cps: npt.NDArray[np.uint32], begin: int = 0, end: int | None = None) -> tuple[I64, I64]: ...
def symbol(spelling: bytes, seed: int) -> int: ...
def spelling(cps: npt.NDArray[np.uint32]) -> int: ...
def kgram_hashes(values: U64, k: int) -> U64: ...
def kgram_tags(values: U64, k: int) -> npt.NDArray[np.uint16]: ...
def window_counts(marked: npt.NDArray[np.bool_], k: int) -> I64: ...
