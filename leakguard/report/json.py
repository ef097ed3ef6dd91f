"""JSON output: one versioned report shape, however many sources were scanned.

Every ``--format json`` report is one object of the same shape, described by the JSON
Schema shipped beside this module (``report.schema.json``, :data:`SCHEMA_FILE`)::

    {"schema_version": 1,
     "tool": {"name": "leakguard", "version": "0.1.0"},
     "is_leak": true,                       # any source leaks
     "score": 1.0,                          # the strongest match of any source
     "sources": [
       {"source": "prompt.md", "status": "scanned", "is_leak": true, "score": 1.0,
        "findings": [{"path": ..., "start_line": ..., ...}]},
       {"source": "old.log.gz", "status": "skipped", "reason": "binary"},
       {"source": "bad.log", "status": "error", "reason": "input is not valid UTF-8 (byte 12)"}]}

A scan of one file or of standard input is a report with one source. A change that
removes or renames a field, or changes its meaning, raises ``schema_version``; new
fields may be added within a version.
"""

from __future__ import annotations

import json
from pathlib import Path

from leakguard.inputs import Outcome

SCHEMA_VERSION = 1
#: The JSON Schema (draft 2020-12) every report validates against.
SCHEMA_FILE = Path(__file__).with_name("report.schema.json")


def report(outcomes: list[Outcome], version: str) -> dict[str, object]:
    """The report of ``outcomes`` as a JSON-ready dict (see the module's docstring)."""
    sources: list[dict[str, object]] = []
    for outcome in outcomes:
        entry: dict[str, object] = {"source": outcome.source, "status": outcome.status}
        if outcome.result is not None:
            entry.update(outcome.result.to_json())
        else:
            entry["reason"] = outcome.error if outcome.error is not None else outcome.skipped
        sources.append(entry)
    scores = [o.result.score for o in outcomes if o.result is not None]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "leakguard", "version": version},
        "is_leak": any(o.is_leak for o in outcomes),
        "score": round(max(scores, default=0.0), 4),
        "sources": sources,
    }


def render_json(outcomes: list[Outcome], version: str) -> str:
    """The report as one line of JSON."""
    return json.dumps(report(outcomes, version))
