"""Faults: a writer killed at any point, a full or read-only disk, and damaged index files.

The previous index always stays loadable and verified; every damaged file is refused with a
clear error; the next update after a crash gives the full build's index. (The longer run, 100
kills of each kind, is ``benchmarks/faults.py``.)
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES
from damage import damaged_copies

import leakguard
from leakguard.api import update_index
from leakguard.errors import IndexFormatError, WriteError

#: Enough source for a build to take a second or two, so a kill can land anywhere in it.
STDLIB = Path(os.__file__).parent


def _sources(root: Path) -> Path:
    root.mkdir()
    for name in ("json", "email", "http", "logging"):
        shutil.copytree(STDLIB / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "test*"))
    return root


def _index_command(sources: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "leakguard", "index", str(sources), "--out", str(out), "-q", "-j", "1"]


def test_a_build_or_update_killed_anywhere_leaves_a_verified_index(tmp_path: Path) -> None:
    sources = _sources(tmp_path / "src")
    out = tmp_path / "index"
    subprocess.run(_index_command(sources, out), check=True)
    started = time.perf_counter()
    subprocess.run(_index_command(sources, tmp_path / "timing"), check=True)
    full = time.perf_counter() - started
    rng = random.Random(7)
    for attempt in range(4):
        victim = sources / "json" / "decoder.py"
        victim.write_text(victim.read_text() + f"\n\ndef added_{attempt}(value):\n    return [value] * {attempt}\n")
        process = subprocess.Popen(_index_command(sources, out))
        time.sleep(rng.uniform(0.05, full))
        process.send_signal(signal.SIGKILL)
        process.wait()
        index = leakguard.load_index(out, verify=True)  # the old one or the new one, whole
        assert index.n_files > 10
    update_index([sources], out, jobs=1)  # the next update repairs whatever the kill left
    assert not list(out.glob(".leakguard-*.tmp")) and not list((out / "shards").glob(".leakguard-*.tmp"))
    update_index([sources], tmp_path / "fresh", jobs=1, full=True)
    assert (out / "index.lgx").read_bytes() == (tmp_path / "fresh" / "index.lgx").read_bytes()


def test_a_full_disk_or_a_read_only_target_leaves_the_previous_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "index"
    update_index([EXAMPLES / "acme"], out, jobs=1)
    before = (out / "index.lgx").read_bytes()
    for code in (errno.ENOSPC, errno.EROFS, errno.EACCES):

        def refuse(_: int, code: int = code) -> None:
            raise OSError(code, os.strerror(code))

        with monkeypatch.context() as patched:
            patched.setattr(os, "fsync", refuse)
            with pytest.raises(WriteError, match=rf"cannot write .*: {os.strerror(code)}; the previous"):
                update_index([EXAMPLES / "acme"], out, jobs=1, k=9)  # other parameters: everything is written
        assert (out / "index.lgx").read_bytes() == before
        assert not list(out.glob(".leakguard-*.tmp")) and not list((out / "shards").glob(".leakguard-*.tmp"))
    leakguard.load_index(out, verify=True)


def test_every_damaged_index_is_refused_with_a_clear_error(tmp_path: Path, demo_index_dir: Path) -> None:
    cases = damaged_copies(demo_index_dir, cuts=6, flips=1)
    refused = 0
    for label, data in cases.items():
        directory = tmp_path / label.replace(" ", "-")
        directory.mkdir()
        (directory / "index.lgx").write_bytes(data)
        with pytest.raises(IndexFormatError) as raised:
            leakguard.load_index(directory, verify=True)
        message = str(raised.value)
        assert "index" in message and ("rebuild" in message or "corrupt" in message or "truncated" in message
                                       or "not a leakguard index" in message), (label, message)  # fmt: skip
        refused += 1
    assert refused == len(cases) >= 25
