"""A shard gives back exactly the per-file fingerprints it was given, and refuses damage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.errors import IndexFormatError
from leakguard.index.build import fingerprint_tree
from leakguard.index.shard import (
    Shard,
    SourceState,
    hash_runs,
    load_shard,
    load_states,
    save_shard,
    save_states,
    shard_path,
)
from leakguard.options import FingerprintParams


def test_round_trip_is_exact(tmp_path: Path) -> None:
    params = FingerprintParams()
    files = fingerprint_tree([EXAMPLES / "acme"], params, jobs=1)
    state = SourceState("acme", str(EXAMPLES / "acme"), "ab" * 20, ("web/cart.ts",))
    path = save_shard(tmp_path, Shard(state, files), params)
    assert path == shard_path(tmp_path, "acme")
    loaded = load_shard(path, params)
    assert loaded.source == SourceState("acme", state.root)  # the commit is kept apart: save_states
    save_states(tmp_path, [state])
    assert load_states(tmp_path) == {"acme": state}
    assert len(loaded.files) == len(files)
    for mine, theirs in zip(loaded.files, files, strict=True):
        for name in ("relative", "language", "lines", "tokens", "skipped", "digest"):
            assert getattr(mine, name) == getattr(theirs, name), name
        for name in ("hashes", "start_lines", "spans", "tags", "unit_lines", "unit_tokens", "line_hashes"):
            assert np.array_equal(getattr(mine, name), getattr(theirs, name)), name
        assert (mine.signatures is None) == (theirs.signatures is None)
        if mine.signatures is not None:
            assert np.array_equal(mine.signatures, theirs.signatures)
    assert b"balance" not in path.read_bytes()  # hashes and lines, never source text


def test_other_parameters_and_damage_are_refused(tmp_path: Path) -> None:
    params = FingerprintParams()
    files = fingerprint_tree([EXAMPLES / "acme" / "billing"], params, jobs=1)
    path = save_shard(tmp_path, Shard(SourceState("billing", "/x"), files), params)
    with pytest.raises(IndexFormatError, match="other parameters"):
        load_shard(path, FingerprintParams(k=9))
    data = bytearray(path.read_bytes())
    data[data.find(files[0].hashes[:2].tobytes()) + 3] ^= 0x55  # a bit of a stored hash
    path.write_bytes(bytes(data))
    with pytest.raises(IndexFormatError):
        load_shard(path, params)


@settings(max_examples=200, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "fresh"]), st.integers(0, 30), st.integers(0, 6))))
def test_hash_runs_hold_the_files_hashes_in_order(cuts: list[tuple[str, int, int]]) -> None:
    # Files read from two sections (with the same values) and files of their own, in any
    # order: the runs hold the files' hashes in order, and no run is empty.
    from leakguard.index.build import FileFingerprints

    a = np.arange(50, dtype=np.uint64) * 3
    b = a.copy()
    files = []
    for kind, start, length in cuts:
        section = a if kind == "a" else b
        hashes = (
            np.arange(start, start + length, dtype=np.uint64) if kind == "fresh" else section[start : start + length]
        )
        none = np.empty(0, np.uint32)
        origin = None if kind == "fresh" else (section, start)
        files.append(
            FileFingerprints(
                "f", None, 1, 1, hashes, none, none.astype(np.uint8), none.astype(np.uint16), origin=origin
            )
        )
    runs = hash_runs(files)
    assert all(run.shape[0] for run in runs)
    empty = np.empty(0, np.uint64)
    assert np.concatenate([*runs, empty]).tolist() == np.concatenate([*(f.hashes for f in files), empty]).tolist()


def test_hash_runs_join_the_files_that_follow_each_other_in_a_section(tmp_path: Path) -> None:
    params = FingerprintParams()
    files = fingerprint_tree([EXAMPLES / "acme"], params, jobs=1)
    save_shard(tmp_path, Shard(SourceState("acme", str(EXAMPLES / "acme")), files), params)
    stored = load_shard(shard_path(tmp_path, "acme"), params).files
    section = stored[0].origin[0] if stored[0].origin else None
    assert section is not None and all(f.origin is not None and f.origin[0] is section for f in stored)
    kept = [f for i, f in enumerate(stored) if i != 2]  # the third file changed: two runs
    runs = hash_runs(kept)
    assert len(runs) == 2 and all(np.shares_memory(run, section) for run in runs)  # views, not copies
    assert np.concatenate(runs).tolist() == np.concatenate([f.hashes for f in kept]).tolist()
    assert len(hash_runs(files)) == sum(f.hashes.shape[0] > 0 for f in files)  # fingerprinted now: one each
