"""The mitmproxy addon, loaded by a real ``mitmdump -s`` on loopback in front of a stand-in
provider. mitmproxy pins versions that LiteLLM's stack cannot share, so it lives in its own
environment (``.venv-mitmproxy``, made by .ci/run) with leakguard installed into it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import EXAMPLES, ROOT

from .conftest import free_port, installed_mitmdump, stop, wait_for_port
from .upstream import Upstream

LEAK = (EXAMPLES / "prompts" / "leak_verbatim.md").read_text()
CLEAN = (EXAMPLES / "prompts" / "clean_question.md").read_text()
ADDON = ROOT / "leakguard" / "integrations" / "mitmproxy_addon.py"


def _mitmdump() -> str:
    found = installed_mitmdump()
    if found:
        return found
    if os.environ.get("LEAKGUARD_REQUIRE_INTEGRATIONS"):
        pytest.fail("mitmdump not found (set LEAKGUARD_MITMDUMP; .ci/run makes .venv-mitmproxy)")
    pytest.skip("mitmdump not installed")


@pytest.fixture()
def upstream() -> Iterator[Upstream]:
    with Upstream() as server:
        yield server


def _proxy(tmp_path: Path, index: Path, action: str, *extra: str) -> Iterator[str]:
    port = free_port()
    command = [
        _mitmdump(),
        "--listen-host", "127.0.0.1",
        "--listen-port", str(port),
        "--set", f"confdir={tmp_path / 'mitm'}",
        "-s", str(ADDON),
        "--set", f"leakguard_index={index}",
        "--set", f"leakguard_action={action}",
        "--set", "leakguard_hosts=127.0.0.1",
        *extra,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def _chat(proxy: str, upstream: Upstream, text: str) -> httpx.Response:
    body = {"model": "gpt", "messages": [{"role": "user", "content": text}]}
    with httpx.Client(proxy=proxy, trust_env=False, timeout=30) as client:
        return client.post(f"http://127.0.0.1:{upstream.port}/v1/chat/completions", json=body)


def test_mitmdump_blocks_a_leak_with_403_and_passes_clean_requests(
    tmp_path: Path, demo_index_dir: Path, upstream: Upstream
) -> None:
    for proxy in _proxy(tmp_path, demo_index_dir, "block"):
        blocked = _chat(proxy, upstream, LEAK)
        assert blocked.status_code == 403
        error = blocked.json()["error"]
        assert error["type"] == "leakguard_blocked" and "payments/ledger.py:46-" in error["message"]
        assert "def split_fee" not in blocked.text and upstream.bodies == []
        passed = _chat(proxy, upstream, CLEAN)
        assert passed.status_code == 200 and upstream.texts() == [CLEAN]


def test_mitmdump_redacts_and_sends_the_rest_on(tmp_path: Path, demo_index_dir: Path, upstream: Upstream) -> None:
    for proxy in _proxy(tmp_path, demo_index_dir, "redact"):
        answer = _chat(proxy, upstream, LEAK)
        assert answer.status_code == 200
        (sent,) = upstream.texts()
        assert "def split_fee" not in sent and "payments/ledger.py" in sent and sent.startswith(LEAK[:40])


def test_mitmdump_refuses_what_it_cannot_scan_unless_on_error_allow(tmp_path: Path, upstream: Upstream) -> None:
    missing = tmp_path / "no-index"
    for proxy in _proxy(tmp_path, missing, "block"):
        refused = _chat(proxy, upstream, CLEAN)
        assert refused.status_code == 503 and upstream.bodies == []
        error = refused.json()["error"]
        assert error["type"] == "leakguard_unavailable" and "index could not be loaded" in error["message"]
    for proxy in _proxy(tmp_path, missing, "block", "--set", "leakguard_on_error=allow"):
        assert _chat(proxy, upstream, CLEAN).status_code == 200 and upstream.texts() == [CLEAN]


def test_mitmdump_refuses_a_body_whose_encoding_it_cannot_undo(
    tmp_path: Path, demo_index_dir: Path, upstream: Upstream
) -> None:
    for proxy in _proxy(tmp_path, demo_index_dir, "block"):
        with httpx.Client(proxy=proxy, trust_env=False, timeout=30) as client:
            answer = client.post(
                f"http://127.0.0.1:{upstream.port}/v1/chat/completions",
                content=b"\x28\xb5\x2f\xfd not really zstd" + LEAK.encode(),
                headers={"Content-Encoding": "x-custom", "Content-Type": "application/json"},
            )
        assert answer.status_code == 503 and "Content-Encoding 'x-custom'" in answer.json()["error"]["message"]
        assert upstream.bodies == []
