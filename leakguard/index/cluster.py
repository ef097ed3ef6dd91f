"""Fingerprinting files on a Dask cluster (``leakguard index --engine dask``).

The client walks the sources and reads each file's bytes (cheap beside fingerprinting,
which is tree-sitter parsing and hashing); the workers fingerprint them and send back
hashes, never text. Workers therefore need leakguard installed, but no access to the
sources. Batches are the local engine's (:func:`leakguard.index.build.batches_by_size`, largest
files first) and at most a few per worker are in flight, so the client holds the bytes of
a few batches at a time, whatever the size of the sources. The result is the list a local
build makes, in the same order: a Dask build writes the same index.

Needs the ``dask`` extra: ``pip install 'leakguard[dask]'``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from leakguard.errors import ConfigError
from leakguard.index.build import (
    FileFingerprints,
    Progress,
    batches_by_size,
    file_size,
    fingerprint_data,
    skipped_file,
)
from leakguard.index.walk import SourceFile
from leakguard.options import FingerprintParams

#: Batches in flight per worker thread: enough to keep every worker busy while results come back.
IN_FLIGHT = 3


def fingerprint_on_dask(
    files: Sequence[SourceFile],
    params: FingerprintParams,
    key: bytes,
    scheduler: Any,
    progress: Progress | None = None,
) -> list[FileFingerprints]:
    """Fingerprint ``files`` on the Dask cluster at ``scheduler`` (an address, or a ``distributed.Client``)."""
    try:
        import distributed
    except ImportError as exc:
        raise ConfigError("the dask engine needs the dask extra: pip install 'leakguard[dask]'") from exc
    dask: Any = distributed  # untyped: its calls are Any here
    client = scheduler if isinstance(scheduler, dask.Client) else _connect(dask.Client, scheduler)
    try:
        threads = max(1, sum(client.nthreads().values()))
        batches = batches_by_size([file_size(source.path) for source in files], threads)
        pending = iter(batches)
        slots: list[FileFingerprints | None] = [None] * len(files)
        futures = dask.as_completed()
        for batch in _take(pending, threads * IN_FLIGHT):
            futures.add(_submit(client, files, batch, params, key))
        done = 0
        for future in futures:
            batch, results = future.result()
            for i, fingerprints in zip(batch, results, strict=True):
                slots[i] = fingerprints
            done += len(results)
            if progress and results:
                progress(done, len(files), results[-1].relative)
            for more in _take(pending, 1):
                futures.add(_submit(client, files, more, params, key))
    finally:
        if client is not scheduler:
            client.close()
    return [fingerprints for fingerprints in slots if fingerprints is not None]


def _connect(client_type: Any, address: Any) -> Any:
    try:
        return client_type(address, timeout="30s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


def _take(batches: Iterator[list[int]], n: int) -> list[list[int]]:
    taken: list[list[int]] = []
    for batch in batches:
        taken.append(batch)
        if len(taken) == n:
            break
    return taken


def _submit(client: Any, files: Sequence[SourceFile], batch: list[int], params: FingerprintParams, key: bytes) -> Any:
    items: list[tuple[str, bytes | str]] = []
    for i in batch:
        source = files[i]
        try:
            items.append((source.relative, source.path.read_bytes()))
        except OSError as exc:
            items.append((source.relative, f"unreadable: {exc.strerror or exc}"))
    return client.submit(_work, batch, items, params, key, pure=False)


def _work(
    batch: list[int], items: list[tuple[str, bytes | str]], params: FingerprintParams, key: bytes
) -> tuple[list[int], list[FileFingerprints]]:
    """On a worker: fingerprint one batch (an error string stands for a file the client could not read)."""
    results = [
        fingerprint_data(relative, data, params, key) if isinstance(data, bytes) else skipped_file(relative, data)
        for relative, data in items
    ]
    return batch, results
