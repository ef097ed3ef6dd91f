"""What most callers need: build and load an index, and a :class:`Scanner` to scan with."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from leakguard.baseline import Baseline, load_baseline
from leakguard.cache import DEFAULT_CACHE_CHARS, CacheStats, ResultCache
from leakguard.config import Config, find_config
from leakguard.errors import ConfigError
from leakguard.index.store import Index
from leakguard.keys import environment_key, resolve_key
from leakguard.normalise.alphabet import key_id
from leakguard.options import DEFAULT_PARAMS, FingerprintParams, ScanPolicy
from leakguard.result import ScanResult

if TYPE_CHECKING:  # building pulls in tree-sitter and a process pool: scanning needs neither
    from leakguard.index.build import Progress
    from leakguard.index.update import UpdateReport

INDEX_ENV = "LEAKGUARD_INDEX"


def build_index(
    paths: Iterable[str | Path],
    *,
    k: int = DEFAULT_PARAMS.k,
    window: int = DEFAULT_PARAMS.window,
    key: bytes = b"",
    jobs: int = 0,
    progress: Progress | None = None,
    public: bool = True,
    scheduler: object = None,
    hash_paths: bool = False,
) -> Index:
    """Fingerprint every indexable file under ``paths`` into a new in-memory Index.

    Args:
        paths: repository roots (or single files) to index; with several, each file is
            listed under its root's folder name.
        k: tokens per k-gram (see :class:`leakguard.options.FingerprintParams`).
        window: winnowing window in k-grams; runs of ``window + k - 1`` tokens always match.
        key: optional secret; a keyed index is useless to anyone without the key.
        jobs: worker processes (0: one per core).
        progress: called as ``progress(done, total, current_path)`` while files are read.
        public: apply the shipped public sets (the background model of public code and the
            licence texts, see :mod:`leakguard.index.background`): what is common in public
            code is then weak evidence, and public boilerplate none. The index's
            ``stats["public_sets"]`` lists what was applied, ``stats["public_skipped"]``
            what could not be (a keyed index needs sets made with its key).
        scheduler: fingerprint on this Dask cluster (an address or a ``distributed.Client``)
            instead of local processes; needs ``leakguard[dask]``.
        hash_paths: store each file's path hashed (with ``key``, when given), so that the
            index does not tell what the files are called (:mod:`leakguard.index.pathnames`).

    Raises InputError when nothing under ``paths`` can be indexed (an empty directory, a
    path with only binary files): an empty index would find nothing, silently.
    """
    from leakguard.index.merge import index_from_shards
    from leakguard.index.update import sources_for, update_shards

    params = FingerprintParams(k=k, window=window, key_id=key_id(key))
    shards, _ = update_shards(sources_for(list(paths)), params, key, jobs=jobs, progress=progress, scheduler=scheduler)
    return index_from_shards(shards, params, key, public=public, hash_paths=hash_paths)


@dataclass(frozen=True)
class IndexUpdate:
    """What :func:`update_index` returns: the index written, and what the update did."""

    index: Index
    report: UpdateReport
    path: Path


def update_index(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    k: int = DEFAULT_PARAMS.k,
    window: int = DEFAULT_PARAMS.window,
    key: bytes = b"",
    jobs: int = 0,
    progress: Progress | None = None,
    public: bool = True,
    allowed: Iterable[str | Path] = (),
    labels: Mapping[str, Mapping[str, str]] | None = None,
    full: bool = False,
    scheduler: object = None,
    hash_paths: bool | None = None,
) -> IndexUpdate:
    """Build the index of ``paths`` at ``out``, redoing only what changed since the last build there.

    Arguments as for :func:`build_index`, plus: ``allowed`` public code (folders or public
    sets) to leave out; ``labels`` by source name (the folder name of each path); ``full``
    to ignore what an earlier build left (see :mod:`leakguard.index.update`); ``hash_paths``
    None keeps what the index at ``out`` does (readable paths for a new one). The index
    written is the one a full build of the same arguments writes, byte for byte.
    """
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import ExitStack

    from leakguard.index.lock import writing
    from leakguard.index.merge import check_indexable, hashes_paths, index_from_shards
    from leakguard.index.patch import previous_build
    from leakguard.index.shard import load_states
    from leakguard.index.update import Ahead, ask_git_ahead, read_shards, save_shards, sources_for, update_shards

    directory = Path(out)
    params = FingerprintParams(k=k, window=window, key_id=key_id(key))
    sources = sources_for(list(paths))
    with writing(directory), ExitStack() as stack:
        states = load_states(directory)
        trees = ask_git_ahead(sources, states)  # git answers on a thread while the shards are read
        ahead = None  # the files git names as changed are fingerprinted while the shards are read
        if not full and scheduler is None and jobs != 1:
            ahead = stack.enter_context(Ahead(sources, directory, states, params, key, jobs, trees))
        hashed = hashes_paths(directory) if hash_paths is None else hash_paths
        previous = {} if full else read_shards(directory, params, states)
        replaced = previous_build(directory, previous, key) if previous else None
        shards, report = update_shards(
            sources,
            params,
            key,
            previous,
            jobs=jobs,
            progress=progress,
            scheduler=scheduler,
            permutations=replaced.permutations(params) if replaced else None,
            trees=trees,
            ahead=ahead,
        )
        check_indexable(shards)
        # The shards are written while the index is merged and written: each file is
        # written atomically, and an index is only patched from shards that match it
        # (leakguard.index.patch), so a crash between any two writes loses nothing.
        with ThreadPoolExecutor(max_workers=1) as pool:
            saving = pool.submit(save_shards, directory, shards, params, previous)
            index = index_from_shards(
                shards,
                params,
                key,
                public=public,
                allowed=list(allowed),
                labels=labels,
                hash_paths=hashed,
                previous=replaced,
            )
            written = index.save(directory)
            saving.result()
        return IndexUpdate(index, report, written)


def load_index(
    directory: str | Path | Sequence[str | Path], *, key: bytes | None = None, verify: bool = False
) -> Index:
    """Open an index saved by :meth:`Index.save` (memory-mapped: cheap for any size).

    ``key`` defaults to ``LEAKGUARD_KEY``, else what ``LEAKGUARD_KEY_COMMAND`` prints (see
    :mod:`leakguard.keys`). ``verify`` also checks every section's checksum, which reads the
    whole file.

    Several index directories (a list, or one string joined by ``os.pathsep``, as in
    ``LEAKGUARD_INDEX=payments-index:web-index``) are opened together: their shards are
    merged in memory into the index ``leakguard merge`` would write (with the shipped public
    sets applied). Opening then costs the merge (about 2 seconds per 10 million
    fingerprints, see benchmarks/RESULTS.md); scanning costs what it costs on one index.
    """
    if key is None:
        key = environment_key() or b""
    several = directory.split(os.pathsep) if isinstance(directory, str) else directory
    if isinstance(several, str | Path) or len(several) == 1:
        return Index.load(several if isinstance(several, str | Path) else several[0], key=key, verify=verify)
    from leakguard.index.merge import hashes_paths, index_from_shards, shards_of

    shards, params = shards_of(several)
    return index_from_shards(shards, params, key, hash_paths=any(hashes_paths(d) for d in several))


def scan(text: str, index: Index, policy: ScanPolicy | None = None) -> ScanResult:
    """Scan ``text`` against ``index``; same as ``index.scan(text, policy)``."""
    return index.scan(text, policy)


@dataclass(frozen=True)
class Redaction:
    """What :meth:`Scanner.redact` returns: the text to send on, and the scan behind it."""

    text: str
    result: ScanResult


class Scanner:
    """An index, a policy and a baseline, loaded once and shared by every thread.

    Built for long-running processes (an LLM gateway, a proxy, a service): the index is
    read-only and memory-mapped, and scans share nothing but a cache of recent results
    (see :mod:`leakguard.cache`: a chat resends its history with every turn), so one
    Scanner serves any number of threads::

        scanner = leakguard.Scanner.open("/etc/leakguard/index")
        verdict = scanner.scan(prompt)          # from any thread
        safe = scanner.redact(prompt).text

    ``cache_chars`` bounds the characters of scanned text whose results are kept (0: none).
    """

    def __init__(
        self,
        index: Index,
        policy: ScanPolicy | None = None,
        baseline: Baseline | None = None,
        *,
        cache_chars: int = DEFAULT_CACHE_CHARS,
    ) -> None:
        self._index = index
        self._policy = policy or ScanPolicy()
        self._baseline = baseline or Baseline()
        self._cache = ResultCache(cache_chars)

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        *,
        key: bytes | None = None,
        policy: ScanPolicy | None = None,
        threshold: float | None = None,
        baseline: str | Path | None = None,
        config: Config | None = None,
        cache_chars: int = DEFAULT_CACHE_CHARS,
        use_baseline: bool = True,
    ) -> Scanner:
        """Load an index and settings: arguments first, then ``LEAKGUARD_INDEX``, then the config.

        ``config`` defaults to the nearest ``leakguard.toml`` / ``[tool.leakguard]`` above
        the working directory; it supplies the index path, key file, thresholds and baseline
        that the arguments leave out (``threshold`` overrides the configured one; a whole
        ``policy`` replaces it); ``cache_chars`` as for the constructor. Without
        ``use_baseline`` no baseline is loaded (to record findings, not filter them).
        Raises ConfigError when no index is named anywhere, or when the baseline named
        does not exist (a mistyped path would otherwise accept nothing without a word).
        """
        config = config if config is not None else find_config(Path.cwd())
        index_dir = index_dir or os.environ.get(INDEX_ENV) or config.index
        if not index_dir:
            raise ConfigError(f"no index: pass --index, set {INDEX_ENV}, or set index in [tool.leakguard]")
        if key is None:
            key = resolve_key(None, config.key_file, config.key_command)
        baseline = (baseline or config.baseline) if use_baseline else None
        if baseline and not Path(baseline).is_file():
            raise ConfigError(
                f"baseline file not found: {baseline} (create an empty one with 'leakguard baseline --out {baseline}', "
                "or correct the path)"
            )
        return cls(
            load_index(index_dir, key=key),
            policy or config.policy(threshold),
            load_baseline(baseline) if baseline else None,
            cache_chars=cache_chars,
        )

    @property
    def index(self) -> Index:
        """The index scanned against."""
        return self._index

    @property
    def policy(self) -> ScanPolicy:
        """Thresholds and redaction style used by every scan."""
        return self._policy

    @property
    def baseline(self) -> Baseline:
        """Findings accepted by a reviewer, never reported."""
        return self._baseline

    @property
    def cache_stats(self) -> CacheStats:
        """How often a scan was answered from the cache of recent results, and what it holds."""
        return self._cache.stats

    def scan(self, text: str) -> ScanResult:
        """Scan ``text``: the verdict, its score, and each finding (accepted ones left out).

        A text scanned recently is answered from the cache, with an equal result. The text is
        read whole, and its working memory grows with it: a few megabytes for a prompt, about
        2 GB for the 16 MB texts of ``benchmarks/hostile.py``. Scan logs and files of any size
        with :func:`leakguard.scan_stream`, which reads them in blocks of 1 MiB in flat memory.
        """
        cached = self._cache.get(text) if isinstance(text, str) else None
        if cached is not None:
            return cached
        result = self._baseline.filter(self._index.scan(text, self._policy))
        self._cache.put(text, result)
        return result

    def redact(self, text: str, template: str | None = None) -> Redaction:
        """Scan ``text`` and replace every finding by a placeholder (see :meth:`ScanResult.redacted`)."""
        result = self.scan(text)
        return Redaction(result.redacted(template) if result.findings else text, result)
