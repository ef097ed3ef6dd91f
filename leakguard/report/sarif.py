"""SARIF 2.1.0 output, for code-scanning dashboards and CI annotations.

Each finding is one result of rule ``LG001`` located in the scanned artifact (lines and
character offsets), with the indexed file and lines it matches as a related location.
"""

from __future__ import annotations

import json
from typing import Any

from leakguard.result import ScanResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_ID = "LG001"


def to_sarif(result: ScanResult, artifact: str, version: str) -> dict[str, Any]:
    """The SARIF log (as a dict) for one scanned artifact."""
    return to_sarif_many([(artifact, result)], version)


def to_sarif_many(scanned: list[tuple[str, ScanResult]], version: str) -> dict[str, Any]:
    """The SARIF log (as a dict) of one run over several scanned artifacts."""
    results: list[dict[str, Any]] = []
    for artifact, result in scanned:
        results.extend(_results(result, artifact))
    return _log(results, version)


def _results(result: ScanResult, artifact: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for finding in result.findings:
        results.append(
            {
                "ruleId": RULE_ID,
                "ruleIndex": 0,
                "level": "error",
                "message": {
                    "text": (
                        f"Matches indexed proprietary code {finding.path} lines "
                        f"{finding.start_line}-{finding.end_line} (score {finding.score:.2f}, "
                        f"{finding.matched_tokens} tokens)."
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
                "properties": {"score": round(finding.score, 4), "matchedTokens": finding.matched_tokens},
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


def render_sarif(result: ScanResult, artifact: str, version: str) -> str:
    """The SARIF log as indented JSON text."""
    return json.dumps(to_sarif(result, artifact, version), indent=2)


def render_sarif_many(scanned: list[tuple[str, ScanResult]], version: str) -> str:
    """The SARIF log of several artifacts as indented JSON text."""
    return json.dumps(to_sarif_many(scanned, version), indent=2)
