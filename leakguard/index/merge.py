"""Merging shards into one index: what every build ends with, and ``leakguard merge``.

An index is a pure function of its shards (in the order the sources were given), the
public sets applied and the public code allowed: the same shards always merge into the
same bytes, whether they were all fingerprinted just now, kept from earlier builds, made
on a Dask cluster, or built in separate index directories and merged afterwards. With
several sources, each file is listed under its source's name (``payments/src/app.py``);
with one, under its path in the source. ``stats["sources"]`` lists the sources in file-id
order with their file counts, commits and labels, so a finding can name its repository.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import takewhile
from pathlib import Path
from typing import Any

from leakguard.errors import IncompatibleIndexError, IndexFormatError, InputError
from leakguard.index.patch import INPUTS, Previous, inputs_digest
from leakguard.index.pathnames import HASHED, index_names
from leakguard.index.public import PublicSet
from leakguard.index.shard import (
    Shard,
    SourceState,
    existing_shards,
    load_shard,
    load_states,
    save_shard,
    save_states,
    shard_params,
)
from leakguard.index.store import Index
from leakguard.options import FingerprintParams

Labels = Mapping[str, Mapping[str, str]]


def index_from_shards(
    shards: Sequence[Shard],
    params: FingerprintParams,
    key: bytes = b"",
    *,
    public: bool = True,
    allowed: Sequence[str | Path] = (),
    labels: Labels | None = None,
    hash_paths: bool = False,
    previous: Previous | None = None,
) -> Index:
    """Merge shards into an index; apply the shipped public sets (``public``), then ``allowed`` public code.

    ``labels`` maps a source's name to its labels (team, sensitivity...), recorded with it.
    ``hash_paths`` stores each file's path hashed (:mod:`leakguard.index.pathnames`).
    ``previous``, the index being replaced, is patched when it can be
    (:mod:`leakguard.index.patch`; never when public code is ``allowed``): the same index.
    Raises InputError when no file of any shard can be indexed.
    """
    check_indexable(shards)
    files = [f for shard in shards for f in shard.files]
    paths = index_names(shards, key, hash_paths)
    sets: list[PublicSet] = []
    skipped: list[str] = []
    if public:
        from leakguard.index.background import default_sets

        sets, skipped = default_sets(params)
    # Exact sets take postings out as the tables are built; the others mark what is left,
    # the idiom sets before any names set on the merged tables, the rest afterwards.
    exact = [s for s in sets if s.kind == "exact"]
    rest = [s for s in sets if s.kind != "exact"]
    idioms = list(takewhile(lambda s: s.kind == "idiom", rest))
    index = Index.from_fingerprints(
        files, params, key, exact=exact, paths=paths, previous=None if allowed else previous, idioms=idioms
    )
    index.stats[INPUTS] = inputs_digest(files, params, exact, [str(item) for item in allowed])
    for public_set in rest[len(idioms) :]:
        index = index.without(public_set)
    if skipped:
        index.stats["public_skipped"] = skipped
    if hash_paths:
        index.stats["paths"] = HASHED
    labels = labels or {}
    index.stats["sources"] = [
        {
            "name": shard.source.name,
            "files": sum(f.skipped is None for f in shard.files),
            "commit": shard.source.commit,
            "modified_files": len(shard.source.dirty),
            "labels": dict(sorted(labels.get(shard.source.name, {}).items())),
        }
        for shard in shards
    ]
    if allowed:
        from leakguard.index.public import public_code

        for item in allowed:
            index = index.without(public_code(item, params, key))
    return index


def check_indexable(shards: Sequence[Shard]) -> None:
    """InputError unless some file of ``shards`` can be indexed (an index of nothing is refused)."""
    files = [f for shard in shards for f in shard.files]
    if not any(f.skipped is None for f in files):
        where = ", ".join(shard.source.root for shard in shards) or "no path"
        found = f"{len(files)} files, all skipped (binary, too large or unreadable)" if files else "no source files"
        raise InputError(f"nothing to index in {where}: {found}")


def shards_of(directories: Sequence[str | Path]) -> tuple[list[Shard], FingerprintParams]:
    """Every shard of the given index directories, in order; their parameters must agree."""
    params: FingerprintParams | None = None
    shards: list[Shard] = []
    states: dict[str, SourceState] = {}
    names: dict[str, Path] = {}
    for directory in (Path(d) for d in directories):
        paths = existing_shards(directory)
        states = load_states(directory)
        if not paths:
            raise IndexFormatError(
                f"{directory} holds no shards (an index built before shards were kept, or not an index): "
                "build it again with 'leakguard index'"
            )
        for path in paths:
            found = shard_params(path)
            if params is None:
                params = found
            elif found != params:
                raise IncompatibleIndexError(
                    f"{path} was built with other parameters than {paths[0]}: {found.to_json()} vs {params.to_json()}"
                )
            shard = load_shard(path, params, states)
            if shard.source.name in names:
                raise InputError(
                    f"two shards are named {shard.source.name!r} ({names[shard.source.name]} and {directory}): "
                    "index one of the sources from a folder of another name"
                )
            names[shard.source.name] = directory
            shards.append(shard)
    if params is None:
        raise InputError("no index directories given")
    return shards, params


def merge_directories(
    directories: Sequence[str | Path],
    out: str | Path,
    key: bytes = b"",
    *,
    public: bool = True,
    hash_paths: bool | None = None,
) -> Index:
    """``leakguard merge``: one index at ``out`` from the shards of several index directories.

    The shards are copied to ``out`` too, so it can be updated by ``leakguard index`` later.
    ``hash_paths`` (default: when any of the indexes hashes them) stores paths hashed."""
    from leakguard.index.lock import writing

    shards, params = shards_of(directories)
    stats = [_stats_or_none(Path(d)) for d in directories]
    hashed = any(s.get("paths") == HASHED for s in stats) if hash_paths is None else hash_paths
    index = index_from_shards(shards, params, key, public=public, labels=_labels_of(stats), hash_paths=hashed)
    with writing(Path(out)):
        for shard in shards:
            save_shard(Path(out), shard, params)
        save_states(Path(out), [shard.source for shard in shards])
        index.save(out)
    return index


def hashes_paths(directory: str | Path) -> bool:
    """Whether the index at ``directory`` stores its paths hashed (False when there is none,
    or none that can be read: a build over it writes it anew)."""
    return _stats_or_none(Path(directory)).get("paths") == HASHED


def _labels_of(stats: Sequence[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """The labels the indexes (their ``stats``) recorded for their sources."""
    labels: dict[str, dict[str, str]] = {}
    for one in stats:
        for source in one.get("sources", []):
            if isinstance(source, dict) and source.get("labels"):
                labels[str(source["name"])] = dict(source["labels"])
    return labels


def _stats_or_none(directory: Path) -> dict[str, Any]:
    """The stats of the index at ``directory``; empty when there is none that can be read."""
    try:
        return _stats(directory)
    except (IndexFormatError, OSError):
        return {}


def _stats(directory: Path) -> dict[str, Any]:
    from leakguard.index.format import read_container

    stats = read_container(directory).header.get("stats", {})
    return stats if isinstance(stats, dict) else {}
