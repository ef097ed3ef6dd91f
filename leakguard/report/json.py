"""JSON output: one object per scan, the same shape as :meth:`ScanResult.to_json`."""

from __future__ import annotations

import json

from leakguard.inputs import Outcome
from leakguard.result import ScanResult


def render_json(result: ScanResult) -> str:
    """The result as one line of JSON: ``{"is_leak", "score", "findings": [...]}``."""
    return json.dumps(result.to_json(), sort_keys=False)


def render_json_many(outcomes: list[Outcome]) -> str:
    """Several sources as one line of JSON: the overall verdict, then each source's result."""
    sources: list[dict[str, object]] = []
    for outcome in outcomes:
        if outcome.result is None:
            sources.append({"source": outcome.source, "skipped": outcome.skipped})
        else:
            sources.append({"source": outcome.source, **outcome.result.to_json()})
    scores = [o.result.score for o in outcomes if o.result is not None]
    return json.dumps(
        {
            "is_leak": any(o.result is not None and o.result.is_leak for o in outcomes),
            "score": round(max(scores, default=0.0), 4),
            "sources": sources,
        }
    )
