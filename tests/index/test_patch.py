"""Patching an index (``patch.rs``, :mod:`leakguard.index.patch`) gives the index a full
merge of the same files gives, byte for byte; and it is used only when it certainly can be."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from damage import damaged_copies
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_update import PROGRAM, _git, _mono

import leakguard.index.format as format_module
import leakguard.index.patch as patch_module
from leakguard.api import update_index
from leakguard.index.build import FileFingerprints, fingerprint_text
from leakguard.index.patch import INPUTS, Previous, inputs_digest, patched_tables
from leakguard.index.public import PublicSet
from leakguard.index.store import Index
from leakguard.index.table import bucket_bits
from leakguard.options import FingerprintParams

PARAMS = FingerprintParams()
TEXTS = [PROGRAM.format(n=n) + PROGRAM.format(n=n * 7 + 1) * (n % 3) for n in range(40)]


def _files() -> list[FileFingerprints]:
    files = []
    for n, text in enumerate(TEXTS):
        f = fingerprint_text(f"pkg/mod{n}.py", text, PARAMS)
        f.digest = f"d{n}"
        files.append(f)
    return files


FILES = _files()
#: Half the k-grams of a few files as exact public code, so that some postings of old,
#: changed and new files are all taken out.
EXACT = PublicSet(
    "exact",
    PARAMS,
    np.concatenate([f.hashes[::2] for f in FILES[::5]]),
    np.concatenate([f.tags[::2] for f in FILES[::5]]),
)


def _same(a: Index, b: Index) -> None:
    assert sorted(a.arrays) == sorted(b.arrays)
    for name, array in a.arrays.items():
        assert array.dtype == b.arrays[name].dtype and np.array_equal(array, b.arrays[name]), name
    assert a.stats == b.stats


def _distinct(files: list[FileFingerprints]) -> int:
    return int(np.unique(np.concatenate([f.hashes for f in files])).shape[0])


def _old(files: list[FileFingerprints], exact: list[PublicSet]) -> Index:
    index = Index.from_fingerprints(files, PARAMS, exact=exact)
    index.stats[INPUTS] = inputs_digest(files, PARAMS, exact)
    return index


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 39), min_size=1, max_size=25, unique=True),
    st.data(),
    st.booleans(),
)
def test_a_patch_is_the_full_merge(first: list[int], data: st.DataObject, public: bool) -> None:
    exact = [EXACT] if public else []
    before = [FILES[i] for i in first]
    # Keep some files in order, drop the others, and put new ones anywhere.
    kept = [f for f in before if data.draw(st.booleans())]
    fresh = [FILES[i] for i in data.draw(st.lists(st.integers(0, 39), max_size=6)) if FILES[i] not in before]
    after = list(kept)
    for f in fresh:
        after.insert(data.draw(st.integers(0, len(after))), f)
    if not after:
        return
    old = _old(before, exact)
    tables = patched_tables(Previous(old, before), after, exact, PARAMS)
    # Patched unless the bucket directory changes size with the postings.
    same_bits = bucket_bits(_distinct(after)) == bucket_bits(_distinct(before))
    assert (tables is not None) == same_bits
    patched = Index.from_fingerprints(after, PARAMS, exact=exact, previous=Previous(old, before))
    _same(patched, Index.from_fingerprints(after, PARAMS, exact=exact))


def test_it_is_not_used_when_the_old_index_is_of_other_files_or_order() -> None:
    before = FILES[:10]
    old = _old(before, [])
    # The index was merged from other files (a crash between writing shards and index).
    assert patched_tables(Previous(old, FILES[1:11]), FILES[:12], [], PARAMS) is None
    # Other public sets than those it applied.
    assert patched_tables(Previous(old, before), FILES[:12], [EXACT], PARAMS) is None
    # The kept files change order.
    assert patched_tables(Previous(old, before), [FILES[1], FILES[0], *FILES[2:10]], [], PARAMS) is None
    # An index that does not record its inputs.
    bare = Index.from_fingerprints(before, PARAMS)
    assert patched_tables(Previous(bare, before), FILES[:12], [], PARAMS) is None
    # Copies of the old files are taken for new ones: still the full merge's tables.
    copies = [FileFingerprints(**vars(f)) for f in before]
    _same(
        Index.from_fingerprints(copies, PARAMS, previous=Previous(old, before)),
        Index.from_fingerprints(copies, PARAMS),
    )


def test_it_is_not_used_when_the_bucket_directory_grows() -> None:
    rng = np.random.default_rng(5)

    def file(n: int, postings: int) -> FileFingerprints:
        return FileFingerprints(
            f"r{n}.py", "python", 50, 500,
            rng.integers(0, 2**63, postings, dtype=np.uint64),
            rng.integers(1, 50, postings).astype(np.uint32),
            np.zeros(postings, np.uint8),
            rng.integers(0, 2**16, postings).astype(np.uint16),
            line_hashes=np.zeros(50, np.uint16),
            digest=f"r{n}",
        )  # fmt: skip

    small, large = file(0, 100), file(1, 300)
    old = _old([small], [])
    assert patched_tables(Previous(old, [small]), [small, large], [], PARAMS) is None  # 400 hashes: b is 6
    assert patched_tables(Previous(old, [small]), [small, file(2, 20)], [], PARAMS) is not None


def test_updates_patch_the_index_and_write_what_a_full_build_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[bool] = []
    original = patch_module.patched_tables

    def spy(*args: Any) -> Any:
        tables = original(*args)
        used.append(tables is not None)
        return tables

    monkeypatch.setattr(patch_module, "patched_tables", spy)
    mono, one, two = _mono(tmp_path, files=8)
    out = tmp_path / "out"
    update_index([one, two], out, jobs=1)
    for step in range(3):
        (one / f"mod{step}.py").write_text(PROGRAM.format(n=50 + step))
        (two / f"new{step}.py").write_text(PROGRAM.format(n=80 + step))
        (two / f"mod{step + 3}.py").unlink()
        _git(mono, "add", "-A")
        _git(mono, "commit", "-q", "-m", f"step {step}")
        update_index([one, two], out, jobs=1)
        full = tmp_path / "full"
        shutil.rmtree(full, ignore_errors=True)
        update_index([one, two], full, jobs=1)
        assert (out / "index.lgx").read_bytes() == (full / "index.lgx").read_bytes()
    assert used == [True, True, True]  # each update patched (a fresh build has nothing to patch)


def test_a_damaged_index_is_merged_again_not_patched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A flipped bit in the postings, past the checks made on every open (here: none, as
    # in a company's index, whose postings are far larger than their budget), must not be
    # copied into the new index under a fresh checksum: the update merges the shards.
    monkeypatch.setattr(format_module, "CHEAP_CHECK_BYTES", 0)
    mono, one, two = _mono(tmp_path, files=8)
    out = tmp_path / "out"
    update_index([one, two], out, jobs=1)
    (out / "index.lgx").write_bytes(damaged_copies(out, cuts=1, flips=1)["flip post_loc 0"])
    (one / "mod1.py").write_text(PROGRAM.format(n=61))
    _git(mono, "commit", "-q", "-am", "edit")
    update_index([one, two], out, jobs=1)
    full = tmp_path / "full"
    update_index([one, two], full, jobs=1)
    assert (out / "index.lgx").read_bytes() == (full / "index.lgx").read_bytes()
