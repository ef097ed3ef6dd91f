"""Fragments of one copy are judged together, and only fragments that could be one copy."""

from __future__ import annotations

from leakguard.fragments import combine_fragments
from leakguard.match import Chain
from leakguard.options import ScanPolicy

K = 12


def _fragment(file: int, first_pos: int, last_pos: int, first_line: int, last_line: int, evidence: float) -> Chain:
    chain = Chain(file, [first_pos, last_pos], [], first_line, last_line, last_line, last_pos)
    chain.matched = last_pos + K - first_pos
    chain.evidence = evidence
    return chain


def test_fragments_of_one_file_add_what_they_have_beyond_half_the_threshold() -> None:
    policy = ScanPolicy()  # threshold 20: half is 10
    # A copy with its two halves swapped: different text, different indexed lines, dense.
    later, earlier = _fragment(0, 0, 10, 40, 44, 16.0), _fragment(0, 24, 34, 10, 14, 15.0)
    other_file = _fragment(1, 50, 60, 10, 14, 12.0)
    assert combine_fragments([later, earlier, other_file], K, policy) == 21.0
    assert later.combined == earlier.combined == 21.0
    assert other_file.combined == 12.0


def test_fragments_must_be_different_code_close_together_of_a_file_that_does_not_leak_alone() -> None:
    policy = ScanPolicy()
    # The same indexed lines twice (a repeated paste) is not more of a copy.
    again = [_fragment(0, 0, 10, 10, 14, 16.0), _fragment(0, 24, 34, 12, 16, 15.0)]
    # Chance matches with one large file scattered over a long text are not one copy.
    scattered = [_fragment(0, 0, 10, 40, 44, 16.0), _fragment(0, 400, 410, 900, 904, 15.0)]
    # A file that leaks alone keeps its findings' own evidence.
    leaking = [_fragment(0, 0, 40, 40, 54, 30.0), _fragment(0, 60, 70, 10, 14, 15.0)]
    for chains in (again, scattered, leaking):
        assert combine_fragments(chains, K, policy) == max(c.evidence for c in chains)
        assert [c.combined for c in chains] == [c.evidence for c in chains]
