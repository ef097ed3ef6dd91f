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

Sections (per-file values concatenated in file order, with a count per file):
``hashes`` <u8, ``start_lines`` <u4, ``spans`` u1, ``tags`` <u2 and ``fingerprints``
(<u4 count per file); ``line_hashes`` <u2 and ``line_counts``; ``unit_lines`` <u4 (U, 2),
``unit_tokens`` <u4, ``signatures`` <u4 (U, perm) and ``unit_counts``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from leakguard.errors import IndexFormatError
from leakguard.index.build import FileFingerprints
from leakguard.index.format import read_container, write_container
from leakguard.options import FingerprintParams

SHARD_DIR = "shards"
SHARD_SUFFIX = ".lgs"
STATES_FILE = "sources.json"
KIND = "leakguard-shard"


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


@dataclass
class Shard:
    """One source's files, fingerprinted (each with its content digest), in walk order."""

    source: SourceState
    files: list[FileFingerprints] = field(default_factory=list)


def shard_path(directory: Path, name: str) -> Path:
    return directory / SHARD_DIR / f"{name}{SHARD_SUFFIX}"


def save_shard(directory: Path, shard: Shard, params: FingerprintParams) -> Path:
    """Write ``shard`` atomically to ``directory/shards/<name>.lgs``."""
    files = shard.files
    perm = params.minhash_perm
    sigs = [f.signatures for f in files if f.signatures is not None and f.signatures.shape[0]]
    arrays: dict[str, npt.NDArray[Any]] = {
        "hashes": _cat([f.hashes for f in files], np.uint64),
        "start_lines": _cat([f.start_lines for f in files], np.uint32),
        "spans": _cat([f.spans for f in files], np.uint8),
        "tags": _cat([f.tags for f in files], np.uint16),
        "fingerprints": np.asarray([f.hashes.shape[0] for f in files], dtype=np.uint32),
        "line_hashes": _cat([f.line_hashes for f in files], np.uint16),
        "line_counts": np.asarray([f.line_hashes.shape[0] for f in files], dtype=np.uint32),
        "unit_lines": np.vstack([f.unit_lines.reshape(-1, 2) for f in files]).astype(np.uint32)
        if files
        else np.empty((0, 2), np.uint32),
        "unit_tokens": _cat([f.unit_tokens for f in files], np.uint32),
        "signatures": np.vstack(sigs).astype(np.uint32) if sigs else np.empty((0, perm), np.uint32),
        "unit_counts": np.asarray([f.unit_tokens.shape[0] for f in files], dtype=np.uint32),
    }
    header = {
        "kind": KIND,
        "params": params.to_json(),
        "source": {"name": shard.source.name, "root": shard.source.root},
        "files": [[f.relative, f.digest, f.language, f.lines, f.tokens, f.skipped] for f in files],
    }
    target = shard_path(directory, shard.source.name)
    return write_container(target.parent, header, arrays, filename=target.name, manifest=False)


def shard_params(path: Path) -> FingerprintParams:
    """The parameters a shard was written with (its header only; the data is not checked)."""
    from leakguard.errors import ConfigError

    header = read_container(path.parent, filename=path.name).header
    try:
        return FingerprintParams.from_json(header["params"])
    except (KeyError, TypeError, ValueError, ConfigError) as exc:
        raise IndexFormatError(f"{path} has no valid parameters") from exc


def load_shard(path: Path, params: FingerprintParams, states: dict[str, SourceState] | None = None) -> Shard:
    """Read a shard written with ``params``; IndexFormatError if it is damaged or was made otherwise.

    ``states`` (from :func:`load_states`) gives the source its recorded commit, when it was
    recorded for the same root."""
    container = read_container(path.parent, filename=path.name, verify=True)
    header = container.header
    if header.get("kind") != KIND:
        raise IndexFormatError(f"{path} is not a leakguard shard")
    if header.get("params") != params.to_json():
        raise IndexFormatError(f"{path} was built with other parameters")
    a = container.arrays
    try:
        source = SourceState(str(header["source"]["name"]), str(header["source"]["root"]))
        listed = header["files"]
        counts = [np.asarray(a[name], dtype=np.int64) for name in ("fingerprints", "line_counts", "unit_counts")]
        if not all(c.shape[0] == len(listed) for c in counts):
            raise ValueError("file counts differ")
        ends = [np.concatenate(([0], np.cumsum(c))) for c in counts]
        if (
            ends[0][-1] != a["hashes"].shape[0]
            or ends[1][-1] != a["line_hashes"].shape[0]
            or ends[2][-1] != a["unit_tokens"].shape[0]
        ):
            raise ValueError("section lengths differ from the file counts")
        files: list[FileFingerprints] = []
        # Views into the mapped file, not copies (the mapping lives as long as they do).
        for i, (relative, digest, language, lines, tokens, skipped) in enumerate(listed):
            f0, f1 = int(ends[0][i]), int(ends[0][i + 1])
            l0, l1 = int(ends[1][i]), int(ends[1][i + 1])
            u0, u1 = int(ends[2][i]), int(ends[2][i + 1])
            files.append(
                FileFingerprints(
                    relative=str(relative),
                    language=language,
                    lines=int(lines),
                    tokens=int(tokens),
                    hashes=np.asarray(a["hashes"][f0:f1], dtype=np.uint64),
                    start_lines=np.asarray(a["start_lines"][f0:f1], dtype=np.uint32),
                    spans=np.asarray(a["spans"][f0:f1], dtype=np.uint8),
                    tags=np.asarray(a["tags"][f0:f1], dtype=np.uint16),
                    unit_lines=np.asarray(a["unit_lines"][u0:u1], dtype=np.uint32),
                    unit_tokens=np.asarray(a["unit_tokens"][u0:u1], dtype=np.uint32),
                    signatures=np.asarray(a["signatures"][u0:u1], dtype=np.uint32) if u1 > u0 else None,
                    line_hashes=np.asarray(a["line_hashes"][l0:l1], dtype=np.uint16),
                    skipped=skipped,
                    digest=str(digest),
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise IndexFormatError(f"{path} is a damaged shard ({exc}): rebuild with 'leakguard index --full'") from exc
    state = (states or {}).get(source.name)
    return Shard(state if state is not None and state.root == source.root else source, files)


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


def _cat(parts: Sequence[npt.NDArray[Any]], dtype: type[np.generic]) -> npt.NDArray[Any]:
    return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)
