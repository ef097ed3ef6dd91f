"""Patching an index after a few of its files changed: the merge of an incremental build.

Every build ends by merging the postings of all its files into sorted tables
(:meth:`leakguard.index.store.Index.from_fingerprints`). An incremental build that
changed 1% of a company's files would sort the other 99% again. Instead, when the index
being replaced is known to be the merge of the files the update started from, the
engine's patch (``native/engine/src/patch.rs``) reads its tables in order, drops the
postings of the files that changed or went, moves the others to their new lines and
merges in the sorted postings of the new files: one pass, and the same tables a full
merge gives, byte for byte (``tests/index/test_patch.py``). The MinHash sections are
spliced the same way (the old rows of the kept files, the new files' put in); the files,
lines and statistics are built from the files as in a full merge.

The old index is patched only when all of these hold, else the build merges in full:

* its statistics record the digest of its inputs (:func:`inputs_digest`: every file's
  path and content digest in order, the parameters, the exact public sets applied, the
  public code allowed) and it equals that of the files the update started from, with
  the same exact sets and nothing allowed;
* every file kept from it is the very same fingerprinted file (not a copy), and the
  kept files keep their order;
* the new index has the same bucket directory (``b`` grows with the distinct hashes,
  which the old index records and the patch counts: :func:`_distinct`) and packs lines
  and spans the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import xxhash

from leakguard import _core
from leakguard.arrays import concatenated, member, narrowest
from leakguard.fingerprint.minhash import b_bit
from leakguard.index.postings import posting_columns
from leakguard.index.shard import hash_runs
from leakguard.index.table import bucket_bits, directory_bits, prefixes, tagged
from leakguard.options import FingerprintParams

if TYPE_CHECKING:
    from leakguard.index.build import FileFingerprints
    from leakguard.index.public import PublicSet
    from leakguard.index.shard import Shard
    from leakguard.index.store import Index

#: Statistic of an index that records the digest of its inputs.
INPUTS = "inputs"
#: The value of ``move_file`` for an old file whose postings go.
_GONE = np.iinfo(np.uint32).max


@dataclass(frozen=True)
class Previous:
    """The index a build replaces, and every file (in order, skipped ones too) it was merged from."""

    index: Index
    files: Sequence[FileFingerprints]

    def permutations(self, params: FingerprintParams) -> npt.NDArray[np.uint32] | None:
        """The MinHash permutations the index holds (see :func:`index_permutations`)."""
        return index_permutations(self.index, params)


def index_permutations(index: Index, params: FingerprintParams) -> npt.NDArray[np.uint32] | None:
    """The MinHash permutations ``index`` holds, when it was built with ``params`` (they
    are then the ones datasketch draws for them); None otherwise."""
    perms = index.arrays.get("perms")
    if index.params != params or perms is None or perms.shape != (2, params.minhash_perm):
        return None
    return np.array(perms, dtype=np.uint32)


def previous_build(directory: Path, shards: Mapping[str, Shard], key: bytes) -> Previous | None:
    """The index at ``directory`` and the files of ``shards`` it lists, in its order; None
    when there is no readable index there or it names a source the shards lack. Whether
    those are really the files it was merged from is checked before it is patched.

    The index is verified whole (every section's checksum, a few hundredths of a second
    for a company's index): a patch copies its postings, and a damaged section copied
    into a new file would get a new, matching checksum."""
    from leakguard.errors import LeakguardError
    from leakguard.index.store import Index

    try:
        index = Index.load(directory, key, verify=True)
    except LeakguardError:
        return None
    sources = index.stats.get("sources", [])
    names = [source.get("name") for source in sources if isinstance(source, dict)]
    if len(names) != len(sources) or any(name not in shards for name in names):
        return None
    return Previous(index, [f for name in names for f in shards[str(name)].files])


def inputs_digest(
    files: Sequence[FileFingerprints],
    params: FingerprintParams,
    exact: Sequence[PublicSet],
    allowed: Sequence[str] = (),
) -> str:
    """xxh3-64 (hex) of what an index's postings are a function of: each file's path,
    content digest and skip reason in order, the parameters, the exact public sets
    (their content) and the public code allowed."""
    digest = xxhash.xxh3_64()
    digest.update(json.dumps([params.to_json(), list(allowed)], separators=(",", ":")).encode())
    digest.update(
        "".join(f"\n{f.relative}\0{f.digest}\0{f.skipped or ''}" for f in files).encode("utf-8", "surrogatepass")
    )
    for public in exact:
        digest.update(np.ascontiguousarray(public.hashes, dtype="<u8").tobytes())
        digest.update(np.ascontiguousarray(public.tags, dtype="<u2").tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Patched:
    """What a patch gives: the posting tables as the engine's ``merge_postings`` returns
    them, and the MinHash sections (the old rows of the files kept, the new files' put in)."""

    tables: _core.MergedTables
    units: dict[str, npt.NDArray[Any]]


def patched_tables(
    previous: Previous,
    kept: Sequence[FileFingerprints],
    exact: Sequence[PublicSet],
    params: FingerprintParams,
    idioms: Sequence[npt.NDArray[np.uint64]] = (),
) -> Patched | None:
    """The posting tables and MinHash sections of ``kept`` (the files of the new index),
    patched from ``previous``, the shapes of the ``idioms`` sets (their hashes) marked;
    None when they cannot be (see the module's conditions): merge in full then."""
    old = previous.index
    if old.stats.get(INPUTS) != inputs_digest(previous.files, params, exact) or old.params != params:
        return None
    before = [f for f in previous.files if f.skipped is None]
    if len(before) != old.n_files:
        return None
    new_id = {id(f): i for i, f in enumerate(kept)}
    move_file = np.asarray([new_id.get(id(f), _GONE) for f in before], dtype=np.uint32)
    staying = move_file[move_file != _GONE]
    if np.any(staying[1:] <= staying[:-1]):
        return None  # the kept files change order: their postings would too
    line_base = np.concatenate(([0], np.cumsum([f.lines for f in kept], dtype=np.int64)))
    move_base = np.where(move_file != _GONE, line_base[np.minimum(move_file, len(kept))], 0).astype(np.uint32)
    is_new = np.ones(len(kept), dtype=bool)
    is_new[staying] = False
    fresh = np.flatnonzero(is_new)
    new = [kept[i] for i in fresh.tolist()]
    gone = [f for f, to in zip(before, move_file.tolist(), strict=True) if to == _GONE]
    distinct = _distinct(old, before, move_file, gone, new)
    if distinct is None or bucket_bits(distinct) != directory_bits(old.arrays["hash_buckets"]):
        return None  # a table of another size (or of unknown size): every prefix changes
    bits = bucket_bits(distinct)
    public = (concatenated([p.hashes for p in exact], np.uint64), concatenated([p.tags for p in exact], np.uint16))
    a = old.arrays
    try:
        tables = _core.patch_postings(
            np.asarray(a["hash_buckets"], dtype=np.uint32),
            np.asarray(a["residues"], dtype=np.uint16),
            np.asarray(a["offset_blocks"], dtype=np.uint32),
            a["offsets"],
            np.ascontiguousarray(a["post_loc"]),
            np.ascontiguousarray(a["post_tag"]),
            np.ascontiguousarray(a["line_base"], dtype=np.uint32),
            move_file,
            move_base,
            *posting_columns(new),
            fresh.astype(np.uint32),
            line_base[fresh].astype(np.uint32),
            *public,
            bits,
            int(line_base[-1]),
            list(idioms),
        )
    except ValueError:
        return None  # another packing, or tables that do not hang together: merge in full
    _, sections, fresh_removed, _, marked = tables
    removed = int(old.stats.get("public_removed", 0)) - _public_postings(gone, public, bits) + fresh_removed
    return Patched((bits, sections, removed, distinct, marked), _units(a, move_file, fresh, new, len(kept)))


def _units(
    a: dict[str, npt.NDArray[Any]],
    move_file: npt.NDArray[np.uint32],
    fresh: npt.NDArray[np.int64],
    new: Sequence[FileFingerprints],
    files: int,
) -> dict[str, npt.NDArray[Any]]:
    """The MinHash sections of the new index of ``files`` files: each kept file's rows of
    the old ones (units are stored in file order), each new file's (``new``, at the places
    ``fresh``) from its fingerprints, in the new order."""
    old_file = np.asarray(a["unit_file"], dtype=np.int64)
    old_counts = np.bincount(old_file, minlength=move_file.shape[0])
    old_starts = np.concatenate(([0], np.cumsum(old_counts)[:-1]))
    new_counts = np.asarray([f.unit_tokens.shape[0] for f in new], dtype=np.int64)
    # Every row of the new index, as a row of the old sections followed by the new files'.
    counts = np.zeros(files, dtype=np.int64)
    starts = np.zeros(files, dtype=np.int64)
    staying = move_file != _GONE
    counts[move_file[staying]] = old_counts[staying]
    starts[move_file[staying]] = old_starts[staying]
    counts[fresh] = new_counts
    starts[fresh] = old_file.shape[0] + np.concatenate(([0], np.cumsum(new_counts)[:-1]))
    ends = np.cumsum(counts)
    take = np.arange(int(ends[-1]) if ends.shape[0] else 0) + np.repeat(starts - (ends - counts), counts)
    sigs = [f.signatures for f in new if f.signatures is not None]
    perm = a["signatures"].shape[1]
    return {
        "perms": np.array(a["perms"]),
        "unit_file": narrowest(np.repeat(np.arange(files, dtype=np.uint32), counts)),
        "unit_lines": narrowest(_rows(a["unit_lines"], [f.unit_lines.reshape(-1, 2) for f in new], take)),
        "unit_tokens": narrowest(_rows(a["unit_tokens"], [f.unit_tokens for f in new], take)),
        "signatures": _rows(a["signatures"], [b_bit(np.concatenate(sigs, axis=0))] if sigs else [], take)
        if sigs or a["signatures"].shape[0]
        else np.empty((0, perm), np.uint8),
    }


def _rows(old: npt.NDArray[Any], new: list[npt.NDArray[Any]], take: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    """Rows ``take`` of the old rows followed by the new ones (in the old rows' dtype, widened to u32 if need be)."""
    dtype = np.uint8 if old.dtype == np.uint8 else np.uint32
    joined = np.concatenate([np.asarray(old, dtype=dtype), *(np.asarray(part, dtype=dtype) for part in new)], axis=0)
    return joined[take]


def _distinct(
    old: Index,
    before: Sequence[FileFingerprints],
    move_file: npt.NDArray[np.uint32],
    gone: Sequence[FileFingerprints],
    new: Sequence[FileFingerprints],
) -> int | None:
    """The distinct hashes of the new index: the old count, less those only the files that
    go held, plus those only the new files hold. None when the old index does not say."""
    count = old.stats.get("distinct_hashes")
    if not isinstance(count, int):
        return None
    kept = [f for f, to in zip(before, move_file.tolist(), strict=True) if to != _GONE]
    lost, gained = _core.distinct_change(
        hash_runs(kept),
        concatenated([f.hashes for f in gone], np.uint64),
        concatenated([f.hashes for f in new], np.uint64),
    )
    return count - lost + gained


def _public_postings(
    files: Sequence[FileFingerprints], public: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint16]], bits: int
) -> int:
    """How many postings of ``files`` a table of ``b = bits`` drops as exact public code."""
    if not files or public[0].shape[0] == 0:
        return 0
    pairs = tagged(prefixes(public[0], bits), public[1])
    hashes = concatenated([f.hashes for f in files], np.uint64)
    tags = concatenated([f.tags for f in files], np.uint16)
    return int(np.count_nonzero(member(tagged(prefixes(hashes, bits), tags), pairs)))
