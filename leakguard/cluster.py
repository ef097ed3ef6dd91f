"""Scanning many files on a Dask cluster: ``leakguard scan --engine dask`` over a log archive.

The sources (files; directories are expanded by the client first) become a Dask bag; each
partition is scanned on a worker by a :class:`~leakguard.api.Scanner` that worker opens
once and keeps (the index is memory-mapped from the path given, so every worker must see
the index and the files at the same paths: a shared file system, or one machine's
``LocalCluster``). Outcomes come back without their text, in the sources' order, and make
the one summary report a local ``scan --jobs`` makes. Needs ``leakguard[dask]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from leakguard.errors import ConfigError
from leakguard.inputs import Outcome, Source, scan_or_report
from leakguard.options import ScanPolicy

#: Sources per partition: enough to amortise a task's overhead, few enough to spread a
#: directory of a few hundred logs over every worker.
PARTITION_SIZE = 16

#: Each worker process's scanners, by what they were opened with.
_scanners: dict[tuple[str, bytes, ScanPolicy, str | None], Any] = {}


def scan_on_dask(
    sources: Sequence[Source],
    index_dir: str | Path,
    key: bytes,
    policy: ScanPolicy,
    baseline: str | Path | None,
    scheduler: Any,
) -> list[Outcome]:
    """Scan ``sources`` on the Dask cluster at ``scheduler`` (an address or a ``distributed.Client``)."""
    try:
        import dask.bag
        import distributed
    except ImportError as exc:
        raise ConfigError("the dask engine needs the dask extra: pip install 'leakguard[dask]'") from exc
    if not sources:
        return []
    opened = (str(Path(index_dir).resolve()), key, policy, str(Path(baseline).resolve()) if baseline else None)
    bags: Any = dask.bag  # untyped: its calls are Any here
    client = scheduler if isinstance(scheduler, distributed.Client) else _connect(distributed.Client, scheduler)
    try:
        bag = bags.from_sequence(list(sources), partition_size=PARTITION_SIZE)
        result: list[Outcome] = client.compute(bag.map_partitions(_scan_partition, opened)).result()
    finally:
        if client is not scheduler:
            client.close()
    return result


def _connect(client_type: Any, address: Any) -> Any:
    try:
        return client_type(address, timeout="30s")
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


def _scan_partition(sources: list[Source], opened: tuple[str, bytes, ScanPolicy, str | None]) -> list[Outcome]:
    """On a worker: scan one partition with this worker's scanner for ``opened``."""
    scanner = _scanners.get(opened)
    if scanner is None:
        from leakguard.api import Scanner
        from leakguard.config import Config

        index_dir, key, policy, baseline = opened
        scanner = Scanner.open(
            index_dir, key=key, policy=policy, baseline=baseline, config=Config(), use_baseline=baseline is not None
        )
        _scanners[opened] = scanner
    return [scan_or_report(scanner, source, keep_text=False) for source in sources]
