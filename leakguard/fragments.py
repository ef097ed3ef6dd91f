"""Fragments: the pieces of one copy whose parts were moved apart, judged together.

A copy whose functions were reordered, or whose declarations were moved away from their
uses, chains as several *fragments* of one indexed file (see :mod:`leakguard.match`): each
may be under the threshold, together they are the copy. Fragments of one file that cover
different scanned text and different indexed lines, and together still fill most of the
text they span, are judged together: the strongest counts in full and each other one with
what it has beyond half the threshold, the evidence chance structure alone reaches. Two
chance matches with one file are therefore not a leak, and two halves of a real copy are.

Only files none of whose chains leaks alone are judged so: a finding that leaks keeps its
own evidence (and its rank against findings of other files over the same text).

Measured (``benchmarks/datasets.py``): IR-Plag L3 54 -> 55 of 57 copies, SPPlagiarise L4
86 -> 87 of 119 files, with the same false alarms on 3,000 windows of unrelated Java, and
the same findings on the speed benchmark's 2 MB of mixed text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from leakguard.arrays import distinct_inverse, member
from leakguard.options import ScanPolicy

if TYPE_CHECKING:
    from leakguard.match import Chain


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


def combine_fragments(chains: list[Chain], k: int, policy: ScanPolicy) -> float:
    """Judge the fragments of each file together; set every chain's ``combined`` evidence
    and return the strongest.

    Only files none of whose chains leaks alone are judged so. Strongest first, a chain
    joins its file's fragments when it covers no scanned text and no indexed lines that a
    stronger fragment does (else it is another reading of the same code, not more of it)
    and the fragments still cover half the text they span (see :func:`_dense`). It adds
    what it has beyond half the threshold.
    """
    half = policy.threshold / 2
    strongest = 0.0
    by_file: dict[int, list[Chain]] = {}
    for chain in sorted(chains, key=lambda c: (-c.evidence, c.positions[0])):
        by_file.setdefault(chain.file, []).append(chain)
        chain.combined = chain.evidence
        strongest = max(strongest, chain.evidence)
    for members in by_file.values():
        if members[0].evidence >= policy.threshold:
            continue  # the file leaks already; its findings keep their own evidence
        fragments: list[Chain] = []
        for chain in members:
            if all(_apart(chain, other, k) for other in fragments) and _dense([*fragments, chain], k):
                fragments.append(chain)
        if len(fragments) < 2:
            continue
        total = fragments[0].evidence + sum(max(0.0, c.evidence - half) for c in fragments[1:])
        for chain in fragments:
            chain.combined = total
        strongest = max(strongest, total)
    return strongest


def _apart(chain: Chain, other: Chain, k: int) -> bool:
    """Whether two chains of one file share neither scanned text nor indexed lines."""
    text_apart = chain.positions[-1] + k <= other.positions[0] or other.positions[-1] + k <= chain.positions[0]
    lines_apart = chain.max_line < other.first_line or other.max_line < chain.first_line
    return text_apart and lines_apart


def _dense(fragments: list[Chain], k: int) -> bool:
    """Whether fragments cover at least half of the scanned text from the first to the last:
    a copy with parts moved still fills most of the text it spans; chance matches with one
    large file, scattered over a long text, do not."""
    begin = min(c.positions[0] for c in fragments)
    end = max(c.positions[-1] for c in fragments) + k
    return 2 * sum(c.matched for c in fragments) >= end - begin
