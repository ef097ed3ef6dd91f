"""Shards: the per-file fingerprints of one repository, kept so that a later build redoes only what changed.

A shard holds, for every file of one source (a repository root), exactly what
:func:`leakguard.index.build.fingerprint_text` produced for it (hashes, lines, tags, line
hashes, MinHash units), plus the file's content digest. What each source was when it was
last read (its git commit, and the files that differed from that commit) is kept apart,
in ``shards/sources.json``, so that a new commit does not rewrite every shard of a
monorepo. It holds no source text, like an index. An index (``index.lgx``) is the merge of its shards in the
order the sources were given; merging is a pure function of the shards, so an index
merged from shards kept up to date is the index a full build writes (byte for byte).

File ``shards/<name>.lgs`` beside ``index.lgx``, in the index's container format
(:mod:`leakguard.index.format`); header::

    kind      "leakguard-shard"
    params    the fingerprint parameters (as in an index)
    source    {"name", "root"}
    files     [[relative path, xxh3-64 digest of the bytes (hex), language or null,
               lines, tokens, skip reason or null], ...] in walk order

    id        xxh3-64 (hex) of the JSON of ``files``: what a delta names as its base

Sections (per-file values concatenated in file order, with a count per file):
``hashes`` <u8, ``start_lines`` <u4, ``spans`` u1, ``tags`` <u2 and ``fingerprints``
(<u4 count per file); ``line_hashes`` <u2 and ``line_counts``; ``unit_lines`` <u4 (U, 2),
``unit_tokens`` <u4, ``signatures`` <u4 (U, perm) and ``unit_counts``.

**Deltas.** An update that changes a few files of a large source does not rewrite its
shard: it writes ``shards/<name>.lgd`` beside it, a container of the same sections for
only the files that differ from the shard (the *base*), with the header::

    kind      "leakguard-shard-delta"
    params, source   as in the shard
    base      the ``id`` of the shard it applies to
    files     the source's whole file list in walk order, each entry as in a shard plus a
              last field: true when the file's data is in the delta, false when the
              base holds it (same path and digest)

Reading a source reads its shard, then its delta when the delta names that shard as its
base (a delta left over from before the shard was rewritten names another and is
ignored). An update rewrites the delta; once the delta holds more than a quarter of the
source's fingerprints, it writes a new shard instead and removes the delta (compaction).
Both writes are atomic and the shard is written first, so a crash leaves a readable
source either way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from leakguard.arrays import concatenated
from leakguard.errors import IndexFormatError
from leakguard.index.build import FileFingerprints, file_digest
from leakguard.index.format import read_container, write_container
from leakguard.index.postings import posting_columns
from leakguard.options import FingerprintParams

SHARD_DIR = "shards"
SHARD_SUFFIX = ".lgs"
DELTA_SUFFIX = ".lgd"
STATES_FILE = "sources.json"
KIND = "leakguard-shard"
DELTA_KIND = "leakguard-shard-delta"
#: A delta holding more than this share of its source's fingerprints is folded into a new shard.
COMPACT_SHARE = 0.25


@dataclass(frozen=True)
class SourceState:
    """What a source was when it was read: its root, git commit, and files that differed from it."""

    name: str
    root: str
    commit: str | None = None
    dirty: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "root": self.root, "commit": self.commit, "dirty": list(self.dirty)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceState:
        return cls(str(data["name"]), str(data["root"]), data.get("commit"), tuple(data.get("dirty", ())))


@dataclass(frozen=True)
class Base:
    """The shard file a source was read from: its id and each of its files' digests, by path."""

    id: str
    digests: dict[str, str]


@dataclass
class Shard:
    """One source's files, fingerprinted (each with its content digest), in walk order.

    ``base`` is the shard file it was read from, if any: saving it again writes only a
    delta from that file (:func:`save_changes`)."""

    source: SourceState
    files: list[FileFingerprints] = field(default_factory=list)
    base: Base | None = None


def shard_path(directory: Path, name: str) -> Path:
    return directory / SHARD_DIR / f"{name}{SHARD_SUFFIX}"


def delta_path(directory: Path, name: str) -> Path:
    return directory / SHARD_DIR / f"{name}{DELTA_SUFFIX}"


def save_shard(directory: Path, shard: Shard, params: FingerprintParams) -> Path:
    """Write ``shard`` atomically to ``directory/shards/<name>.lgs`` (and drop its delta)."""
    entries = [_entry(f) for f in shard.files]
    header = {
        "kind": KIND,
        "params": params.to_json(),
        "source": {"name": shard.source.name, "root": shard.source.root},
        "files": entries,
        "id": _files_id(entries),
    }
    target = shard_path(directory, shard.source.name)
    path = write_container(target.parent, header, _arrays(shard.files, params), filename=target.name, manifest=False)
    delta_path(directory, shard.source.name).unlink(missing_ok=True)
    return path


def save_changes(directory: Path, shard: Shard, params: FingerprintParams) -> Path:
    """Write what differs in ``shard`` from the shard file it was read from, as a delta;
    the whole shard when it has no base (or one without an id), or when the delta would
    hold more than :data:`COMPACT_SHARE` of its fingerprints."""
    base = shard.base
    if base is None or not base.id or not shard_path(directory, shard.source.name).is_file():
        return save_shard(directory, shard, params)  # a shard written before deltas has no id
    stored = [base.digests.get(f.relative) != f.digest for f in shard.files]
    held = sum(f.hashes.shape[0] for f, mine in zip(shard.files, stored, strict=True) if mine)
    if held > COMPACT_SHARE * max(1, sum(f.hashes.shape[0] for f in shard.files)):
        return save_shard(directory, shard, params)
    header = {
        "kind": DELTA_KIND,
        "params": params.to_json(),
        "source": {"name": shard.source.name, "root": shard.source.root},
        "base": base.id,
        "files": [[*_entry(f), mine] for f, mine in zip(shard.files, stored, strict=True)],
    }
    files = [f for f, mine in zip(shard.files, stored, strict=True) if mine]
    target = delta_path(directory, shard.source.name)
    return write_container(target.parent, header, _arrays(files, params), filename=target.name, manifest=False)


def _entry(f: FileFingerprints) -> list[Any]:
    return [f.relative, f.digest, f.language, f.lines, f.tokens, f.skipped]


def _files_id(entries: list[Any]) -> str:
    return file_digest(json.dumps(entries, separators=(",", ":")).encode())


def _arrays(files: Sequence[FileFingerprints], params: FingerprintParams) -> dict[str, npt.NDArray[Any]]:
    perm = params.minhash_perm
    sigs = [f.signatures for f in files if f.signatures is not None and f.signatures.shape[0]]
    hashes, tags, start_lines, spans, counts = posting_columns(files)
    return {
        "hashes": hashes,
        "start_lines": start_lines,
        "spans": spans,
        "tags": tags,
        "fingerprints": counts,
        "line_hashes": concatenated([f.line_hashes for f in files], np.uint16),
        "line_counts": np.asarray([f.line_hashes.shape[0] for f in files], dtype=np.uint32),
        "unit_lines": np.vstack([f.unit_lines.reshape(-1, 2) for f in files]).astype(np.uint32)
        if files
        else np.empty((0, 2), np.uint32),
        "unit_tokens": concatenated([f.unit_tokens for f in files], np.uint32),
        "signatures": np.vstack(sigs).astype(np.uint32) if sigs else np.empty((0, perm), np.uint32),
        "unit_counts": np.asarray([f.unit_tokens.shape[0] for f in files], dtype=np.uint32),
    }


def shard_params(path: Path) -> FingerprintParams:
    """The parameters a shard was written with (its header only; the data is not checked)."""
    from leakguard.errors import ConfigError

    header = read_container(path.parent, filename=path.name).header
    try:
        return FingerprintParams.from_json(header["params"])
    except (KeyError, TypeError, ValueError, ConfigError) as exc:
        raise IndexFormatError(f"{path} has no valid parameters") from exc


def load_shard(path: Path, params: FingerprintParams, states: dict[str, SourceState] | None = None) -> Shard:
    """Read a shard written with ``params``, and its delta; IndexFormatError if either is
    damaged or was made otherwise.

    ``states`` (from :func:`load_states`) gives the source its recorded commit, when it was
    recorded for the same root."""
    header, arrays = _read(path, KIND, params)
    try:
        source = SourceState(str(header["source"]["name"]), str(header["source"]["root"]))
        files = _files(header["files"], arrays)
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexFormatError(f"{path} is a damaged shard ({exc}): rebuild with 'leakguard index --full'") from exc
    base = Base(str(header.get("id", "")), {f.relative: f.digest for f in files})
    delta = path.with_suffix(DELTA_SUFFIX)
    if base.id and delta.is_file():
        files = _with_delta(delta, params, base, files)
    state = (states or {}).get(source.name)
    return Shard(state if state is not None and state.root == source.root else source, files, base)


def _read(path: Path, kind: str, params: FingerprintParams) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    container = read_container(path.parent, filename=path.name, verify=True)
    header = container.header
    if header.get("kind") != kind:
        raise IndexFormatError(f"{path} is not a leakguard {'shard' if kind == KIND else 'shard delta'}")
    if header.get("params") != params.to_json():
        raise IndexFormatError(f"{path} was built with other parameters")
    return header, container.arrays


def _with_delta(
    path: Path, params: FingerprintParams, base: Base, files: list[FileFingerprints]
) -> list[FileFingerprints]:
    """The source's files: the delta's list, each file from the delta or from the base."""
    header, arrays = _read(path, DELTA_KIND, params)
    if header.get("base") != base.id:
        return files  # left from before its shard was rewritten: the shard is newer
    try:
        listed = header["files"]
        stored = iter(_files([entry[:6] for entry in listed if entry[6]], arrays))
        by_path = {f.relative: f for f in files}
        out = []
        for entry in listed:
            if entry[6]:
                out.append(next(stored))
            elif base.digests.get(entry[0]) != entry[1]:
                raise ValueError(f"{entry[0]} is not in its base as listed")
            else:
                out.append(by_path[entry[0]])
        return out
    except (KeyError, TypeError, ValueError, IndexError, StopIteration) as exc:
        raise IndexFormatError(
            f"{path} is a damaged shard delta ({exc}): rebuild with 'leakguard index --full'"
        ) from exc


def _files(listed: list[Any], a: dict[str, npt.NDArray[Any]]) -> list[FileFingerprints]:
    """The files ``listed`` (shard header entries), their data cut from the sections ``a``."""
    counts = [np.asarray(a[name], dtype=np.int64) for name in ("fingerprints", "line_counts", "unit_counts")]
    if not all(c.shape[0] == len(listed) for c in counts):
        raise ValueError("file counts differ")
    ends = [np.concatenate(([0], np.cumsum(c))).tolist() for c in counts]
    if (
        ends[0][-1] != a["hashes"].shape[0]
        or ends[1][-1] != a["line_hashes"].shape[0]
        or ends[2][-1] != a["unit_tokens"].shape[0]
    ):
        raise ValueError("section lengths differ from the file counts")
    hashes, start_lines, spans, tags = a["hashes"], a["start_lines"], a["spans"], a["tags"]
    unit_lines, unit_tokens, signatures = a["unit_lines"], a["unit_tokens"], a["signatures"]
    line_hashes = a["line_hashes"]
    files: list[FileFingerprints] = []
    # Views into the mapped file, not copies (the mapping lives as long as they do). An
    # update reads every file of every shard: this loop is kept to the slicing itself.
    fingerprints, lines_at, units_at = ends
    for (relative, digest, language, lines, tokens, skipped), f0, f1, l0, l1, u0, u1 in zip(
        listed,
        fingerprints[:-1],
        fingerprints[1:],
        lines_at[:-1],
        lines_at[1:],
        units_at[:-1],
        units_at[1:],
        strict=True,
    ):
        files.append(
            FileFingerprints(
                str(relative),
                language,
                int(lines),
                int(tokens),
                hashes[f0:f1],
                start_lines[f0:f1],
                spans[f0:f1],
                tags[f0:f1],
                unit_lines[u0:u1],
                unit_tokens[u0:u1],
                signatures[u0:u1] if u1 > u0 else None,
                line_hashes[l0:l1],
                skipped,
                str(digest),
                (hashes, f0),
            )
        )
    return files


def hash_runs(files: Sequence[FileFingerprints]) -> list[npt.NDArray[np.uint64]]:
    """The hashes of ``files``, in order, as few arrays: the files read one after another
    from one shard section (:attr:`FileFingerprints.origin`) as one view of it, any other
    file's hashes as they are; no empty array.

    The native engine checks every array it is given against the others of its buffer (a
    cost that grows with their square): 50,000 views of one section took it 5 s."""
    out: list[npt.NDArray[np.uint64]] = []
    section: npt.NDArray[np.uint64] | None = None
    start = end = 0
    for f in files:
        count = f.hashes.shape[0]
        if not count:
            continue
        origin = f.origin
        if origin is not None and origin[0] is section and origin[1] == end:
            end += count
            continue
        if section is not None:
            out.append(section[start:end])
            section = None
        if origin is None:
            out.append(f.hashes)
        else:
            section, start, end = origin[0], origin[1], origin[1] + count
    if section is not None:
        out.append(section[start:end])
    return out


def save_states(directory: Path, states: Sequence[SourceState]) -> None:
    """Write ``shards/sources.json``: each source's commit and modified files, by name (atomically)."""
    from leakguard.index.format import write_text_atomic

    data = {state.name: state.to_json() for state in states}
    write_text_atomic(directory / SHARD_DIR / STATES_FILE, json.dumps(data, indent=1, sort_keys=True) + "\n")


def load_states(directory: Path) -> dict[str, SourceState]:
    """The states :func:`save_states` wrote (none when the file is missing or unreadable)."""
    try:
        data = json.loads((directory / SHARD_DIR / STATES_FILE).read_text(encoding="utf-8"))
        return {str(name): SourceState.from_json(state) for name, state in data.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # without them every known file is compared by digest: slower, never wrong


def existing_shards(directory: Path) -> list[Path]:
    """The shard files under ``directory`` (an index directory), sorted by name."""
    folder = directory / SHARD_DIR
    return sorted(folder.glob(f"*{SHARD_SUFFIX}")) if folder.is_dir() else []
