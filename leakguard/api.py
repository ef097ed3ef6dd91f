"""The functions most callers need: build, load and scan."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from leakguard.index.build import Progress, fingerprint_tree
from leakguard.index.store import Index
from leakguard.normalise.alphabet import key_id
from leakguard.options import DEFAULT_PARAMS, FingerprintParams, ScanPolicy
from leakguard.result import ScanResult

KEY_ENV = "LEAKGUARD_KEY"


def build_index(
    paths: Iterable[str | Path],
    *,
    k: int = DEFAULT_PARAMS.k,
    window: int = DEFAULT_PARAMS.window,
    key: bytes = b"",
    jobs: int = 0,
    progress: Progress | None = None,
) -> Index:
    """Fingerprint every indexable file under ``paths`` into a new in-memory Index.

    Args:
        paths: repository roots (or single files) to index.
        k: tokens per k-gram (see :class:`leakguard.options.FingerprintParams`).
        window: winnowing window in k-grams; runs of ``window + k - 1`` tokens always match.
        key: optional secret; a keyed index is useless to anyone without the key.
        jobs: worker processes (0: one per core).
        progress: called as ``progress(done, total, current_path)`` while files are read.
    """
    params = FingerprintParams(k=k, window=window, key_id=key_id(key))
    files = fingerprint_tree([Path(p) for p in paths], params, key=key, jobs=jobs, progress=progress)
    return Index.from_fingerprints(files, params, key)


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
