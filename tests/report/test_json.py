"""The JSON report: one versioned shape for every case, and the schema shipped with it."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import EXAMPLES, check_report

import leakguard
from leakguard.inputs import Outcome
from leakguard.report.json import SCHEMA_FILE, SCHEMA_VERSION, report


def test_the_shipped_schema_is_a_valid_schema_of_this_version() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION}


def test_every_status_validates(demo_index: leakguard.Index) -> None:
    results = [demo_index.scan(p.read_text()) for p in sorted((EXAMPLES / "prompts").iterdir())]
    outcomes = [Outcome(f"p{i}", r) for i, r in enumerate(results)]
    outcomes += [Outcome("old.log.gz", None, "binary"), Outcome("bad.log", None, error="input is not valid UTF-8")]
    payload = report(outcomes, leakguard.__version__)
    check_report(payload)
    assert [s["status"] for s in payload["sources"]][-3:] == ["scanned", "skipped", "error"]
    assert payload["is_leak"] is True and sum(len(s.get("findings", [])) for s in payload["sources"]) >= 3
    check_report(report([], leakguard.__version__))  # nothing scanned: still the same shape


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.pop("schema_version"),
        lambda p: p["sources"][0].pop("status"),
        lambda p: p["sources"][0]["findings"][0].pop("path"),
        lambda p: p["sources"][0].update(status="scanned", findings=None),
        lambda p: p["sources"][1].pop("reason"),
        lambda p: p.update(score=1.5),
    ],
)
def test_the_schema_rejects_a_broken_report(demo_index: leakguard.Index, damage: object) -> None:
    leak = demo_index.scan((EXAMPLES / "prompts" / "leak_verbatim.md").read_text())
    payload = report([Outcome("p", leak), Outcome("x.gz", None, "binary")], "1")
    damage(payload)  # type: ignore[operator]
    with pytest.raises(AssertionError):
        check_report(payload)


def test_a_scan_result_validates_as_the_service_body(demo_index: leakguard.Index) -> None:
    result = demo_index.scan((EXAMPLES / "prompts" / "leak_renamed.txt").read_text())
    check_report(result.to_json(), "result")
    with pytest.raises(AssertionError):
        check_report({"is_leak": True}, "result")
