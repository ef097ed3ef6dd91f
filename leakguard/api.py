"""What most callers need: build and load an index, and a :class:`Scanner` to scan with."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from leakguard.baseline import Baseline, load_baseline
from leakguard.cache import DEFAULT_CACHE_CHARS, CacheStats, ResultCache
from leakguard.config import Config, find_config
from leakguard.errors import ConfigError, InputError
from leakguard.index.store import Index
from leakguard.normalise.alphabet import key_id
from leakguard.options import DEFAULT_PARAMS, FingerprintParams, ScanPolicy
from leakguard.result import ScanResult

if TYPE_CHECKING:  # building pulls in tree-sitter and a process pool: scanning needs neither
    from leakguard.index.build import Progress

KEY_ENV = "LEAKGUARD_KEY"
INDEX_ENV = "LEAKGUARD_INDEX"


def read_key_file(path: str | Path) -> bytes:
    """The secret key kept in a file (surrounding whitespace, such as a final newline, dropped)."""
    try:
        return Path(path).read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror or exc}") from exc


def build_index(
    paths: Iterable[str | Path],
    *,
    k: int = DEFAULT_PARAMS.k,
    window: int = DEFAULT_PARAMS.window,
    key: bytes = b"",
    jobs: int = 0,
    progress: Progress | None = None,
    public: bool = True,
) -> Index:
    """Fingerprint every indexable file under ``paths`` into a new in-memory Index.

    Args:
        paths: repository roots (or single files) to index.
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

    Raises InputError when nothing under ``paths`` can be indexed (an empty directory, a
    path with only binary files): an empty index would find nothing, silently.
    """
    from leakguard.index.build import fingerprint_tree

    params = FingerprintParams(k=k, window=window, key_id=key_id(key))
    roots = [Path(p) for p in paths]
    files = fingerprint_tree(roots, params, key=key, jobs=jobs, progress=progress)
    if not any(f.skipped is None for f in files):
        where = ", ".join(str(root) for root in roots) or "no path"
        found = f"{len(files)} files, all skipped (binary, too large or unreadable)" if files else "no source files"
        raise InputError(f"nothing to index in {where}: {found}")
    index = Index.from_fingerprints(files, params, key)
    if public:
        from leakguard.index.background import default_sets

        sets, skipped = default_sets(params)
        for public_set in sets:
            index = index.without(public_set)
        if skipped:
            index.stats["public_skipped"] = skipped
    return index


def load_index(directory: str | Path, *, key: bytes | None = None, verify: bool = False) -> Index:
    """Open an index saved by :meth:`Index.save` (memory-mapped: cheap for any size).

    ``key`` defaults to the ``LEAKGUARD_KEY`` environment variable. ``verify`` also checks
    every section's checksum, which reads the whole file.
    """
    if key is None:
        key = os.environ.get(KEY_ENV, "").encode()
    return Index.load(directory, key=key, verify=verify)


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
        if key is None and config.key_file:
            key = read_key_file(config.key_file)
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

        A text scanned recently is answered from the cache, with an equal result.
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
