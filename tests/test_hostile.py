"""Hostile inputs through every front end: the checked-in corpus, each pathological kind and a
few hundred mutants (``benchmarks/hostile.py`` sends 100,000 and more): no crash, no traceback.
Then the faults fuzzing found, one by one, with what each front end must do instead."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from conftest import EXAMPLES, need
from frontends import (
    mitmproxy_python,
    through_api,
    through_cli,
    through_guardrail,
    through_hook,
    through_mitmproxy,
    through_service,
)
from hostile_inputs import KINDS, corpus, hostile

import leakguard
from leakguard.integrations.payload import guard_body

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no price list download

LEAK = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()
COUNT = len(corpus()) + len(KINDS) + 150


def _inputs(seed: int) -> list[tuple[str, bytes]]:
    return list(hostile(seed, COUNT, kind_bytes=16_384))


@pytest.fixture(scope="module")
def demo_scanner(demo_index: leakguard.Index) -> leakguard.Scanner:
    return leakguard.Scanner(demo_index)


def test_the_corpus_is_checked_in_and_varied() -> None:
    files = corpus()
    assert len(files) >= 50
    assert any(name.startswith("json-deep") for name in files) and any(name.endswith(".bin") for name in files)


def test_api(demo_scanner: leakguard.Scanner) -> None:
    tally = through_api(demo_scanner, _inputs(1))
    assert tally.problems == [] and tally.inputs == COUNT


def test_cli(demo_index_dir: Path) -> None:
    tally = through_cli(demo_index_dir, _inputs(2), seed=2)
    assert tally.problems == [] and tally.inputs == COUNT


def test_hook(demo_index_dir: Path, tmp_path: Path) -> None:
    tally = through_hook(demo_index_dir, tmp_path / "repo", _inputs(3))
    assert tally.problems == [] and tally.inputs == COUNT


def test_guardrail(demo_scanner: leakguard.Scanner) -> None:
    need("litellm")
    tally = through_guardrail(demo_scanner, _inputs(4), seed=4)
    assert tally.problems == [] and tally.inputs == COUNT


def test_service(demo_index_dir: Path) -> None:
    need("fastapi")
    need("uvicorn")
    from integrations.conftest import free_port

    tally = through_service(demo_index_dir, free_port(), _inputs(5), seed=5)
    assert tally.problems == [] and tally.inputs == COUNT


def test_mitmproxy_addon(demo_index_dir: Path, tmp_path: Path) -> None:
    python = mitmproxy_python()
    if python is None:
        if os.environ.get("LEAKGUARD_REQUIRE_INTEGRATIONS"):
            pytest.fail("mitmproxy's environment not found (.ci/run makes .venv-mitmproxy)")
        pytest.skip("mitmproxy not installed")
    tally = through_mitmproxy(python, demo_index_dir, _inputs(6), tmp_path, seed=6)
    assert tally.problems == [] and tally.inputs == COUNT


# What fuzzing found, and what each front end does now.


def test_a_body_nested_past_the_parsers_limit_is_scanned_as_text(demo_scanner: leakguard.Scanner) -> None:
    body = ('{"a":' * 3000 + json.dumps(LEAK) + "}" * 3000).encode()
    verdict = guard_body(demo_scanner, body, "application/json", redact=True)
    assert verdict.is_leak and verdict.body is not None and b"def split_fee" not in verdict.body
    assert not guard_body(demo_scanner, b"[" * 50_000, "application/json").is_leak


def test_an_integer_past_pythons_conversion_limit_does_not_stop_the_scan(demo_scanner: leakguard.Scanner) -> None:
    body = ('{"n": 1' + "7" * 6000 + ', "prompt": ' + json.dumps(LEAK) + "}").encode()
    assert guard_body(demo_scanner, body, "application/json").is_leak


def test_a_lone_surrogate_stays_escaped_in_a_redacted_body(demo_scanner: leakguard.Scanner) -> None:
    body = json.dumps({"messages": [{"role": "user", "content": "\ud800 " + LEAK}]}).encode()
    verdict = guard_body(demo_scanner, body, "application/json", redact=True)
    assert verdict.body is not None and b"\\ud800" in verdict.body
    assert "def split_fee" not in json.loads(verdict.body)["messages"][0]["content"]


def test_deep_json_an_integer_and_a_lone_surrogate_through_the_service(demo_scanner: leakguard.Scanner) -> None:
    need("fastapi")
    from fastapi.testclient import TestClient

    from leakguard.service import create_app

    client = TestClient(create_app(demo_scanner))
    for body in (b"[" * 50_000, b'{"text": 1' + b"7" * 6000 + b"}"):
        response = client.post("/v1/scan", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400 and "not JSON" in response.json()["error"]
    sent = json.dumps({"text": "\ud800 " + LEAK}).encode()
    response = client.post("/v1/redact", content=sent, headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["is_leak"]
    assert response.json()["text"].startswith("\ud800 ")


def test_a_guardrail_request_whose_messages_are_not_a_list(demo_scanner: leakguard.Scanner) -> None:
    need("litellm")
    from fastapi import HTTPException

    from leakguard.integrations.litellm_guardrail import LeakguardGuardrail

    guard = LeakguardGuardrail(scanner=demo_scanner, guardrail_name="lg", event_hook="pre_call")
    for messages in (1.5, "text", {"role": "user"}, None):
        with pytest.raises(HTTPException) as raised:
            asyncio.run(guard.apply_guardrail({"texts": [LEAK]}, {"messages": messages}, "request"))
        assert raised.value.status_code == 400
