"""Line hashes kept for code lines only must give back every line's hash."""

from __future__ import annotations

import itertools

import numpy as np
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

import leakguard
from leakguard.index.build import fingerprint_tree
from leakguard.index.lines import file_line_hashes, line_count_ok, pack_line_hashes


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), max_size=300), st.data())
def test_every_file_gets_back_its_line_hashes(values: list[int], data: st.DataObject) -> None:
    # Few distinct values, so runs of lines without code (0) cross word boundaries.
    hashes = np.asarray(values, dtype=np.uint16) * np.uint16(7919)
    sections = pack_line_hashes(hashes)
    assert line_count_ok(sections, len(values))
    assert not line_count_ok(sections, len(values) + 64)
    assert sections["line_hash"].shape[0] == np.count_nonzero(hashes)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(values)), max_size=6)))
    bounds = [0, *cuts, len(values)]
    for first, stop in itertools.pairwise(bounds):
        assert file_line_hashes(sections, first, stop).tolist() == hashes[first:stop].tolist()


def test_an_index_gives_back_each_files_line_hashes(demo_index: leakguard.Index) -> None:

    files = {f.relative: f for f in fingerprint_tree([EXAMPLES / "acme"], demo_index.params)}
    for number, path in enumerate(demo_index.paths):
        assert demo_index.line_hashes(number).tolist() == files[path].line_hashes.tolist()
