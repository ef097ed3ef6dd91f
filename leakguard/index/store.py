"""The Index: sorted fingerprint tables in memory-mapped arrays, and scanning against them.

Tables (names are the sections of ``index.lgx``; see ``fingerprints/FORMAT.md``):

* the distinct hashes, sorted: ``hash_buckets`` (u32, where each ``b``-bit hash prefix
  starts) and ``residues`` (u16, the next 16 bits of each hash; see
  :mod:`leakguard.index.table`);
* from each hash to its postings, and the number of files holding it: ``offset_blocks``,
  ``offsets``, ``df``, ``df_wide_slots`` and ``df_wide`` (see :mod:`leakguard.index.postings`);
* postings ``post_loc`` (3 or 4 bytes: the global line, the file's ``line_base`` plus
  line - 1, over the lines the k-gram spans in its low bits) and ``post_tag`` (u16,
  concrete-name tag);
* files: ``line_base`` (u32, cumulative line counts), ``paths`` (UTF-8, newline-separated),
  ``file_tokens`` (u32), and the hash of each line that holds code (``line_code``,
  ``line_rank``, ``line_hash``; see :mod:`leakguard.index.lines`);
* MinHash: ``perms``, ``unit_file``, ``unit_lines``, ``unit_tokens`` (u16 where the values
  fit, else u32) and ``signatures`` (u8, b-bit), units in file order.

An Index is immutable once built, so one instance may be shared by any number of threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from leakguard import _core
from leakguard.arrays import concatenated, member_sorted, narrowest
from leakguard.errors import IncompatibleIndexError, IndexFormatError
from leakguard.fingerprint.minhash import b_bit, make_permutations
from leakguard.index.format import read_container, write_container
from leakguard.index.lines import file_line_hashes, line_count_ok, pack_line_hashes
from leakguard.index.postings import (
    MAX_LINES,
    OFFSET_BLOCK_BITS,
    PUBLIC_DF,
    full_df,
    pack_df,
    pack_postings,
    posting_columns,
    posting_count,
    posting_offsets,
    posting_sections,
    posting_tables,
    posting_values,
    posting_words,
    unpack_postings,
)
from leakguard.index.public import PublicSet, check_set
from leakguard.index.table import directory_bits, prefixes, table_prefixes, tagged
from leakguard.normalise.alphabet import ID, NUM, STR, Alphabet, key_id
from leakguard.options import ALPHABET_VERSION, FingerprintParams, ScanPolicy
from leakguard.result import Finding, ScanResult

if TYPE_CHECKING:  # only built indexes need the builder; opening one must stay cheap
    from leakguard.index.build import FileFingerprints
    from leakguard.index.patch import Previous

#: Every section of an index, by the part of the work it does (see fingerprints/FORMAT.md).
#: ``leakguard info`` reports the bytes of each part, so a team that ships an index to every
#: laptop can see what its size is made of.
PARTS: dict[str, tuple[str, ...]] = {
    "postings": ("post_loc", "post_tag"),
    "hash_table": ("hash_buckets", "residues", "offset_blocks", "offsets", "df", "df_wide_slots", "df_wide"),
    "line_hashes": ("line_code", "line_rank", "line_hash"),
    "minhash": ("perms", "unit_file", "unit_lines", "unit_tokens", "signatures"),
    "files": ("line_base", "paths", "file_tokens"),
    "public": ("public_names",),
}
#: Sections an index may lack: ``public_names`` is there when a names set was applied.
OPTIONAL = frozenset({"public_names"})
_REQUIRED = tuple(name for names in PARTS.values() for name in names if name not in OPTIONAL)
_NO_NAMES = np.empty(0, dtype=np.uint64)


def part_bytes(arrays: dict[str, npt.NDArray[Any]]) -> dict[str, int]:
    """Bytes of each part of an index (:data:`PARTS`), from its sections' arrays; sections of
    no part (an index written by a newer leakguard) are counted as ``other``."""
    size = {name: array.nbytes for name, array in arrays.items()}
    # A part made only of optional sections is listed when the index has one of them.
    parts = {part: sum(size.pop(name, 0) for name in names) for part, names in PARTS.items()
             if not OPTIONAL.issuperset(names) or any(name in size for name in names)}  # fmt: skip
    if size:
        parts["other"] = sum(size.values())
    return parts


def _applied(stats: dict[str, Any], public: PublicSet) -> dict[str, Any]:
    """``stats`` with ``public`` added to the list of public sets applied."""
    named = ", ".join(public.sources) if len(public.sources) <= 5 else f"{len(public.sources)} public packages"
    return {**stats, "public_sets": [*stats.get("public_sets", []), f"{public.kind}: {named}"]}


class Index:
    """A loaded or freshly built fingerprint index. Use :meth:`scan` to check text."""

    def __init__(
        self,
        params: FingerprintParams,
        arrays: dict[str, npt.NDArray[Any]],
        stats: dict[str, Any],
        key: bytes = b"",
        _keepalive: object = None,
    ) -> None:
        missing = [name for name in _REQUIRED if name not in arrays]
        if missing:
            raise IndexFormatError(f"index is missing sections: {', '.join(missing)}")
        if params.alphabet != ALPHABET_VERSION:
            raise IncompatibleIndexError(
                f"index uses token alphabet v{params.alphabet}; this leakguard uses v{ALPHABET_VERSION}: rebuild it"
            )
        if key_id(key) != params.key_id:
            if params.key_id and not key:
                raise IncompatibleIndexError("index is keyed: pass its key (--key-file or LEAKGUARD_KEY)")
            raise IncompatibleIndexError("the key given does not match the key the index was built with")
        self.params = params
        self.stats = stats
        self.arrays = arrays
        self.alphabet = Alphabet(key)
        self._key = key
        self._keepalive = _keepalive
        self._paths: list[str] | None = None
        self._labels: dict[str, tuple[str, ...]] | None = None
        self._small_files: npt.NDArray[np.float64] | None = None
        post_loc = arrays["post_loc"]
        postings = arrays["post_tag"].shape[0]
        lines = int(arrays["line_base"][-1]) if arrays["line_base"].shape[0] else 0
        buckets = arrays["hash_buckets"]
        distinct = arrays["residues"].shape[0]
        offsets, blocks = arrays["offsets"], arrays["offset_blocks"]
        if (
            buckets.shape[0] < 2
            or buckets.shape[0] - 1 != 2 ** directory_bits(buckets)
            or int(buckets[-1]) != distinct
            or offsets.shape[0] != distinct + 1
            or blocks.shape[0] != (distinct >> OFFSET_BLOCK_BITS) + 1
            or int(blocks[-1]) + int(offsets[-1]) != postings
            or arrays["df"].shape[0] != distinct
            or arrays["df_wide_slots"].shape != arrays["df_wide"].shape
            or post_loc.ndim != 1
            or posting_count(post_loc, lines) != postings
            or not line_count_ok(arrays, lines)
        ):
            raise IndexFormatError("index is corrupt: the hash table does not match the postings")
        self._post_words = posting_words(post_loc, lines)
        self._table: _core.Table | None = None

    @property
    def table(self) -> _core.Table:
        """The sections a look-up reads, held by the native engine (made on first use)."""
        if self._table is None:
            sections = {name: self.arrays[name] for name in _core.TABLE_SECTIONS if name in self.arrays}
            sections.setdefault("public_names", _NO_NAMES)
            named = [self.alphabet.symbol(symbol) for symbol in (ID, STR, NUM)]
            self._table = _core.Table(sections, named, self.alphabet.literal_symbols())
        return self._table

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_fingerprints(
        cls,
        files: Sequence[FileFingerprints],
        params: FingerprintParams,
        key: bytes = b"",
        exact: Sequence[PublicSet] = (),
        paths: Sequence[str] | None = None,
        previous: Previous | None = None,
        idioms: Sequence[PublicSet] = (),
    ) -> Index:
        """Merge per-file fingerprints into sorted tables (skipped files are counted, not kept).

        ``exact`` public sets are applied on the way, as :meth:`without` would apply them
        afterwards (the same postings go), without building the tables twice; then the
        ``idioms`` sets, in order, as :meth:`without` would mark them (their shapes' ``df``
        saturated), on the merged prefixes rather than on prefixes rebuilt from the table.
        ``paths`` names the files in the index (default: each file's ``relative``).
        ``previous``, the index this one replaces and the files it was merged from, is
        patched instead when it can be (:mod:`leakguard.index.patch`): the same index,
        from one pass over its postings.
        """
        names = [f.relative for f in files] if paths is None else list(paths)
        if len(names) != len(files):
            raise ValueError("one path per file")
        kept_names = [name for f, name in zip(files, names, strict=True) if f.skipped is None]
        kept = [f for f in files if f.skipped is None]
        n_files = len(kept)
        line_counts = np.asarray([f.lines for f in kept], dtype=np.int64)
        line_base = np.concatenate(([0], np.cumsum(line_counts))).astype(np.int64)
        if line_base[-1] >= MAX_LINES:
            raise IndexFormatError(
                f"too many lines for one index ({int(line_base[-1]):,}; at most {MAX_LINES - 1:,}): "
                "split the sources over several indexes"
            )
        for public in exact:
            check_set(public, params)
            if public.kind != "exact":
                raise ValueError(f"from_fingerprints takes exact sets as exact, not {public.kind!r} ones")
        for public in idioms:
            check_set(public, params)
            if public.kind != "idiom":
                raise ValueError(f"from_fingerprints takes idiom sets as idioms, not {public.kind!r} ones")
        # Sorted by (hash prefix, tag, line), so the scan side can bisect the postings of a
        # hash too common to be evidence on its own for the exact copies among them. The
        # idiom sets' shapes are marked as the sections are packed (their counts saturated).
        idiom_hashes = [np.ascontiguousarray(public.hashes, dtype=np.uint64) for public in idioms]
        tables: _core.MergedTables | None = None
        units = None
        if previous is not None:
            from leakguard.index.patch import patched_tables

            patched = patched_tables(previous, kept, exact, params, idiom_hashes)
            if patched is not None:
                tables, units = patched.tables, patched.units
        if tables is None:
            tables = _core.merge_postings(
                *posting_columns(kept),
                line_counts.astype(np.uint32),
                concatenated([public.hashes for public in exact], np.uint64),
                concatenated([public.tags for public in exact], np.uint16),
                idiom_hashes,
            )
        _, sections, removed, distinct, marked = tables
        # The distinct hashes fix the table's bucket bits; a patch needs the count.
        stats: dict[str, Any] = {"distinct_hashes": distinct}
        if exact:
            for public in exact:
                stats = _applied(stats, public)
            stats["public_removed"] = removed
        for public, count in zip(idioms, marked, strict=True):
            stats = _applied({**stats, "public_marked": int(stats.get("public_marked", 0)) + count}, public)
        arrays = posting_sections(sections)
        arrays.update({
            "line_base": line_base.astype(np.uint32),
            "paths": np.frombuffer("\n".join(kept_names).encode("utf-8"), dtype=np.uint8),
            "file_tokens": np.asarray([f.tokens for f in kept], dtype=np.uint32),
        })  # fmt: skip
        arrays.update(pack_line_hashes(np.concatenate([f.line_hashes for f in kept]) if kept else np.empty(0)))
        arrays.update(units if units is not None else _minhash_tables(kept, params))
        stats = {
            **stats,
            "files": n_files,
            "skipped_files": len(files) - n_files,
            "lines": int(line_base[-1]),
            "tokens": int(sum(f.tokens for f in kept)),
            "fingerprints": int(arrays["post_tag"].shape[0]),
            "unique_fingerprints": int(arrays["residues"].shape[0]),
            "units": int(arrays["unit_file"].shape[0]),
            "languages": _language_counts(kept),
        }
        return cls(params, arrays, stats, key)

    def without(self, public: PublicSet) -> Index:
        """A copy of this index that no longer takes ``public`` code for evidence.

        An exact set takes out the postings whose hash and concrete tag both match (copies
        of that code). An idiom set marks its hashes as common (``df`` saturated): like a
        shape held by too many indexed files, such a shape then counts only where the
        scanned names match the indexed ones, never on its structure alone (see
        :mod:`leakguard.index.public`). The MinHash tables are kept: near-duplicate
        evidence is only sought where exact fingerprints already matched.
        """
        check_set(public, self.params)
        a = self.arrays
        arrays = dict(a)
        stats = dict(self.stats)
        if public.kind == "names":  # a table the scan consults: the postings stay as they are
            arrays["public_names"] = np.union1d(a.get("public_names", np.empty(0, np.uint64)), public.hashes)
            stats["public_names"] = int(arrays["public_names"].shape[0])
            return Index(self.params, arrays, _applied(stats, public), self._key)
        bits = directory_bits(a["hash_buckets"])
        unique_keys = table_prefixes(a)
        offsets = posting_offsets(a)
        counts = offsets[1:] - offsets[:-1]
        public_keys = prefixes(public.hashes, bits)
        if public.kind == "idiom":
            df, stats = _marked(public, unique_keys, counts, full_df(a), bits, stats)
            arrays.update(pack_df(df))
        else:
            keys = np.repeat(unique_keys, counts)
            tags = np.asarray(a["post_tag"])
            # (prefix, tag) as one order-preserving value: the postings' are sorted already,
            # which makes the search cache-friendly (prefixes have at most 48 bits).
            drop = member_sorted(tagged(keys, tags), tagged(public_keys, public.tags))
            keep = ~drop
            loc, spans = unpack_postings(posting_values(self._post_words, self.n_lines)[keep], self.n_lines)
            packed = pack_postings(loc, spans, self.n_lines)
            file_ids = self._file_of_line()[loc]
            # The same bucket bits: residues cannot be recomputed for other bits without the hashes.
            arrays.update(posting_tables(keys[keep], bits, packed, tags[keep], file_ids))
            marked = unique_keys[full_df(a) == PUBLIC_DF]  # idiom sets applied before stay applied
            arrays.update(pack_df(np.where(member_sorted(table_prefixes(arrays), marked), PUBLIC_DF, full_df(arrays))))
            stats["public_removed"] = int(stats.get("public_removed", 0)) + int(np.count_nonzero(drop))
            stats = _applied(stats, public)
        stats["unique_fingerprints"] = int(arrays["residues"].shape[0])
        stats["fingerprints"] = int(arrays["post_tag"].shape[0])
        return Index(self.params, arrays, stats, self._key)

    # -- persistence --------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the index atomically to ``directory/index.lgx``; returns the file's path."""
        header = {"params": self.params.to_json(), "stats": self.stats, "generator": "leakguard"}
        return write_container(Path(directory), header, self.arrays)

    @classmethod
    def load(cls, directory: str | Path, key: bytes = b"", verify: bool = False) -> Index:
        """Memory-map an index written by :meth:`save` (checksums only when ``verify``)."""
        container = read_container(Path(directory), verify=verify)
        try:
            params = FingerprintParams.from_json(container.header["params"])
        except (KeyError, TypeError) as exc:
            raise IndexFormatError(f"index at {directory} has no valid parameters") from exc
        except Exception as exc:  # ConfigError from out-of-range values
            raise IndexFormatError(f"index at {directory} has invalid parameters: {exc}") from exc
        return cls(params, container.arrays, dict(container.header.get("stats", {})), key, _keepalive=container)

    # -- queries --------------------------------------------------------------------------

    @property
    def paths(self) -> list[str]:
        """Indexed file names, by file id."""
        if self._paths is None:
            raw = self.arrays["paths"].tobytes().decode("utf-8")
            self._paths = raw.split("\n") if raw else []
        return self._paths

    @property
    def small_files(self) -> npt.NDArray[np.float64]:
        """Token count of each densely fingerprinted file (``params.dense_below``), 0 for others."""
        if self._small_files is None:
            tokens = np.asarray(self.arrays["file_tokens"], dtype=np.float64)
            self._small_files = np.where(tokens < self.params.dense_below, tokens, 0.0)
        return self._small_files

    @property
    def n_lines(self) -> int:
        """Number of indexed lines, over all files."""
        return int(self.arrays["line_base"][-1])

    @property
    def n_files(self) -> int:
        """Number of indexed files."""
        return int(self.arrays["line_base"].shape[0] - 1)

    def postings(self, post: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
        """File id, first line (1-based) and last line of the k-gram of each posting."""
        loc, span = unpack_postings(posting_values(self._post_words, self.n_lines, post), self.n_lines)
        files, lines = self.file_and_line(loc)
        return files, lines, lines + span

    def line_hashes(self, file: int) -> npt.NDArray[np.uint16]:
        """The 16-bit hash of each line of an indexed file (index ``line - 1``), 0 for lines without code."""
        base = self.arrays["line_base"]
        return file_line_hashes(self.arrays, int(base[file]), int(base[file + 1]))

    def _file_of_line(self) -> npt.NDArray[np.int64]:
        """The file id of every global line (a table: one gather instead of a bisection per posting)."""
        base = np.asarray(self.arrays["line_base"], dtype=np.int64)
        return np.repeat(np.arange(base.shape[0] - 1, dtype=np.int64), np.diff(base))

    def file_and_line(self, loc: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Split global line numbers into (file id, 1-based line in that file)."""
        base = self.arrays["line_base"].astype(np.int64)
        files = np.searchsorted(base, loc, side="right") - 1
        return files, loc - base[files] + 1

    @property
    def key(self) -> bytes:
        """The secret the index was built with (b"" when unkeyed): needed to open it elsewhere."""
        return self._key

    @property
    def source_labels(self) -> dict[str, tuple[str, ...]]:
        """Each indexed source's labels (``"name=value"``, sorted), by source name (see
        :mod:`leakguard.index.merge`); sources without labels are left out."""
        if self._labels is None:
            sources = self.stats.get("sources", [])
            self._labels = {
                str(source["name"]): tuple(sorted(f"{name}={value}" for name, value in source["labels"].items()))
                for source in sources
                if isinstance(source, dict) and isinstance(source.get("labels"), dict) and source["labels"]
            }
        return self._labels

    def labelled(self, findings: list[Finding], warn_labels: Sequence[str] = ()) -> list[Finding]:
        """``findings`` with their source's labels, marked ``warn`` where ``warn_labels`` names one."""
        labels = self.source_labels
        if not labels or not findings:
            return findings
        several = len(self.stats.get("sources", [])) > 1
        only = next(iter(labels.values()))
        out = []
        for finding in findings:
            found = labels.get(finding.path.partition("/")[0], ()) if several else only
            if found:
                finding = replace(finding, labels=found, warn=any(label in warn_labels for label in found))
            out.append(finding)
        return out

    def check_compatible(self, other: Index) -> None:
        """Raise IncompatibleIndexError unless both indexes hash text the same way."""
        if self.params != other.params:
            raise IncompatibleIndexError(
                f"indexes were built with different parameters: {self.params.to_json()} vs {other.params.to_json()}"
            )

    def scan(self, text: str, policy: ScanPolicy | None = None) -> ScanResult:
        """Scan text for indexed code and decide whether it leaks (see :class:`ScanResult`)."""
        from leakguard.scanner import scan_text

        return scan_text(self, text, policy)


def _marked(
    public: PublicSet,
    keys: npt.NDArray[np.uint64],
    counts: npt.NDArray[Any],
    df: npt.NDArray[Any],
    bits: int,
    stats: dict[str, Any],
) -> tuple[npt.NDArray[Any], dict[str, Any]]:
    """``df`` with the idiom set's shapes saturated (:data:`PUBLIC_DF`), for a table of
    ``b = bits`` whose distinct prefixes are ``keys`` with ``counts`` postings each, and
    ``stats`` with the postings marked counted and the set recorded."""
    common = member_sorted(keys, prefixes(public.hashes, bits))
    marked = int(stats.get("public_marked", 0)) + int(counts[common].sum())
    return np.where(common, PUBLIC_DF, df), _applied({**stats, "public_marked": marked}, public)


def _language_counts(files: Sequence[FileFingerprints]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in files:
        name = f.language or "other"
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


def _minhash_tables(files: Sequence[FileFingerprints], params: FingerprintParams) -> dict[str, npt.NDArray[Any]]:
    perm = params.minhash_perm
    sigs = [f.signatures for f in files if f.signatures is not None]
    units = [f.unit_tokens.shape[0] for f in files]
    # np.concatenate over axis 0, not vstack: a company's index has 50,000 files.
    signatures = b_bit(np.concatenate(sigs, axis=0)) if sigs else np.empty((0, perm), np.uint8)
    lines = [f.unit_lines.reshape(-1, 2) for f in files]
    return {
        "perms": make_permutations(perm, params.minhash_seed),
        "unit_file": narrowest(np.repeat(np.arange(len(files), dtype=np.uint32), units)),
        "unit_lines": narrowest(np.concatenate(lines, axis=0) if files else np.empty((0, 2))),
        "unit_tokens": narrowest(np.concatenate([f.unit_tokens for f in files]) if files else np.empty(0)),
        "signatures": signatures,
    }
