"""Cutting hits into groups no chain can cross."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.runs import _split_lines, _split_positions, components

GAP = 48


def cut_twice(file: np.ndarray, pos: np.ndarray, line: np.ndarray, end_line: np.ndarray) -> np.ndarray:
    """Both rounds of cuts, always (components may stop when a round cuts nothing)."""
    group = _split_positions(file, pos, GAP)
    for _ in range(2):
        group = _split_positions(_split_lines(group, line, end_line, GAP), pos, GAP)
    return group


hit = st.tuples(st.integers(0, 2), st.integers(0, 400), st.integers(1, 300), st.integers(0, 3))


@given(st.lists(hit, min_size=1, max_size=80))
@settings(max_examples=300, derandomize=True)
def test_components_are_both_rounds_of_cuts(hits: list[tuple[int, int, int, int]]) -> None:
    file, pos, line, span = (np.asarray(column, dtype=np.int64) for column in zip(*hits, strict=True))
    expected = cut_twice(file, pos, line, line + span)
    assert components(file, pos, line, line + span, GAP).tolist() == expected.tolist()


def test_no_hits_no_groups() -> None:
    empty = np.empty(0, dtype=np.int64)
    assert components(empty, empty, empty, empty, GAP).shape == (0,)
