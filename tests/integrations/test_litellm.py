"""The LiteLLM guardrail: its hook on its own, then inside a real LiteLLM proxy started from
a config.yaml the way LiteLLM's docs describe, in front of a stand-in provider."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLES, need

import leakguard

from .conftest import free_port, stop, wait_for_port
from .upstream import Upstream

# LiteLLM fetches a model price list from the internet on import unless told to use its own copy.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
need("litellm")

import httpx  # noqa: E402
from fastapi import HTTPException  # noqa: E402

from leakguard.integrations.litellm_guardrail import LeakguardGuardrail  # noqa: E402

LEAK = (EXAMPLES / "prompts" / "leak_verbatim.md").read_text()
CLEAN = (EXAMPLES / "prompts" / "clean_question.md").read_text()
MASTER_KEY = "sk-leakguard-test-0123456789abcdef0123456789"


def test_hook_blocks_redacts_and_lets_responses_pass(demo_index: leakguard.Index) -> None:
    scanner = leakguard.Scanner(demo_index)
    block = LeakguardGuardrail(scanner=scanner, guardrail_name="lg", event_hook="pre_call")
    with pytest.raises(HTTPException) as raised:
        asyncio.run(block.apply_guardrail({"texts": [CLEAN, LEAK]}, {}, "request"))
    assert raised.value.status_code == 400 and "payments/ledger.py:46-" in raised.value.detail["error"]
    assert "def split_fee" not in json.dumps(raised.value.detail)
    assert asyncio.run(block.apply_guardrail({"texts": [LEAK]}, {}, "response")) == {"texts": [LEAK]}
    redact = LeakguardGuardrail(scanner=scanner, on_leak="redact", guardrail_name="lg", event_hook="pre_call")
    out = asyncio.run(redact.apply_guardrail({"texts": [CLEAN, LEAK]}, {}, "request"))
    assert out["texts"][0] == CLEAN
    assert "def split_fee" not in out["texts"][1] and "payments/ledger.py" in out["texts"][1]
    with pytest.raises(leakguard.ConfigError):
        LeakguardGuardrail(scanner=scanner, on_leak="warn")


@pytest.fixture()
def proxy(tmp_path: Path, demo_index_dir: Path) -> Iterator[tuple[str, Upstream]]:
    with Upstream() as upstream:
        port = free_port()
        guardrail = "leakguard.integrations.litellm_guardrail.LeakguardGuardrail"
        config = {
            "model_list": [
                {
                    "model_name": "fake-gpt",
                    "litellm_params": {
                        "model": "openai/fake-gpt",
                        "api_base": f"http://127.0.0.1:{upstream.port}/v1",
                        "api_key": "sk-fake",
                    },
                }
            ],
            "guardrails": [
                {
                    "guardrail_name": name,
                    "litellm_params": {
                        "guardrail": guardrail,
                        "mode": "pre_call",
                        "index": str(demo_index_dir),
                        "on_leak": on_leak,
                    },
                }
                for name, on_leak in (("leakguard", "block"), ("leakguard-redact", "redact"))
            ],
            "general_settings": {"master_key": MASTER_KEY},
        }
        (tmp_path / "config.yaml").write_text(json.dumps(config))  # JSON is YAML
        litellm = Path(sys.executable).parent / "litellm"
        env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", NO_DOCS="True")
        env.pop("LITELLM_MASTER_KEY", None)
        process = subprocess.Popen(
            [str(litellm), "--config", str(tmp_path / "config.yaml"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
        )
        try:
            wait_for_port(port, process)
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while httpx.get(url + "/health/liveliness").status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            yield url, upstream
        finally:
            stop(process)


def test_real_proxy_blocks_a_leak_redacts_on_request_and_passes_clean_prompts(
    proxy: tuple[str, Upstream],
) -> None:
    url, upstream = proxy
    headers = {"Authorization": f"Bearer {MASTER_KEY}"}

    def chat(text: str, guardrail: str) -> httpx.Response:
        body = {"model": "fake-gpt", "guardrails": [guardrail], "messages": [{"role": "user", "content": text}]}
        return httpx.post(url + "/chat/completions", json=body, headers=headers, timeout=60)

    blocked = chat(LEAK, "leakguard")
    assert blocked.status_code == 400, blocked.text
    assert "payments/ledger.py" in blocked.text and upstream.bodies == []
    passed = chat(CLEAN, "leakguard")
    assert passed.status_code == 200 and upstream.texts() == [CLEAN]
    redacted = chat(LEAK, "leakguard-redact")
    assert redacted.status_code == 200, redacted.text
    sent = upstream.texts()[-1]
    assert "def split_fee" not in sent and "payments/ledger.py" in sent and sent.startswith(LEAK[:40])


class _Broken:
    def scan(self, text: str) -> leakguard.ScanResult:
        raise RuntimeError("engine fault")


def test_a_request_that_cannot_be_scanned_is_refused_with_503_unless_on_error_allow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEAKGUARD_FAIL_OPEN", raising=False)
    closed = LeakguardGuardrail(scanner=_Broken(), guardrail_name="lg", event_hook="pre_call")  # type: ignore[arg-type]
    with pytest.raises(HTTPException) as raised:
        asyncio.run(closed.apply_guardrail({"texts": [CLEAN]}, {}, "request"))
    assert raised.value.status_code == 503
    assert "engine fault" in raised.value.detail["error"] and "fails closed" in raised.value.detail["error"]
    opened = LeakguardGuardrail(scanner=_Broken(), on_error="allow", guardrail_name="lg")  # type: ignore[arg-type]
    assert asyncio.run(opened.apply_guardrail({"texts": [CLEAN]}, {}, "request")) == {"texts": [CLEAN]}
    # An index that cannot be loaded: the proxy does not start, unless on_error is allow.
    with pytest.raises(leakguard.LeakguardError):
        LeakguardGuardrail(index=str(tmp_path / "missing"), guardrail_name="lg")
    degraded = LeakguardGuardrail(index=str(tmp_path / "missing"), on_error="allow", guardrail_name="lg")
    assert asyncio.run(degraded.apply_guardrail({"texts": [LEAK]}, {}, "request")) == {"texts": [LEAK]}
    with pytest.raises(leakguard.ConfigError, match="on_error"):
        LeakguardGuardrail(scanner=_Broken(), on_error="ignore")  # type: ignore[arg-type]


def test_a_copy_split_over_the_users_messages_is_blocked(demo_index: leakguard.Index) -> None:
    lines = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text().splitlines()[45:75]
    parts = [line for line in lines if line.strip()]
    reply = "Thanks, please send the next part of it."
    messages = [
        m for part in parts for m in ({"role": "user", "content": part}, {"role": "assistant", "content": reply})
    ]
    texts = [m["content"] for m in messages]
    guard = LeakguardGuardrail(scanner=leakguard.Scanner(demo_index), guardrail_name="lg", event_hook="pre_call")
    with pytest.raises(HTTPException) as raised:
        asyncio.run(guard.apply_guardrail({"texts": texts}, {"messages": messages}, "request"))
    assert raised.value.status_code == 400 and "payments/ledger.py" in raised.value.detail["error"]
