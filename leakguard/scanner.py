"""Scanning text against an index: decoding, tokens, k-gram lookups, chains, verdict.

The text is scanned as it is and through each decoded view of it (see
:mod:`leakguard.decode`) that can find more (see :mod:`leakguard.readings`); findings
from every view are mapped back to the original text and merged, the strongest winning
where they overlap.

Cutting text into tokens, hashing k-grams, looking them up in the memory-mapped index
and chaining the hits run in the native engine (``native/``) with the GIL released; what
follows (near duplicates around partial matches, overlaps, scoring, findings) runs per
*chain*, and a clean text has almost none.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from leakguard import score as scoring
from leakguard.decode import views
from leakguard.errors import InputError
from leakguard.fingerprint.kgrams import kgram_hashes
from leakguard.fragments import combine_fragments
from leakguard.hits import Hits
from leakguard.index.postings import marked_public
from leakguard.index.store import Index
from leakguard.match import PARTIAL_SHARE, Chain, chain_hits, covered_tokens, resolve_overlaps
from leakguard.near import near_chains
from leakguard.normalise.lexer import TokenStream, newline_offsets
from leakguard.normalise.triple_quotes import lex_variants
from leakguard.options import DEFAULT_POLICY, ScanPolicy
from leakguard.readings import can_add
from leakguard.result import Finding, ScanResult, blocks
from leakguard.span import LineTable, copy_bounds


def scan_text(index: Index, text: str, policy: ScanPolicy | None = None) -> ScanResult:
    """Scan ``text`` against ``index`` and decide whether it leaks indexed code."""
    if not isinstance(text, str):
        raise InputError(f"scan expects str, got {type(text).__name__}")
    policy = policy or DEFAULT_POLICY
    text_views = views(text)
    own = lex_variants(text, index.alphabet)
    readings = [(text_views[0], _scan_tokens(index, text, tokens, policy)) for tokens in own]
    for view in text_views[1:]:
        decoded = lex_variants(view.text, index.alphabet)
        # Hashed once: the test below looks up the view's new k-grams, the scan all of them.
        hashes = [kgram_hashes(tokens.abstract, index.params.k) for tokens in decoded]
        if len(decoded) == 1 and not can_add(index, policy, view, decoded[0], hashes[0], own[0], readings[0][1].hits):
            continue
        readings += [(view, _scan_tokens(index, view.text, t, policy, h)) for t, h in zip(decoded, hashes, strict=True)]
    best = 0.0
    candidates: list[tuple[int, Finding]] = []
    for reading, (view, scanned) in enumerate(readings):
        best = max(best, scanned.strongest)
        for finding in _merge([(reading, f) for f in scanned.findings], MERGE_NEW_LINES):
            start, end = view.span(finding.start, finding.end)
            candidates.append((reading, dataclasses.replace(finding, start=start, end=end)))
    findings = index.labelled(_with_text_lines(_merge(candidates), text), policy.warn_labels)
    return ScanResult(blocks(findings), scoring.score(best, policy), findings, text, policy)


def _with_text_lines(findings: list[Finding], text: str) -> list[Finding]:
    if not findings:
        return findings
    newlines = newline_offsets(text)
    out = []
    for finding in findings:
        first = int(np.searchsorted(newlines, finding.start, side="left")) + 1
        last = int(np.searchsorted(newlines, max(finding.start, finding.end - 1), side="left")) + 1
        out.append(dataclasses.replace(finding, text_start_line=first, text_end_line=last))
    return out


class _Scanned(NamedTuple):
    """What scanning one token stream found."""

    strongest: float  # the strongest evidence seen, leaking or not
    findings: list[Finding]
    hits: npt.NDArray[np.int64]  # token positions of the k-grams that met the index, ascending


def _scan_tokens(
    index: Index, text: str, tokens: TokenStream, policy: ScanPolicy, hashes: npt.NDArray[np.uint64] | None = None
) -> _Scanned:
    """Strongest evidence seen, the leaking findings and the hits of ``tokens``, one token
    stream of ``text`` (``hashes``: its k-gram hashes, when already computed)."""
    k = index.params.k
    if len(tokens) < k:
        return _Scanned(0.0, [], np.empty(0, np.int64))
    if hashes is None:
        hashes = kgram_hashes(tokens.abstract, k)
    hits = lookup(index, tokens, policy, hashes)
    # Chains down to half the threshold are kept: fragments of one copy add up.
    chaining = chain_hits(hits, k, policy, tokens.line, index.small_files, fragment_floor=policy.threshold / 2)
    chains = chaining.chains
    best = chaining.strongest
    if policy.near_duplicates and chaining.strongest >= policy.threshold * PARTIAL_SHARE:
        # An edited copy keeps runs of exact k-grams: MinHash confirms a partial match, it
        # is not run over text that matched nothing worth confirming.
        near = near_chains(index, tokens, policy, explained=chaining.positions, around=chaining.partial)
        best = max([best, *(c.evidence for c in near)])
        chains += near
    kept = resolve_overlaps(chains, k, len(tokens), policy)
    best = max(best, combine_fragments(kept, k, policy))
    leaking = [
        chain
        for chain in kept
        if chain.matched >= policy.min_report_tokens and scoring.is_leak(scoring.score(chain.combined, policy))
    ]
    lines = LineTable(text, tokens, index.alphabet) if leaking else None
    common = set(hits.pos[marked_public(index.arrays, hits.key)].tolist()) if leaking else set()
    findings = [_finding(index, chain, tokens, lines, policy, common) for chain in leaking if lines is not None]
    return _Scanned(best, findings, hits.pos)


#: Within one reading of a text, a finding that stronger ones already half cover is kept
#: when a quarter of its text is its own and it names at least this many lines of its file
#: that the stronger findings of that same file do not: the rest of a copy whose two
#: halves chained separately.
MERGE_NEW_LINES = 5


def _merge(candidates: list[tuple[int, Finding]], new_lines: int | None = None) -> list[Finding]:
    """Strongest first, keep the findings that add to the stronger ones; order by position.

    Each candidate comes with the reading of the text it was found in (the text itself, a
    decoded view, another pairing of triple quotes). A finding half covered by a stronger
    one *from another reading* is the same copy seen twice and is dropped. Within one
    reading, with ``new_lines``, a finding half covered by stronger ones is the rest of a
    copy of the same file when a quarter of its text is its own and it names ``new_lines``
    lines of that file that no stronger finding of it names: it is kept.
    """
    kept: list[tuple[int, Finding]] = []
    # The kept findings by start, and the longest: only those starting less than that
    # before a finding can overlap it, so a log with thousands of findings is not read
    # once per finding.
    starts: list[int] = []
    ends: list[int] = []
    readings: list[int] = []
    by_path: dict[str, list[Finding]] = {}
    longest = 0
    for reading, finding in sorted(candidates, key=lambda c: (-c[1].score, c[1].start, c[1].path)):
        length = max(1, finding.end - finding.start)
        low = bisect.bisect_left(starts, finding.start - longest)
        high = bisect.bisect_left(starts, finding.end)
        overlap = 0
        for at in range(low, high):
            if new_lines is not None or readings[at] != reading:
                overlap += max(0, min(ends[at], finding.end) - max(starts[at], finding.start))
        keep = overlap < length / 2
        if not keep and new_lines is not None and overlap < length * 3 / 4:
            same_file = by_path.get(finding.path, [])
            keep = bool(same_file) and _lines_added(finding, same_file) >= new_lines
        if keep:
            kept.append((reading, finding))
            at = bisect.bisect_right(starts, finding.start)
            starts.insert(at, finding.start)
            ends.insert(at, finding.end)
            readings.insert(at, reading)
            by_path.setdefault(finding.path, []).append(finding)
            longest = max(longest, finding.end - finding.start)
    return sorted((f for _, f in kept), key=lambda f: (f.start, f.path))


def _lines_added(finding: Finding, same_file: list[Finding]) -> int:
    """Lines of the finding's file it names that none of ``same_file`` names."""
    named: set[int] = set()
    for other in same_file:
        named.update(range(other.start_line, other.end_line + 1))
    return sum(line not in named for line in range(finding.start_line, finding.end_line + 1))


def lookup(index: Index, tokens: TokenStream, policy: ScanPolicy, hashes: npt.NDArray[np.uint64] | None = None) -> Hits:
    """Every (scanned k-gram, indexed posting) pair whose hashes agree, as arrays.

    A hash held by more than ``policy.max_df`` files is common structure and is followed
    only to the postings whose names match the scanned k-gram exactly (and only when that
    exact code is itself rare). So is a hash with more postings than are followed
    (``MAX_POSTINGS_PER_HASH``: a long table, a column of similar statements): the first
    ones would be the wrong ones, and the names say which row was copied. A hit is *exact*
    when the names match, the k-gram holds at least two identifiers or literals and one
    of them is not common in public code (the index's ``public_names``); structure alone
    counts only for a k-gram with a word in it (not a row of a table) whose shape is not
    common. The work is the native engine's (``native/engine/src/lookup.rs``).
    """
    k = index.params.k
    if hashes is None:
        hashes = kgram_hashes(tokens.abstract, k)
    pos, file, line, end_line, exact, key = index.table.lookup(
        tokens.abstract, tokens.concrete, hashes, k, policy.max_df(index.n_files)
    )
    return Hits(pos=pos, file=file, line=line, end_line=end_line, exact=exact, key=key)


def _finding(
    index: Index, chain: Chain, tokens: TokenStream, lines: LineTable, policy: ScanPolicy, common: set[int]
) -> Finding:
    """The finding a leaking chain makes; ``common`` are the scanned positions whose k-gram
    shape is common in public code (they were followed only for their names)."""
    first, last, start_line, end_line = copy_bounds(index, chain, tokens, lines)
    shared = [p for p in chain.positions if p in common]
    return Finding(
        path=index.paths[chain.file],
        start_line=start_line,
        end_line=end_line,
        start=int(tokens.start[first]),
        end=int(tokens.end[last]),
        score=scoring.score(chain.combined, policy),
        matched_tokens=chain.matched,
        exact_tokens=chain.exact,
        common_tokens=min(covered_tokens(shared, index.params.k), chain.exact),
    )
