"""JSON output: one object per scan, the same shape as :meth:`ScanResult.to_json`."""

from __future__ import annotations

import json

from leakguard.result import ScanResult


def render_json(result: ScanResult) -> str:
    """The result as one line of JSON: ``{"is_leak", "score", "findings": [...]}``."""
    return json.dumps(result.to_json(), sort_keys=False)
