"""Fragments: the pieces of one copy whose parts were moved apart, judged together.

A copy whose functions were reordered, or whose declarations were moved away from their
uses, chains as several *fragments* of one indexed file (see :mod:`leakguard.match`): each
may be under the threshold, together they are the copy. Fragments of one file that cover
different scanned text and different indexed lines, and together still fill most of the
text they span, are judged together: the strongest counts in full and each other one with
what it has beyond half the threshold, the evidence chance structure alone reaches. Two
chance matches with one file are therefore not a leak, and two halves of a real copy are.

Only files none of whose chains leaks alone are judged so: a finding that leaks keeps its
own evidence (and its rank against findings of other files over the same text). Which
runs of hits may be such fragments, and so are chained down to a lower floor, the native
engine decides (``native/engine/src/fragments.rs``).

Measured (``benchmarks/datasets.py``): IR-Plag L3 54 -> 55 of 57 copies, SPPlagiarise L4
86 -> 87 of 119 files, with the same false alarms on 3,000 windows of unrelated Java, and
the same findings on the speed benchmark's 2 MB of mixed text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leakguard.options import ScanPolicy

if TYPE_CHECKING:
    from leakguard.match import Chain


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
