"""SARIF output checked against the official SARIF 2.1.0 JSON schema.

The schema comes from the npm package @microsoft/jest-sarif, which tests/corpus/fetch.sh
unpacks into the corpus cache (no copy lives in this repository).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import EXAMPLES

import leakguard
from leakguard.report.sarif import to_sarif, to_sarif_many

CORPUS = Path(os.environ.get("LEAKGUARD_CORPUS", Path.home() / ".cache" / "leakguard" / "corpus"))
SCHEMA = CORPUS / "npm" / "@microsoft" / "jest-sarif" / "lib" / "schemas" / "sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="module")
def validator() -> object:
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.is_file():
        if os.environ.get("LEAKGUARD_REQUIRE_CORPUS"):
            pytest.fail(f"SARIF schema missing at {SCHEMA}: run tests/corpus/fetch.sh")
        pytest.skip("SARIF schema not fetched (tests/corpus/fetch.sh)")
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_sarif_of_every_example_prompt_is_valid(validator: object, demo_index: leakguard.Index) -> None:
    scanned = []
    for prompt in sorted((EXAMPLES / "prompts").iterdir()):
        result = demo_index.scan(prompt.read_text())
        log = to_sarif(result, prompt.name, leakguard.__version__)
        errors = list(validator.iter_errors(log))  # type: ignore[attr-defined]
        assert errors == [], errors[0].message if errors else ""
        scanned.append((prompt.name, result))
    many = to_sarif_many(scanned, leakguard.__version__)
    assert list(validator.iter_errors(many)) == []  # type: ignore[attr-defined]
    assert len(many["runs"][0]["results"]) == sum(len(r.findings) for _, r in scanned) >= 3


def test_the_validator_rejects_a_broken_log(validator: object) -> None:
    log = to_sarif(leakguard.ScanResult(False, 0.0, []), "x", "1")
    log["runs"][0]["results"] = [{"ruleId": "LG001", "level": "severe", "message": {"text": "x"}}]
    assert list(validator.iter_errors(log))  # type: ignore[attr-defined]
