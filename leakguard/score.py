"""From matched tokens to a calibrated score in [0, 1].

Evidence is counted in tokens of the scanned text covered by matching k-grams: a token
whose k-gram also carries the indexed code's identifier names counts fully, a token that
only matches in structure (a renamed copy) counts ``renamed_weight``. The score is

    score = 1 - 2 ** (-evidence / threshold)

so it is 0 with no evidence, exactly 0.5 at the threshold (the verdict's boundary),
0.75 at twice the threshold and approaches 1 as the copy grows. It is monotonic in the
evidence, which is what a reviewer sorting alerts needs.
"""

from __future__ import annotations

import math

from leakguard.options import ScanPolicy


def evidence(matched_tokens: int, exact_tokens: int, policy: ScanPolicy) -> float:
    """Evidence in token units: exact tokens count 1, renamed-only tokens ``renamed_weight``."""
    exact = min(exact_tokens, matched_tokens)
    return exact + policy.renamed_weight * (matched_tokens - exact)


def score(evidence_tokens: float, policy: ScanPolicy) -> float:
    """Map evidence to [0, 1]; 0.5 exactly at ``policy.threshold``."""
    if evidence_tokens <= 0:
        return 0.0
    return 1.0 - math.pow(2.0, -evidence_tokens / policy.threshold)


def is_leak(score_value: float) -> bool:
    """The verdict for one finding's score (the threshold sits at 0.5 by construction)."""
    return score_value >= 0.5
