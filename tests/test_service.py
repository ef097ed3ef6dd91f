"""The HTTP service: in-process for the error paths, and a real `leakguard serve` on
loopback under concurrent load for the verdicts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import EXAMPLES, check_report, need

import leakguard
from leakguard.cli import main

need("fastapi")
need("uvicorn")
import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from leakguard.service import create_app  # noqa: E402

PROMPTS = sorted((EXAMPLES / "prompts").iterdir())


@pytest.fixture(scope="module")
def client(demo_index: leakguard.Index) -> TestClient:
    return TestClient(create_app(leakguard.Scanner(demo_index), max_bytes=20_000, token="s3cret"))


AUTH = {"Authorization": "Bearer s3cret"}


def test_healthz_needs_no_token(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["status"] == "ok" and answer.json()["files"] == 5


def test_a_resent_text_is_answered_from_the_cache(demo_index: leakguard.Index) -> None:
    fresh = TestClient(create_app(leakguard.Scanner(demo_index), token="s3cret"))
    leak = (EXAMPLES / "prompts" / "leak_verbatim.md").read_text()
    first = fresh.post("/v1/scan", json={"text": leak}, headers=AUTH).json()
    assert fresh.post("/v1/scan", json={"text": leak}, headers=AUTH).json() == first
    cache = fresh.get("/healthz").json()["cache"]
    assert (cache["hits"], cache["misses"], cache["entries"], cache["chars"]) == (1, 1, 1, len(leak))


def test_scan_and_redact_answer_like_the_library(client: TestClient, demo_index: leakguard.Index) -> None:
    leak = (EXAMPLES / "prompts" / "leak_verbatim.md").read_text()
    answer = client.post("/v1/scan", json={"text": leak}, headers=AUTH)
    assert answer.status_code == 200 and answer.json() == demo_index.scan(leak).to_json()
    plain = client.post("/v1/scan", content=leak.encode(), headers={**AUTH, "Content-Type": "text/plain"})
    assert plain.json() == answer.json()
    redacted = client.post("/v1/redact", json={"text": leak, "template": "<cut {path}>"}, headers=AUTH).json()
    assert redacted["is_leak"] and "<cut payments/ledger.py>" in redacted["text"]
    assert "def split_fee" not in redacted["text"]


def test_errors_are_json_with_the_right_status(client: TestClient) -> None:
    assert client.post("/v1/scan", json={"text": "x"}).status_code == 401
    wrong = client.post("/v1/scan", json={"text": "x"}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    big = client.post("/v1/scan", json={"text": "x" * 30_000}, headers=AUTH)
    assert big.status_code == 413 and "limit" in big.json()["error"]
    chunked = client.post("/v1/scan", content=iter([b'{"text": "', b"x" * 25_000, b'"}']), headers=AUTH)
    assert chunked.status_code == 413  # no Content-Length: the limit holds while reading
    assert client.post("/v1/scan", content=b"{not json", headers=AUTH).status_code == 400
    assert client.post("/v1/scan", json={"txt": "x"}, headers=AUTH).status_code == 422
    assert client.post("/v1/scan", content=b"\xff\xfe", headers=AUTH).status_code == 400


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(demo_index_dir: Path, tmp_path: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `leakguard serve` of the demo index (token ``t0ken``), until the block ends."""
    port = _free_port()
    (tmp_path / "token").write_text("t0ken\n")
    command = [sys.executable, "-m", "leakguard", "serve", "--index", str(demo_index_dir), "--port", str(port)]
    command += ["--token-file", str(tmp_path / "token"), *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(process.communicate()[1].decode())
            time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture()
def server(demo_index_dir: Path, tmp_path: Path) -> Iterator[str]:
    # No result cache: the concurrent requests below are each scanned, not answered from it.
    with serving(demo_index_dir, tmp_path, "--cache-chars", "0") as (url, _):
        yield url


def test_a_thousand_concurrent_requests_get_the_cli_verdicts(
    server: str, demo_index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = {}
    for prompt in PROMPTS:
        main(["scan", str(prompt), "--index", str(demo_index_dir), "--format", "json"])
        (source,) = json.loads(capsys.readouterr().out)["sources"]
        expected[prompt.name] = {key: source[key] for key in ("is_leak", "score", "findings")}
    texts = {p.name: p.read_text() for p in PROMPTS}
    names = [PROMPTS[i % len(PROMPTS)].name for i in range(1000)]
    headers = {"Authorization": "Bearer t0ken"}
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    with httpx.Client(base_url=server, headers=headers, limits=limits, timeout=30) as http:

        def ask(name: str) -> tuple[str, int, dict[str, object]]:
            answer = http.post("/v1/scan", json={"text": texts[name]})
            return name, answer.status_code, answer.json()

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(ask, names))
    assert [status for _, status, _ in answers] == [200] * 1000
    for name, _, body in answers:
        assert body == expected[name], name
    for body in {name: body for name, _, body in answers}.values():
        check_report(body, "result")
    assert sum(body["is_leak"] is True for _, _, body in answers) >= 400
    cache = httpx.get(server + "/healthz").json()["cache"]
    assert cache["hits"] == 0 and cache["entries"] == 0 and cache["misses"] == 1000


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="counts worker processes in /proc (Linux)")
def test_workers_serve_one_port_and_stop_with_the_service(demo_index_dir: Path, tmp_path: Path) -> None:
    leaking = next(p for p in PROMPTS if leakguard.load_index(demo_index_dir).scan(p.read_text()).is_leak)
    with serving(demo_index_dir, tmp_path, "--workers", "2") as (url, process):
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 2
        headers = {"Authorization": "Bearer t0ken"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as http, ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: http.post("/v1/scan", json={"text": leaking.read_text()}), range(64)))
        assert {a.status_code for a in answers} == {200}
        assert all(a.json()["is_leak"] for a in answers)
        process.terminate()
        assert process.wait(timeout=10) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in children), "a worker outlived the service"


class _Failing:
    """A scanner stand-in whose scans break (or hang) the way a real one could."""

    def __init__(self, real: leakguard.Scanner, mode: str) -> None:
        self._real, self._mode = real, mode
        self.index, self.cache_stats = real.index, real.cache_stats

    def _fail(self) -> None:
        if self._mode == "hang":
            time.sleep(3)
        raise RuntimeError("engine fault")

    def scan(self, text: str) -> leakguard.ScanResult:
        self._fail()
        return self._real.scan(text)

    def redact(self, text: str, template: str | None = None) -> leakguard.Redaction:
        self._fail()
        return self._real.redact(text, template)


@pytest.mark.parametrize("mode", ["error", "hang"])
def test_a_text_that_cannot_be_scanned_is_refused_unless_failing_open(demo_index: leakguard.Index, mode: str) -> None:
    from leakguard.failsafe import Failsafe
    from leakguard.service import create_app

    failing = _Failing(leakguard.Scanner(demo_index), mode)
    closed = TestClient(create_app(failing, failsafe=Failsafe(time_budget=0.5)))  # type: ignore[arg-type]
    answer = closed.post("/v1/scan", json={"text": "def f(): return 1"})
    assert answer.status_code == 503
    body = answer.json()
    assert body["is_leak"] is True and body["failed"] is True
    assert ("engine fault" if mode == "error" else "time budget of 0.5 s") in body["error"]
    assert closed.post("/v1/redact", json={"text": "x = 1"}).status_code == 503
    opened = TestClient(create_app(failing, failsafe=Failsafe(fail_open=True, time_budget=0.5)))  # type: ignore[arg-type]
    answer = opened.post("/v1/redact", json={"text": "x = 1"})
    assert answer.status_code == 200
    assert answer.json()["is_leak"] is False and answer.json()["failed"] is True and answer.json()["text"] == "x = 1"
