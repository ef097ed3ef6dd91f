"""Hits cut into independent runs, measured with array operations (the chaining fast path).

:mod:`leakguard.match` grows chains hit by hit. Text that shares common structure with a
large index makes tens of thousands of chance hits, and a per-hit Python loop over all of
them would dominate a scan. This module cuts the hits into *runs* that no chain can cross,
finds the runs that are one chain by construction (*simple* runs: every copy pasted in one
piece is one), and measures every run at once:

* :func:`run_evidence` gives a simple run's evidence exactly as the chain built from it
  would have it, so only the runs strong enough to matter are ever built;
* :func:`run_bound` gives, for any run, an upper bound on the evidence of every chain in
  it, so runs that cannot matter are never chained hit by hit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from leakguard.arrays import distinct
from leakguard.options import ScanPolicy

#: A hit may join a chain whose last indexed line is at most this many lines further on
#: (reordered statements).
BACKWARD_LINES = 6
#: Chains touching fewer distinct indexed lines than this share of their scanned lines are
#: scaled down (periodic code matching by accident).
MIN_LINE_RATIO = 0.5
#: A chain whose k-grams all lie on one indexed line counts this share of its evidence.
#: One long line (a date regular expression, a format string, a row of a table) is what
#: unrelated code shares most often; a pasted copy of code spans lines.
ONE_LINE_FACTOR = 0.5

Array = npt.NDArray[np.int64]


class Rows(NamedTuple):
    """Hits sorted by (group, scanned position, indexed line), as parallel arrays."""

    file: Array
    pos: Array
    line: Array
    end_line: Array
    exact: npt.NDArray[np.bool_]
    key: Array


def components(file: Array, pos: Array, line: Array, end_line: Array, gap: int) -> Array:
    """Split each file's hits into groups that no chain can cross, as a group id per hit.

    Two hits more than ``gap`` scanned tokens apart with none between cannot share a chain.
    Nor can hits whose indexed lines are far apart: a hit joins a chain only within
    ``[last line - BACKWARD_LINES, highest end line + 2 + gap]`` of the lines it holds, so
    the widened line intervals of a chain's hits form one connected stretch. Cutting along
    both, twice, turns chance hits scattered over a large file into small groups.
    """
    group = _split_positions(file, pos, gap)
    if group.shape[0] == 0:
        return group
    for _ in range(2):
        by_lines = _split_lines(group, line, end_line, gap)
        # Ids are renumbered in the order of the old ones, so a split that splits nothing
        # returns the same ids: a fixed point, which the other cut would keep too.
        if int(by_lines.max()) == int(group.max()):
            break
        group = _split_positions(by_lines, pos, gap)
    return group


def _split_positions(group: Array, pos: Array, gap: int) -> Array:
    order = np.lexsort((pos, group))
    g, p = group[order], pos[order]
    starts = np.ones(order.shape[0], dtype=bool)
    starts[1:] = (g[1:] != g[:-1]) | (p[1:] - p[:-1] > gap)
    out = np.empty_like(group)
    out[order] = starts.cumsum() - 1
    return out


def _split_lines(group: Array, line: Array, end_line: Array, gap: int) -> Array:
    order = np.lexsort((line, group))
    g, low, high = group[order], line[order] - BACKWARD_LINES, end_line[order] + 2 + gap
    width = int(high.max()) + BACKWARD_LINES + 1
    reach = np.maximum.accumulate(high + g * width) - g * width  # running maximum, restarted per group
    starts = np.ones(order.shape[0], dtype=bool)
    starts[1:] = (g[1:] != g[:-1]) | (low[1:] > reach[:-1])
    out = np.empty_like(group)
    out[order] = starts.cumsum() - 1
    return out


def find_runs(
    pos: Array, group: Array, line: Array, end_line: Array, gap: int
) -> tuple[Array, Array, npt.NDArray[np.bool_]]:
    """Split hits sorted by (group, pos, line) into independent runs: (starts, stops, simple).

    Hits of one group more than ``gap`` scanned tokens apart can never share a chain, so
    each run is chained on its own. A run is *simple* when every hit joins the chain of the
    hits before it under the rule of :func:`leakguard.match._greedy_chains` (one open chain
    throughout): it is then one chain.
    """
    n = pos.shape[0]
    starts = np.ones(n, dtype=bool)
    starts[1:] = (group[1:] != group[:-1]) | (pos[1:] - pos[:-1] > gap)
    run = starts.cumsum() - 1
    # The running maximum of end lines, restarted at every run (offset so runs cannot mix).
    width = int(end_line.max()) + 1
    reach = np.maximum.accumulate(end_line + run * width) - run * width
    joins = starts.copy()
    step = pos[1:] - pos[:-1]
    joins[1:] |= (line[1:] >= line[:-1] - BACKWARD_LINES) & (line[1:] <= reach[:-1] + 2 + step)
    first = starts.nonzero()[0]
    return first, np.append(first[1:], n), np.logical_and.reduceat(joins, first)


def _gather(rows: Rows, first: Array, stop: Array) -> tuple[Array, Rows]:
    """The rows of the given runs, concatenated, and the run number of each."""
    sizes = stop - first
    run = np.arange(first.shape[0]).repeat(sizes)
    if run.shape[0] == rows.pos.shape[0]:  # the runs (disjoint, in order) are every row
        return run, rows
    take = (first - sizes.cumsum() + sizes).repeat(sizes) + np.arange(int(sizes.sum()))
    columns = (rows.file, rows.pos, rows.line, rows.end_line, rows.key)
    file, pos, line, end_line, key = (column[take] for column in columns)
    return run, Rows(file, pos, line, end_line, rows.exact[take], key)


def _run_tokens(rows: Rows, first: Array, stop: Array, k: int) -> tuple[Array, Rows, Array, Array, Array]:
    """The runs' rows (see :func:`_gather`), the tokens each run covers (all, and exact) and
    its number of distinct positions."""
    n = first.shape[0]
    run, picked = _gather(rows, first, stop)
    matched, positions = _covered_per_run(run, picked.pos, k, n)
    exact = np.minimum(_covered_per_run(run[picked.exact], picked.pos[picked.exact], k, n)[0], matched)
    return run, picked, matched, exact, positions


def _distinct_per_run(run: Array, values: Array, n_runs: int) -> Array:
    """Number of distinct values in each run."""
    width = int(values.max()) + 1 if values.size else 1
    pairs = distinct(run * width + values)
    return np.bincount(pairs // width, minlength=n_runs)


def _distinct_per_run_of_each(run: Array, columns: tuple[Array, ...], n_runs: int) -> Array:
    """:func:`_distinct_per_run` of each column, one row each, from one sort: each sort
    and count is a few array calls, which on a prompt's few hits cost more than the work."""
    width = max(int(column.max()) for column in columns) + 1 if run.size else 1
    if width * n_runs * len(columns) >= 1 << 62:  # keys would overflow: one column at a time
        return np.stack([_distinct_per_run(run, column, n_runs) for column in columns])
    keys = np.concatenate([(run + c * n_runs) * width + column for c, column in enumerate(columns)])
    counts = np.bincount(distinct(keys) // width, minlength=n_runs * len(columns))
    return counts.reshape(len(columns), n_runs)


def _first_in_run(run: Array, values: Array | npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
    """Rows that start a run or hold another value than the row before: for values that
    never decrease within a run, the first row of each distinct value (no sort needed)."""
    fresh = np.empty(run.shape[0], dtype=bool)
    fresh[:1] = True
    fresh[1:] = (run[1:] != run[:-1]) | (values[1:] != values[:-1])
    return fresh


def _changes_per_run(run: Array, values: Array | npt.NDArray[np.int32], n_runs: int) -> Array:
    """Number of distinct values in each run, for values that never decrease within a run."""
    return np.bincount(run[_first_in_run(run, values)], minlength=n_runs)


def _covered_per_run(run: Array, pos: Array, k: int, n_runs: int) -> tuple[Array, Array]:
    """Tokens covered by the k-grams at each run's positions (sorted within runs), and the
    number of distinct positions of each run."""
    if pos.size == 0:
        return np.zeros(n_runs, dtype=np.int64), np.zeros(n_runs, dtype=np.int64)
    fresh = _first_in_run(run, pos)
    run, pos = run[fresh], pos[fresh]
    # A position covers up to the next one of its run, at most k tokens; a run's last, k.
    reach = np.empty(pos.shape[0], dtype=np.int64)
    np.minimum(pos[1:] - pos[:-1], k, out=reach[:-1])
    reach[-1] = k
    reach[:-1][run[1:] != run[:-1]] = k
    # Sums of whole numbers far below 2**53 are exact in float64, and a weighted bincount
    # costs a fraction of ``np.add.at``.
    covered = np.bincount(run, weights=reach, minlength=n_runs).astype(np.int64)
    return covered, np.bincount(run, minlength=n_runs)


def _small_file_scale(
    rows: Rows, first: Array, matched: Array, policy: ScanPolicy, small_files: npt.NDArray[np.float64] | None
) -> npt.NDArray[np.float64] | None:
    """The share of its full weight each run's evidence gets (small, densely indexed files);
    None when every run gets all of it (no run's file is small: the usual case)."""
    if small_files is None:
        return None
    needed = small_files[rows.file[first]] * policy.small_file_coverage
    small = needed > 0
    if not small.any():
        return None
    return np.where(small, np.minimum(1.0, matched / np.where(small, needed, 1.0)), 1.0)


class RunMeasures(NamedTuple):
    """Per simple run, what :func:`leakguard.match._measure` gives the run's one chain."""

    evidence: npt.NDArray[np.float64]
    matched: Array
    exact: Array
    factor: npt.NDArray[np.float64]
    variety: npt.NDArray[np.float64]


def run_evidence(
    rows: Rows,
    first: Array,
    stop: Array,
    k: int,
    policy: ScanPolicy,
    scan_line: npt.NDArray[np.int32],
    small_files: npt.NDArray[np.float64] | None,
) -> RunMeasures:
    """The evidence of the one chain of each simple run, and the counts and factors it comes
    from, as :func:`leakguard.match._measure` gives them (same operations in the same order,
    so the same floating-point result): a built chain takes them instead of being measured.

    ``scan_line`` never decreases (a token stream's lines, in text order), so within a run,
    whose rows are in scanned order, neither positions nor their lines do."""
    n = first.shape[0]
    run, picked, matched, exact, positions = _run_tokens(rows, first, stop, k)
    scanned = _changes_per_run(run, scan_line[picked.pos], n)
    indexed_lines, keys = _distinct_per_run_of_each(run, (picked.line, picked.key), n)
    factor = np.minimum(1.0, indexed_lines / np.maximum(1, scanned) / MIN_LINE_RATIO)
    starts = (stop - first).cumsum() - (stop - first)  # each run's first row among the gathered ones
    one_line = np.maximum.reduceat(picked.end_line, starts) == np.minimum.reduceat(picked.line, starts)
    factor = np.where(one_line, factor * ONE_LINE_FACTOR, factor)
    variety = np.minimum(1.0, keys / np.maximum(1, positions))
    renamed = np.trunc((matched - exact) * variety)  # whole tokens, as int() in the per-chain path
    evidence: npt.NDArray[np.float64] = (exact + policy.renamed_weight * renamed) * factor
    scale = _small_file_scale(rows, first, matched, policy, small_files)
    if scale is not None:
        evidence = np.where(scale < 1.0, evidence * scale, evidence)
    return RunMeasures(evidence, matched, exact, factor, variety)


def run_bound(
    rows: Rows, first: Array, stop: Array, k: int, policy: ScanPolicy, small_files: npt.NDArray[np.float64] | None
) -> npt.NDArray[np.float64]:
    """For each run, an upper bound on the evidence of any chain built from its hits.

    A chain's tokens are a subset of its run's, its factor and variety are at most 1 and
    exact tokens weigh more than renamed ones, so the run's own covered tokens bound it.
    Its renamed tokens are also at most ``k`` per distinct fingerprint of the run: they are
    scaled by variety (distinct fingerprints per position) and a position covers at most
    ``k`` tokens. That second bound is what rules out a repetitive indexed file, which
    chance structure hits hundreds of times with a handful of fingerprints.
    """
    run, picked, matched, exact, _ = _run_tokens(rows, first, stop, k)
    renamed = np.minimum(matched - exact, k * _distinct_per_run(run, picked.key, first.shape[0]))
    bound: npt.NDArray[np.float64] = exact + policy.renamed_weight * renamed
    scale = _small_file_scale(rows, first, matched, policy, small_files)
    return bound if scale is None else bound * scale
