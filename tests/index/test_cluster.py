"""Dask: a build on a LocalCluster of worker processes writes the local build's index; logs scan there too."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, need

from leakguard.api import Scanner, update_index


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    need("distributed")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def test_a_dask_build_is_the_local_build(cluster: Any, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "acme", repo)
    (repo / "binary.dat2").write_bytes(b"\x00\x01" * 100)  # skipped on the worker, as locally
    local = update_index([repo], tmp_path / "local", jobs=1)
    remote = update_index([repo], tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert (tmp_path / "local" / "index.lgx").read_bytes() == (tmp_path / "dask" / "index.lgx").read_bytes()
    assert local.index.stats["skipped_files"] == remote.index.stats["skipped_files"] == 1
    (repo / "payments" / "ledger.py").write_text("def settle():\n    return 0\n")
    again = update_index([repo], tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert again.report.changed == 1


def test_logs_scan_on_dask_as_they_do_locally(cluster: Any, tmp_path: Path, demo_index_dir: Path) -> None:
    from leakguard.cluster import scan_on_dask
    from leakguard.inputs import expand, scan_sources

    logs = tmp_path / "logs"
    logs.mkdir()
    leak = (EXAMPLES / "acme" / "billing" / "invoice.go").read_text()
    for n in range(40):
        text = f"request {n} ok\n" * 20 + (leak if n % 13 == 0 else "")
        (logs / f"app-{n:03}.log").write_text(text)
    (logs / "empty.log").write_text("")
    scanner = Scanner.open(demo_index_dir, cache_chars=0)
    sources = expand([str(logs)])
    local = scan_sources(scanner, sources, keep_text=False, jobs=1)
    remote = scan_on_dask(sources, demo_index_dir, b"", scanner.policy, None, cluster.scheduler_address)
    assert [(o.source, o.status, o.is_leak) for o in remote] == [(o.source, o.status, o.is_leak) for o in local]
    assert [o.result.findings for o in remote if o.result] == [o.result.findings for o in local if o.result]
    assert sum(o.is_leak for o in remote) == 4
