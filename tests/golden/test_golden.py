"""The native engine decides what the numpy engine decided (findings recorded by it).

``findings.json`` was recorded with the last numpy engine (see ``record.py``): every
verdict, score and finding (indexed path and lines, text span and lines, tokens) must be
the same, scores to 1e-9.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cases import cases, findings

import leakguard

HERE = Path(__file__).resolve().parent


def test_findings_are_the_recorded_ones(demo_index: leakguard.Index) -> None:
    recorded = json.loads((HERE / "findings.json").read_text())
    now = findings(demo_index, cases())
    assert sorted(now) == sorted(recorded)
    for name, then in recorded.items():
        got = now[name]
        assert got["leak"] == then["leak"], name  # type: ignore[index]
        assert got["score"] == pytest.approx(then["score"], abs=1e-9), name  # type: ignore[index]
        assert len(got["findings"]) == len(then["findings"]), name  # type: ignore[index, arg-type]
        for mine, theirs in zip(got["findings"], then["findings"], strict=True):  # type: ignore[index, call-overload]
            assert mine[:7] == theirs[:7] and mine[8:] == theirs[8:], name
            assert mine[7] == pytest.approx(theirs[7], abs=1e-9), name
    assert sum(bool(v["leak"]) for v in recorded.values()) >= 40  # the cases do leak: a real check
