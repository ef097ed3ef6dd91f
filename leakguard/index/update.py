"""Building an index incrementally: re-fingerprint only the files that changed since the last build.

``leakguard index SRC... --out DIR`` keeps, beside ``DIR/index.lgx``, one shard per source
(:mod:`leakguard.index.shard`): every file's fingerprints and content digest, and the git
commit the source was at. A later run with the same ``--out`` reads the shards and, for
each source:

1. walks the files to index, as a full build does (:func:`leakguard.index.walk.iter_source_files`);
2. takes as unchanged, without reading them, the files git tracks that ``git diff`` between
   the recorded commit and the working tree does not name (nor named as modified when the
   shard was written); every other file already in the shard is read and its digest compared;
3. fingerprints the new and changed files (locally or on Dask), drops the removed ones;
4. merges every shard into ``index.lgx`` (:func:`leakguard.index.merge.index_from_shards`),
   patching the index it replaces when it can (:mod:`leakguard.index.patch`: one pass
   over its postings instead of sorting them all again);
5. writes what changed in each shard (a delta beside it, or the whole shard:
   :func:`leakguard.index.shard.save_changes`).

Some of it overlaps, on a company's sources each step taking tenths of a second: git is
asked on a thread (:meth:`leakguard.index.worktree.WorkTrees.ask_ahead`) and the files git
names are fingerprinted in worker processes (:class:`Ahead`) while the shards are read;
the shards are written on a thread while step 4 merges and writes the index
(:func:`leakguard.api.update_index`).

Merging is a pure function of the shards, and a shard's content does not depend on how it
was reached, so the index is byte-identical to a full build of the same sources
(``tests/index/test_update.py`` and ``tests/index/test_patch.py`` check it). Shards of
sources no longer given are removed.
Without git (or when the recorded commit is gone), every known file is read and compared
by digest: reading is far cheaper than fingerprinting.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from leakguard.errors import IndexFormatError
from leakguard.index.build import FileFingerprints, Fingerprinting, Progress, file_digest, fingerprint_files
from leakguard.index.shard import (
    DELTA_SUFFIX,
    SHARD_DIR,
    Shard,
    SourceState,
    existing_shards,
    load_shard,
    load_states,
    save_changes,
    save_shard,
    save_states,
    shard_path,
)
from leakguard.index.walk import SourceFile, iter_source_files, root_names
from leakguard.index.worktree import WorkTrees
from leakguard.options import FingerprintParams


@dataclass(frozen=True)
class Source:
    """A repository root (or a single file) to index, and the name its files are listed under."""

    name: str
    root: Path


@dataclass
class UpdateReport:
    """What an incremental build did, in files."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    #: files read only to compare their digest with the shard's
    compared: int = 0
    full: bool = True


def sources_for(paths: Sequence[str | Path]) -> list[Source]:
    """One Source per path, named by its folder (or file) name, made unique with ``-2``, ``-3``..."""
    roots = [Path(path).resolve() for path in paths]
    return [Source(name, root) for name, root in zip(root_names(roots), roots, strict=True)]


def read_shards(
    directory: Path, params: FingerprintParams, states: dict[str, SourceState] | None = None
) -> dict[str, Shard]:
    """The usable shards of an earlier build in ``directory`` (none when made with other parameters),
    with the state each source was read in (``states``: :func:`load_states` of it, when read already)."""
    states = load_states(directory) if states is None else states
    shards: dict[str, Shard] = {}
    for path in existing_shards(directory):
        try:
            shard = load_shard(path, params, states)
        except IndexFormatError:
            continue  # damaged, or other parameters: that source is built again in full
        shards[shard.source.name] = shard
    return shards


def ask_git_ahead(sources: Sequence[Source], states: dict[str, SourceState]) -> WorkTrees:
    """Git's view of ``sources``, its questions already put to git on a thread (those
    :func:`update_shards` asks, against the commits of the recorded ``states``): they run
    while the shards are read."""
    trees = WorkTrees()
    recorded = [state.commit for state in states.values() if state.commit]
    trees.ask_ahead([source.root for source in sources], recorded)
    return trees


class Ahead:
    """The sources walked, and the files git names as changed since the last build (and
    those it found modified then) being fingerprinted in worker processes, before the
    shards are read: on a company's sources, reading the shards takes about as long as
    fingerprinting 1% of the files, and each needs a core. :func:`update_shards` then takes
    these files' fingerprints (and digests) instead of reading them again. A file git names
    whose content turns out to be what the shard holds keeps the shard's fingerprints (the
    same ones): the work on it was spared nothing, and changed nothing.

    Use it as a context manager: leaving it stops the workers."""

    def __init__(
        self,
        sources: Sequence[Source],
        directory: Path,
        states: dict[str, SourceState],
        params: FingerprintParams,
        key: bytes,
        jobs: int,
        trees: WorkTrees,
    ) -> None:
        self.walked = [list(iter_source_files([source.root])) for source in sources]
        named: list[SourceFile] = []
        for source, files in zip(sources, self.walked, strict=True):
            recorded = states.get(source.name)
            changed = _named_by_git(source, recorded, trees) if recorded else None
            named += [f for f in files if changed and f.relative in changed]
        self._at = {str(f.where): i for i, f in enumerate(named)}
        trees.wait()  # no git thread left running when the workers are forked
        permutations = _recorded_permutations(directory, params, key) if named else None
        self._work = Fingerprinting(named, params, key, jobs, permutations)
        self._ready: list[FileFingerprints] | None = None

    def ready(self, file: SourceFile) -> FileFingerprints | None:
        """The fingerprints of ``file`` made ahead, if it was one of those git named."""
        at = self._at.get(str(file.where))
        if at is None:
            return None
        if self._ready is None:
            self._ready = self._work.results()
        return self._ready[at]

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._work.__exit__(*exc)


def _named_by_git(source: Source, recorded: SourceState, trees: WorkTrees) -> set[str] | None:
    """Files of the source git names as changed since ``recorded`` was taken, with those
    modified then; None when git cannot tell."""
    if recorded.commit is None or recorded.root != str(source.root):
        return None
    changed = trees.changed(source.root, recorded.commit)
    return None if changed is None else set(changed) | set(recorded.dirty)


def _recorded_permutations(directory: Path, params: FingerprintParams, key: bytes) -> npt.NDArray[np.uint32] | None:
    """The MinHash permutations the index in ``directory`` holds, when it was built with
    ``params`` (None otherwise: they are drawn again)."""
    from leakguard.errors import LeakguardError
    from leakguard.index.patch import index_permutations
    from leakguard.index.store import Index

    try:
        return index_permutations(Index.load(directory, key), params)
    except LeakguardError:
        return None


def update_shards(
    sources: Sequence[Source],
    params: FingerprintParams,
    key: bytes = b"",
    previous: dict[str, Shard] | None = None,
    jobs: int = 0,
    progress: Progress | None = None,
    scheduler: Any = None,
    permutations: npt.NDArray[np.uint32] | None = None,
    trees: WorkTrees | None = None,
    ahead: Ahead | None = None,
) -> tuple[list[Shard], UpdateReport]:
    """Each source's shard, reusing what ``previous`` holds for files that did not change
    (``permutations``: the MinHash permutations of ``params``, when known; ``trees``: git's
    view of the sources, from :func:`ask_git_ahead`; ``ahead``: the sources walked and the
    files git names fingerprinted, started before ``previous`` was read)."""
    previous = previous or {}
    report = UpdateReport(full=not previous)
    trees = trees or WorkTrees()
    plans: list[tuple[SourceState, list[SourceFile], dict[int, FileFingerprints], Shard | None]] = []
    todo: list[SourceFile] = []
    for n, source in enumerate(sources):
        files = ahead.walked[n] if ahead is not None else list(iter_source_files([source.root]))
        state = _state(source, trees)
        old = previous.get(source.name)
        known = {f.relative: f for f in old.files} if old else {}
        trusted = _unchanged_by_git(source, old.source, trees) if old else None
        reused: dict[int, FileFingerprints] = {}
        for i, file in enumerate(files):
            before = known.get(file.relative)
            if before is None:
                report.added += 1
            elif trusted is not None and file.relative in trusted:
                reused[i] = before
                report.unchanged += 1
                continue
            else:
                report.compared += 1
                early = ahead.ready(file) if ahead is not None else None
                digest = (early.digest or None) if early is not None else _digest(file.path)
                if digest == before.digest:
                    reused[i] = before
                    report.unchanged += 1
                    continue
                report.changed += 1
            todo.append(file)
        if old:
            report.removed += len(set(known) - {f.relative for f in files})
        plans.append((state, files, reused, old))
    given = {source.name for source in sources}
    report.removed += sum(len(shard.files) for name, shard in previous.items() if name not in given)
    made_ahead = {id(f): ready for f in todo if ahead is not None and (ready := ahead.ready(f)) is not None}
    later = [f for f in todo if id(f) not in made_ahead]
    if scheduler is not None:
        from leakguard.index.cluster import fingerprint_on_dask

        made = iter(fingerprint_on_dask(later, params, key, scheduler, progress))
    else:
        made = iter(fingerprint_files(later, params, key, jobs, progress, permutations))
    fresh = iter([made_ahead[id(f)] if id(f) in made_ahead else next(made) for f in todo])
    shards: list[Shard] = []
    for state, files, reused, old in plans:
        fingerprints = [reused[i] if i in reused else next(fresh) for i in range(len(files))]
        shards.append(Shard(state, fingerprints, old.base if old else None))
    return shards, report


def save_shards(
    directory: Path, shards: Sequence[Shard], params: FingerprintParams, previous: dict[str, Shard]
) -> None:
    """Write what changed in the shards whose files differ from ``previous`` (a delta, or a
    whole shard: :func:`leakguard.index.shard.save_changes`), then every source's state;
    remove the shards of sources no longer built.

    The states are written last: should a crash come between, the states are older than
    the shards, and the next update compares a few more files than it needs to."""
    changed = [
        shard
        for shard in shards
        if (before := previous.get(shard.source.name)) is None
        or before.source.root != shard.source.root
        or not _same_files(before.files, shard.files)
    ]
    # Each file is synced to disk before it is renamed into place: a few threads overlap
    # those waits (each writes files of its own; the first error is raised).
    with ThreadPoolExecutor(max_workers=4) as pool:
        for done in [pool.submit(save_changes, directory, shard, params) for shard in changed]:
            done.result()
    names = {shard.source.name for shard in shards}
    for path in existing_shards(directory):
        if path.stem not in names:
            path.unlink(missing_ok=True)
    for path in (directory / SHARD_DIR).glob(f"*{DELTA_SUFFIX}"):
        if path.stem not in names:  # its source is gone, or its shard was damaged and rebuilt
            path.unlink(missing_ok=True)
    for shard in shards:  # a damaged shard skipped by read_shards is rewritten above; this checks it is there
        if not shard_path(directory, shard.source.name).is_file():
            save_shard(directory, shard, params)
    save_states(directory, [shard.source for shard in shards])


def _same_files(a: Sequence[FileFingerprints], b: Sequence[FileFingerprints]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def _digest(path: Path) -> str | None:
    try:
        return file_digest(path.read_bytes())
    except OSError:
        return None


def _state(source: Source, trees: WorkTrees) -> SourceState:
    """The source's git commit and the tracked files that differ from it, when it is in a work tree."""
    commit = trees.commit(source.root)
    dirty = trees.changed(source.root, commit) if commit else None
    if commit is None or dirty is None:
        return SourceState(source.name, str(source.root))
    return SourceState(source.name, str(source.root), commit, tuple(dirty))


def _unchanged_by_git(source: Source, recorded: SourceState, trees: WorkTrees) -> set[str] | None:
    """Files of the source git tracks and reports unchanged since ``recorded`` was taken, or None."""
    named = _named_by_git(source, recorded, trees)
    tracked = trees.tracked(source.root) if named is not None else None
    if named is None or tracked is None:
        return None  # not a work tree any more, or the commit is gone: compare digests
    return set(tracked) - named
