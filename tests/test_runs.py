"""The reference chaining's run cutting (numpy, kept in tests/reference_chain.py) against plain Python."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_chain import (
    _changes_per_run,
    _covered_per_run,
    _distinct_per_run_of_each,
    _split_lines,
    _split_positions,
    components,
)

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


# Rows of runs as the measures see them: (run, position, indexed line, fingerprint), sorted,
# so runs ascend and positions ascend within a run.
rows = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 60), st.integers(0, 9), st.integers(0, 9)), min_size=1)


@given(rows)
@settings(max_examples=300, derandomize=True)
def test_run_measures_count_what_python_counts(picked: list[tuple[int, int, int, int]]) -> None:
    picked.sort()
    n_runs, k = 6, 12
    run, pos, line, key = (np.asarray(column, dtype=np.int64) for column in zip(*picked, strict=True))

    def distinct(column: int) -> list[int]:
        return [len({row[column] for row in picked if row[0] == r}) for r in range(n_runs)]

    def covered(r: int) -> int:
        starts = sorted({row[1] for row in picked if row[0] == r})
        return sum(min(b - a, k) for a, b in itertools.pairwise(starts)) + k if starts else 0

    matched, positions = _covered_per_run(run, pos, k, n_runs)
    assert matched.tolist() == [covered(r) for r in range(n_runs)]
    assert positions.tolist() == distinct(1) == _changes_per_run(run, pos, n_runs).tolist()
    assert _distinct_per_run_of_each(run, (line, key), n_runs).tolist() == [distinct(2), distinct(3)]
