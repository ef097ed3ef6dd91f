"""The numpy chaining the native engine replaced, kept as the reference of a differential test.

Until the native engine (``native/engine/src/chain.rs``) took over, leakguard chained hits
with this code: the hit filters (``hits.py``), runs measured with array operations
(``runs.py``), the fragment floors (``fragments.py``) and the chaining itself
(``match.py``). ``test_match.py`` checks that the engine builds exactly the same chains,
with the same evidence, in the same order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from leakguard.arrays import distinct, distinct_inverse, member
from leakguard.hits import Hits
from leakguard.match import PARTIAL_SHARE, Chain, Chaining, Partial, _evidence, covered_tokens
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


def prefer_exact(hits: Hits) -> Hits:
    """Where one scanned k-gram hits several places of a file and some match by name, keep those.

    Repetitive code (a run of similar declarations) makes one structural k-gram hit every
    repetition; the names say which repetition was copied.
    """
    if not hits.exact.any() or hits.exact.all():
        return hits
    key = hits.file * (int(hits.pos.max()) + 1) + hits.pos
    order = key.argsort(kind="stable")
    sorted_key = key[order]
    starts = np.concatenate(([True], sorted_key[1:] != sorted_key[:-1])).nonzero()[0]
    group_exact = np.maximum.reduceat(hits.exact[order].astype(np.int8), starts).astype(bool)
    sizes = np.concatenate((starts[1:], [key.shape[0]])) - starts
    keep_sorted = hits.exact[order] | ~group_exact.repeat(sizes)
    keep = np.empty_like(keep_sorted)
    keep[order] = keep_sorted
    return Hits(hits.pos[keep], hits.file[keep], hits.line[keep], hits.end_line[keep], hits.exact[keep], hits.key[keep])


#: A hit is kept for chaining only with this many hits of its file (itself included) within
#: ``gap`` scanned tokens: two when its names match, four when only its structure does.
#: Fewer cannot reach the threshold (20 exact tokens, about 37 structural ones) anyway.
MIN_EXACT_NEIGHBOURS = 2
MIN_STRUCTURAL_NEIGHBOURS = 4


def without_sparse(hits: Hits, gap: int) -> Hits:
    """Drop hits too sparse to ever form a reportable chain (see MIN_*_NEIGHBOURS).

    Text sharing common structure with a large index has thousands of scattered hits;
    chaining them one by one in Python would dominate the scan.
    """
    width = int(hits.pos.max()) + 2 * gap + 2
    key = hits.file * width + hits.pos
    # Distinct (file, position) keys within ``gap`` of each hit, counted in sorted order:
    # searching sorted keys for sorted ones walks memory once, and ranks count distinct keys.
    order = key.argsort()
    ordered = key[order]
    fresh = np.ones(ordered.shape[0], dtype=np.int64)
    fresh[1:] = ordered[1:] != ordered[:-1]
    rank = fresh.cumsum()
    last = np.searchsorted(ordered, ordered + gap, side="right") - 1
    first = np.searchsorted(ordered, ordered - gap, side="left")
    around = np.empty_like(key)
    around[order] = rank[last] - rank[first] + 1
    keep = np.where(hits.exact, around >= MIN_EXACT_NEIGHBOURS, around >= MIN_STRUCTURAL_NEIGHBOURS)
    if keep.all():
        return hits
    return Hits(hits.pos[keep], hits.file[keep], hits.line[keep], hits.end_line[keep], hits.exact[keep], hits.key[keep])


def run_floors(
    run_file: npt.NDArray[np.int64],
    run_line: npt.NDArray[np.int64],
    begin: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    reach: npt.NDArray[np.float64],
    floor: float,
    low: float,
    leaking: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """The evidence each run's chains need to be kept: ``floor``, or ``low`` for a run
    that could be a fragment of a copy (see :func:`combine_fragments`).

    Such a run could reach ``low``, starts from another indexed line than the file's other
    candidates (the same line again is a repeated paste, not more of a copy), has a
    candidate of its file close enough in the scanned text for the two to be dense, and
    its file has no run that leaks alone but enough candidates to reach ``floor``
    together. Checking this on runs leaves chance matches scattered over a long text
    unchained, as they were before fragments counted.
    """
    wanted = np.full(reach.shape[0], floor)
    if low >= floor:
        return wanted
    candidate = ((reach >= low) & ~member(run_file, leaking)).nonzero()[0]
    order = candidate[np.lexsort((-reach[candidate], run_line[candidate], run_file[candidate]))]
    fresh = np.ones(order.shape[0], dtype=bool)
    fresh[1:] = (run_file[order][1:] != run_file[order][:-1]) | (run_line[order][1:] != run_line[order][:-1])
    candidate = order[fresh]
    candidate = candidate[np.lexsort((begin[candidate], run_file[candidate]))]
    f, b, e = run_file[candidate], begin[candidate], end[candidate]
    # Neighbours in the text, of one file: dense when the gap between them is no longer
    # than the two runs together (a necessary condition of ``_dense``).
    close = (f[1:] == f[:-1]) & (2 * ((e[1:] - b[1:]) + (e[:-1] - b[:-1])) >= np.maximum(e[1:], e[:-1]) - b[:-1])
    paired = np.zeros(candidate.shape[0], dtype=bool)
    paired[1:] |= close
    paired[:-1] |= close
    candidate = candidate[paired]
    files, inverse = distinct_inverse(run_file[candidate])
    total = np.bincount(inverse, weights=reach[candidate] - low, minlength=files.shape[0]) + low
    wanted[candidate[total[inverse] >= floor]] = low
    return wanted


def chain_hits(
    hits: Hits,
    k: int,
    policy: ScanPolicy,
    scan_line: npt.NDArray[np.int32],
    small_files: npt.NDArray[np.float64] | None = None,
    floor: float | None = None,
    fragment_floor: float | None = None,
) -> Chaining:
    """Group hits into chains (see module docstring) and measure each chain's evidence.

    ``scan_line`` is the line of every scanned token, in text order (so it never
    decreases; used to compare line coverage);
    ``small_files`` the token count of each densely indexed file, 0 for the others (see
    ``ScanPolicy.small_file_coverage``). Chains with less evidence than ``floor`` (default:
    what a leak needs, ``policy.threshold``) are left out of the result's ``chains``, but
    for ``fragment_floor``: chains down to it are kept when their file has at least two
    runs of hits that could reach it (fragments of one copy, see :func:`combine_fragments`).
    """
    floor = policy.threshold if floor is None else floor
    low = floor if fragment_floor is None else min(floor, fragment_floor)
    none = np.empty(0, dtype=np.int64)
    if hits.pos.size == 0:
        return Chaining([], 0.0, none)
    half = policy.threshold * PARTIAL_SHARE
    hits = prefer_exact(hits)
    if policy.threshold > k:
        hits = without_sparse(hits, policy.gap)
        if hits.pos.size == 0:
            return Chaining([], 0.0, none)
    group = components(hits.file, hits.pos, hits.line, hits.end_line, policy.gap)
    order = np.lexsort((hits.line, hits.pos, group))
    pos, file, line, end_line = hits.pos[order], hits.file[order], hits.line[order], hits.end_line[order]
    exact, key, group = hits.exact[order], hits.key[order], group[order]
    first, stop, simple = find_runs(pos, group, line, end_line, policy.gap)
    rows = Rows(file, pos, line, end_line, exact, key)
    # Simple runs are one chain each, measured exactly with array operations; other runs
    # get an upper bound on any chain the per-hit rule would build from them.
    reach = np.zeros(first.shape[0], dtype=np.float64)
    if simple.any():
        measures = run_evidence(rows, first[simple], stop[simple], k, policy, scan_line, small_files)
        reach[simple] = measures.evidence
    if not simple.all():
        reach[~simple] = run_bound(rows, first[~simple], stop[~simple], k, policy, small_files)
    leaking = distinct(file[first][simple & (reach >= floor)])
    wanted = run_floors(file[first], line[first], pos[first], pos[stop - 1] + k, reach, floor, low, leaking)
    # A run that is chained anyway keeps its weaker chains too: fragments of one copy.
    wanted[~simple & (reach >= floor)] = low
    chains: list[Chain] = []
    partial: list[Partial] = []
    strongest = float(reach[simple].max()) if simple.any() else 0.0
    # A simple run that reaches its floor is built (a pasted copy; chance structure makes
    # thousands of weak ones that never are).
    measured = simple.cumsum() - 1  # each simple run's row in ``measures`` (set when there are any)
    for i in (simple & (reach >= wanted)).nonzero()[0].tolist():
        a, b = int(first[i]), int(stop[i])
        chain = _one_chain(pos[a:b], int(file[a]), line[a:b], end_line[a:b], exact[a:b])
        _take_measures(chain, measures, int(measured[i]), policy, small_files)
        chains.append(chain)
    # Other runs go through the per-hit rule, highest bound first, and only while they could
    # reach their floor or beat the strongest chain so far (so ``strongest`` stays exact):
    # chance structure rarely can. A run left unchained that could hold a partial match
    # (``PARTIAL_SHARE`` of a leak) is kept as one, for near duplicates to be sought around it.
    unchained = (simple & (reach >= half)).nonzero()[0].tolist()
    last_use = min(low, half)  # a run below this, and below the strongest, has none
    for i in (~simple).nonzero()[0][(-reach[~simple]).argsort(kind="stable")].tolist():
        if reach[i] < last_use and reach[i] <= strongest:
            break  # so are all the runs after it: their bounds are no higher
        if reach[i] < wanted[i] and reach[i] <= strongest:
            if reach[i] >= half:
                unchained.append(i)
            continue
        a, b = int(first[i]), int(stop[i])
        picked = (group[a:b], file[a:b], pos[a:b], line[a:b], end_line[a:b], exact[a:b], key[a:b])
        for chain in _greedy_chains(*picked, policy.gap, scan_line):
            _measure(chain, k, policy, small_files)
            strongest = max(strongest, chain.evidence)
            if chain.evidence >= half:
                ends = (chain.positions[0], chain.positions[-1])
                partial.append(Partial(*ends, chain.file, chain.first_line, chain.max_line))
            if chain.evidence >= wanted[i]:
                chains.append(chain)
    for i in unchained:
        a, b = int(first[i]), int(stop[i])
        lines = (int(line[a:b].min()), int(end_line[a:b].max()))
        partial.append(Partial(int(pos[a]), int(pos[b - 1]), int(file[a]), *lines))
    return Chaining(chains, strongest, distinct(pos), sorted(partial))


def _measure(chain: Chain, k: int, policy: ScanPolicy, small_files: npt.NDArray[np.float64] | None) -> Chain:
    """Fill in a built chain's token counts, factors and evidence."""
    if small_files is not None:
        chain.needed = float(small_files[chain.file]) * policy.small_file_coverage
    chain.matched = covered_tokens(chain.positions, k)
    chain.exact = covered_tokens(chain.exact_positions, k)
    ratio = len(chain.source_lines) / max(1, len(chain.scan_lines))
    chain.factor = min(1.0, ratio / MIN_LINE_RATIO)
    if chain.max_line == chain.first_line:
        chain.factor *= ONE_LINE_FACTOR
    chain.variety = min(1.0, len(chain.keys) / max(1, len(chain.positions)))
    chain.evidence = _evidence(chain, policy)
    return chain


def _one_chain(
    pos: npt.NDArray[np.int64],
    file: int,
    line: npt.NDArray[np.int64],
    end_line: npt.NDArray[np.int64],
    exact: npt.NDArray[np.bool_],
) -> Chain:
    """The one chain of a simple run (see :mod:`leakguard.runs`), as :func:`_greedy_chains`
    builds it, but for the sets of lines and fingerprints: its measures come with the run
    (:func:`_take_measures`), so the sets would only be counted."""
    return Chain(
        file=file,
        positions=_distinct_sorted(pos),
        exact_positions=_distinct_sorted(pos[exact]),
        first_line=int(line.min()),
        last_line=int(line[-1]),
        max_line=int(end_line.max()),
        last_pos=int(pos[-1]),
        hits=int(pos.shape[0]),
    )


def _take_measures(
    chain: Chain, measures: RunMeasures, row: int, policy: ScanPolicy, small_files: npt.NDArray[np.float64] | None
) -> None:
    """Fill in a simple run's chain from the run's measures, as :func:`_measure` would."""
    if small_files is not None:
        chain.needed = float(small_files[chain.file]) * policy.small_file_coverage
    chain.matched = int(measures.matched[row])
    chain.exact = int(measures.exact[row])
    chain.factor = float(measures.factor[row])
    chain.variety = float(measures.variety[row])
    chain.evidence = float(measures.evidence[row])


def _distinct_sorted(values: npt.NDArray[np.int64]) -> list[int]:
    """The values of a sorted array, each once, as Python ints."""
    if values.shape[0] < 2:
        return [int(v) for v in values]
    fresh = np.ones(values.shape[0], dtype=bool)
    fresh[1:] = values[1:] != values[:-1]
    distinct_values: list[int] = values[fresh].tolist()
    return distinct_values


def _greedy_chains(
    group: npt.NDArray[np.int64],
    file: npt.NDArray[np.int64],
    pos: npt.NDArray[np.int64],
    line: npt.NDArray[np.int64],
    end_line: npt.NDArray[np.int64],
    exact: npt.NDArray[np.bool_],
    key: npt.NDArray[np.int64],
    gap: int,
    scan_line: npt.NDArray[np.int32],
) -> list[Chain]:
    """Chain hits sorted by (group, pos, line) one by one: each joins the open chain of its
    group it continues best (nearest in indexed lines), or opens a new one. A group holds
    hits of one file (see :func:`_components`)."""
    chains: list[Chain] = []
    open_chains: list[Chain] = []
    current = -1
    back = BACKWARD_LINES
    columns = tuple(column.tolist() for column in (group, file, pos, line, end_line, exact, key, scan_line[pos]))
    for g, f, p, ln, eln, ex, kk, sl in zip(*columns, strict=True):
        if g != current:
            open_chains = []
            current = g
        best: Chain | None = None
        for chain in open_chains:
            step = p - chain.last_pos
            if step > gap:
                continue
            in_step = chain.last_line - back <= ln <= chain.max_line + 2 + step
            if in_step and (best is None or abs(ln - chain.last_line) < abs(ln - best.last_line)):
                best = chain
        if best is None:
            best = Chain(f, [p], [], ln, ln, eln, p)
            chains.append(best)
            open_chains = [c for c in open_chains if p - c.last_pos <= gap]
            open_chains.append(best)
        elif best.positions[-1] != p:
            best.positions.append(p)
        if ex and (not best.exact_positions or best.exact_positions[-1] != p):
            best.exact_positions.append(p)
        best.source_lines.add(ln)
        best.keys.add(kk)
        best.hits += 1
        best.scan_lines.add(sl)
        if ln < best.first_line:
            best.first_line = ln
        best.last_line = ln
        if eln > best.max_line:
            best.max_line = eln
        best.last_pos = p
    return chains
