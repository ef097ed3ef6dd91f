"""SARIF 2.1.0 output, for code-scanning dashboards and CI annotations.

Each finding is one result of rule ``LG001`` located in the scanned artifact (lines and
character offsets), with the indexed file and lines it matches as a related location. A
source that could not be scanned is an error notification of the run's invocation (whose
``executionSuccessful`` is then false), so a dashboard does not take it for a clean file.
"""

from __future__ import annotations

import json
from typing import Any

from leakguard.inputs import Outcome
from leakguard.result import ScanResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_ID = "LG001"


def to_sarif(result: ScanResult, artifact: str, version: str) -> dict[str, Any]:
    """The SARIF log (as a dict) for one scanned artifact."""
    return to_sarif_many([(artifact, result)], version)


def to_sarif_many(
    scanned: list[tuple[str, ScanResult]], version: str, failed: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """The SARIF log (as a dict) of one run over several scanned artifacts.

    ``failed`` lists (artifact, why) for the sources that could not be scanned.
    """
    results: list[dict[str, Any]] = []
    for artifact, result in scanned:
        results.extend(_results(result, artifact))
    log = _log(results, version)
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{artifact}: could not be scanned: {why}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact}}}],
        }
        for artifact, why in failed or []
    ]
    log["runs"][0]["invocations"] = [
        {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
    ]
    return log


def _results(result: ScanResult, artifact: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for finding in result.findings:
        results.append(
            {
                "ruleId": RULE_ID,
                "ruleIndex": 0,
                "level": "warning" if finding.warn else "error",
                "message": {
                    "text": (
                        f"Matches indexed proprietary code {finding.path} lines "
                        f"{finding.start_line}-{finding.end_line} (score {finding.score:.2f}, "
                        f"{finding.matched_tokens} tokens): {finding.why}."
                    )
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact},
                            "region": {
                                "startLine": finding.text_start_line,
                                "endLine": finding.text_end_line,
                                "charOffset": finding.start,
                                "charLength": finding.end - finding.start,
                            },
                        }
                    }
                ],
                "relatedLocations": [
                    {
                        "id": 0,
                        "physicalLocation": {
                            "artifactLocation": {"uri": finding.path, "uriBaseId": "INDEXROOT"},
                            "region": {"startLine": finding.start_line, "endLine": finding.end_line},
                        },
                        "message": {"text": "indexed source"},
                    }
                ],
                "properties": {
                    "score": round(finding.score, 4),
                    "matchedTokens": finding.matched_tokens,
                    "exactTokens": finding.exact_tokens,
                    "commonTokens": finding.common_tokens,
                    "labels": dict(label.split("=", 1) for label in finding.labels),
                },
            }
        )
    return results


def _log(results: list[dict[str, Any]], version: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "leakguard",
                        "version": version,
                        "informationUri": "https://pypi.org/project/leakguard/",
                        "rules": [
                            {
                                "id": RULE_ID,
                                "name": "ProprietaryCodeLeak",
                                "shortDescription": {"text": "Text contains indexed proprietary source code"},
                                "defaultConfiguration": {"level": "error"},
                            }
                        ],
                    }
                },
                "results": results,
            }
        ],
    }


def render_sarif(outcomes: list[Outcome], version: str) -> str:
    """The SARIF log of the scanned sources as indented JSON text (skipped ones left out)."""
    scanned = [(o.source, o.result) for o in outcomes if o.result is not None]
    failed = [(o.source, o.error) for o in outcomes if o.error is not None]
    return json.dumps(to_sarif_many(scanned, version, failed), indent=2)
