"""A shard gives back exactly the per-file fingerprints it was given, and refuses damage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES

from leakguard.errors import IndexFormatError
from leakguard.index.build import fingerprint_tree
from leakguard.index.shard import (
    Shard,
    SourceState,
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
