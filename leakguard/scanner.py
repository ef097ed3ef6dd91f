"""Scanning text against an index: tokens, k-gram lookups, chains, verdict.

The hot path is vectorised end to end: the lexer is one compiled regular expression, all
k-gram hashes of the text come from a few numpy operations, and the lookup is one
``searchsorted`` into the memory-mapped hash table. Python loops run per *hit*, never per
token, and a clean text has almost none.
"""

from __future__ import annotations

import numpy as np

from leakguard import score as scoring
from leakguard.errors import InputError
from leakguard.fingerprint.kgrams import kgram_hashes, kgram_tags
from leakguard.index.store import Index
from leakguard.match import Chain, Hits, chain_hits, resolve_overlaps
from leakguard.near import near_chains
from leakguard.normalise.lexer import TokenStream, lex
from leakguard.options import DEFAULT_POLICY, ScanPolicy
from leakguard.result import Finding, ScanResult

#: At most this many postings of one fingerprint are followed (repetitive indexed code).
MAX_POSTINGS_PER_HASH = 32


def scan_text(index: Index, text: str, policy: ScanPolicy | None = None) -> ScanResult:
    """Scan ``text`` against ``index`` and decide whether it leaks indexed code."""
    if not isinstance(text, str):
        raise InputError(f"scan expects str, got {type(text).__name__}")
    policy = policy or DEFAULT_POLICY
    k = index.params.k
    tokens = lex(text, index.alphabet)
    if len(tokens) < k:
        return ScanResult(False, 0.0, [], text, policy)
    hits = lookup(index, tokens, policy)
    chains = chain_hits(hits, k, policy)
    chains += near_chains(index, tokens, policy, exclude=chains)
    best = max((c.evidence for c in chains), default=0.0)
    kept = resolve_overlaps(chains, k, len(tokens), policy)
    findings = [
        _finding(index, chain, tokens, k, policy)
        for chain in kept
        if chain.matched >= policy.min_report_tokens and scoring.is_leak(scoring.score(chain.evidence, policy))
    ]
    findings.sort(key=lambda f: (f.start, f.path))
    top = scoring.score(best, policy)
    return ScanResult(bool(findings), top, findings, text, policy)


def lookup(index: Index, tokens: TokenStream, policy: ScanPolicy) -> Hits:
    """Every (scanned k-gram, indexed posting) pair whose hashes agree, as arrays."""
    k = index.params.k
    arrays = index.arrays
    table = arrays["hashes"]
    none = np.empty(0, np.int64)
    empty = Hits(none, none, none, none, np.empty(0, dtype=bool))
    if table.shape[0] == 0:
        return empty
    hashes = kgram_hashes(tokens.abstract, k)
    slot = np.searchsorted(table, hashes)
    slot[slot == table.shape[0]] = 0
    found = table[slot] == hashes
    found &= arrays["df"][slot] <= policy.max_df(index.n_files)
    positions = np.flatnonzero(found)
    if positions.size == 0:
        return empty
    slot = slot[positions]
    first = arrays["offsets"][slot].astype(np.int64)
    count = np.minimum(arrays["offsets"][slot + 1].astype(np.int64) - first, MAX_POSTINGS_PER_HASH)
    pos = np.repeat(positions, count)
    # Index of each expanded posting: its group's first posting plus its rank in the group.
    rank = np.arange(pos.shape[0]) - np.repeat(np.cumsum(count) - count, count)
    post = np.repeat(first, count) + rank
    files, lines = index.file_and_line(arrays["post_loc"][post].astype(np.int64))
    tags = kgram_tags(tokens.concrete, k)[pos]
    return Hits(
        pos=pos.astype(np.int64),
        file=files,
        line=lines,
        end_line=lines + arrays["post_span"][post].astype(np.int64),
        exact=arrays["post_tag"][post] == tags,
    )


def _extend(tokens: TokenStream, position: int, step: int, limit: int) -> int:
    """Move from a token up to ``limit`` tokens in direction ``step``, stopping at a blank line.

    The index keeps one k-gram in ``window``, so a copy can begin up to ``window - 1`` tokens
    before its first hit and end as far after its last one. Those tokens are claimed only
    while they sit in the same block of text (no blank line between), so prose around a
    snippet is not swallowed.
    """
    lines = tokens.line
    for _ in range(limit):
        nxt = position + step
        if nxt < 0 or nxt >= len(tokens) or abs(int(lines[nxt]) - int(lines[position])) > 1:
            break
        position = nxt
    return position


def _finding(index: Index, chain: Chain, tokens: TokenStream, k: int, policy: ScanPolicy) -> Finding:
    slack = index.params.window - 1
    hit_first = chain.positions[0]
    hit_last = min(chain.positions[-1] + k - 1, len(tokens) - 1)
    first = _extend(tokens, hit_first, -1, slack)
    last = _extend(tokens, hit_last, 1, slack)
    start_line = max(1, chain.first_line - int(tokens.line[hit_first] - tokens.line[first]))
    base = index.arrays["line_base"]
    file_lines = int(base[chain.file + 1]) - int(base[chain.file])
    end_line = max(chain.max_line, chain.first_line) + int(tokens.end_line[last] - tokens.end_line[hit_last])
    end_line = min(end_line, file_lines)
    return Finding(
        path=index.paths[chain.file],
        start_line=start_line,
        end_line=end_line,
        start=int(tokens.start[first]),
        end=int(tokens.end[last]),
        score=scoring.score(chain.evidence, policy),
        matched_tokens=chain.matched,
        exact_tokens=chain.exact,
    )
