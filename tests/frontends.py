"""Hostile inputs through each front end, each answering what went wrong (or nothing).

Shared by ``tests/test_hostile.py`` (the corpus and a few hundred mutants) and
``benchmarks/hostile.py`` (100,000 and more). A *problem* is a crash or a traceback: an
exception the front end lets escape, an exit status or HTTP status it never answers on
purpose, a Python traceback or ``internal error`` in what it prints. Refusals are not
problems: an InputError for bytes that are not text, exit 2 or HTTP 400/413/422 with a
message. Each ``through_*`` call returns a :class:`Tally` of the inputs it was given: how
many, the problems, and the slowest input (a hang shows there).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import leakguard
from leakguard.integrations.payload import guard_body

ROOT = Path(__file__).resolve().parent.parent
MITMPROXY_RUNNER = Path(__file__).resolve().parent / "integrations" / "hostile_mitmproxy.py"
Inputs = Sequence[tuple[str, bytes]]


@dataclass(frozen=True)
class Problem:
    """One input a front end did not handle: which, where, and what happened."""

    front_end: str
    name: str
    what: str

    def __str__(self) -> str:
        return f"{self.front_end}: {self.name}: {self.what}"


@dataclass
class Tally:
    """What one front end made of its inputs."""

    front_end: str
    inputs: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    slowest: tuple[float, str] = (0.0, "")

    def add(self, name: str, what: str) -> None:
        self.problems.append(Problem(self.front_end, name, what[:300]))

    @contextlib.contextmanager
    def timed(self, name: str, count: int = 1) -> Iterator[None]:
        """Time the handling of ``count`` inputs named ``name``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - start
            self.inputs += count
            self.seconds += spent
            self.slowest = max(self.slowest, (spent / count, name))


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def through_api(scanner: leakguard.Scanner, inputs: Inputs) -> Tally:
    """``scan``, ``redact``, ``scan_stream`` and the gateways' ``guard_body`` on each input."""
    tally = Tally("api")
    for name, data in inputs:
        text = _text(data)
        try:
            with tally.timed(name):
                result = scanner.scan(text)
                redaction = scanner.redact(text)
                with contextlib.suppress(leakguard.InputError):  # NUL bytes, not UTF-8: refused by name
                    leakguard.scan_stream(scanner.index, io.BytesIO(data), policy=scanner.policy)
                guard_body(scanner, data, "application/json", redact=True)
                guard_body(scanner, data, "text/plain", redact=False)
            if redaction.result.is_leak != result.is_leak:
                tally.add(name, "scan and redact disagree")
        except Exception as exc:  # anything else is a crash of the library
            tally.add(name, f"{type(exc).__name__}: {exc}")
    return tally


def _run_cli(argv: list[str], stdin: bytes = b"") -> tuple[int, str]:
    """``leakguard ARGV`` in this process (as the console script runs it); (status, stderr)."""
    from leakguard.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
        written = err.buffer
        assert isinstance(written, io.BytesIO)
        return status, written.getvalue().decode("utf-8", errors="replace")
    finally:
        sys.stdin = saved


#: Why ``leakguard scan`` may refuse what it reads on stdin (exit 2): it is not text, or nothing.
_NOT_TEXT = ("looks binary", "not valid UTF-8", "input is empty")


def _cli_problem(status: int, stderr: str, refusals: tuple[str, ...] = ()) -> str | None:
    """Exit 0 or 1 (clean, leak) with nothing internal said; exit 2 only for the reasons given."""
    if "Traceback" in stderr or "internal error" in stderr:
        return stderr[-300:]
    if status in (0, 1) or (status == 2 and any(reason in stderr for reason in refusals)):
        return None
    return f"exit status {status}: {stderr[-300:]}"


def through_cli(index: Path, inputs: Inputs, seed: int = 0) -> Tally:
    """``leakguard scan`` (text, JSON, SARIF) and ``redact`` reading each input on stdin."""
    rng = random.Random(seed)
    commands = [
        ["scan", "--format", "text", "-"],
        ["scan", "--format", "json", "-"],
        ["scan", "--format", "sarif", "-"],
        ["redact", "-"],
    ]
    tally = Tally("cli")
    for name, data in inputs:
        argv = [*rng.choice(commands), "--index", str(index)]
        try:
            with tally.timed(name):
                status, stderr = _run_cli(argv, data)
        except BaseException as exc:  # main() must map everything to a status
            tally.add(name, f"{type(exc).__name__} escaped main(): {exc}")
            continue
        if (found := _cli_problem(status, stderr, _NOT_TEXT)) is not None:
            tally.add(name, found)
    return tally


_NAMES = ["plain.py", "with space.js", "ünïcode.go", 'quo"te.c', "back\\slash.rs", "tab\there.txt", "-dash.md"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def through_hook(index: Path, repo: Path, inputs: Inputs, batch: int = 50) -> Tally:
    """``leakguard hook`` on each input as a staged file of a git repository (batches of
    files, as pre-commit hands them over), then on the same files named and not staged."""
    index = index.resolve()  # the hook runs in the repository
    if not (repo / ".git").exists():
        repo.mkdir(parents=True, exist_ok=True)
        _git(repo, "init", "-q")
    tally = Tally("hook")
    saved = Path.cwd()
    for start in range(0, len(inputs), batch):
        chunk = inputs[start : start + batch]
        files = [f"{start + i}-{_NAMES[(start + i) % len(_NAMES)]}" for i in range(len(chunk))]
        for file, (_, data) in zip(files, chunk, strict=True):
            (repo / file).write_bytes(data)
        _git(repo, "add", "-A")
        names = ", ".join(name for name, _ in chunk)
        os.chdir(repo)
        try:
            with tally.timed(names, len(chunk)):
                staged = _run_cli(["hook", "--index", str(index)])
                _git(repo, "reset", "-q")
                named = _run_cli(["hook", "--index", str(index), *files])
            for status, stderr in (staged, named):
                if (found := _cli_problem(status, stderr)) is not None:
                    tally.add(names, found)
        except BaseException as exc:
            tally.add(names, f"{type(exc).__name__} escaped main(): {exc}")
        finally:
            os.chdir(saved)
        for file in files:
            (repo / file).unlink()
    return tally


def through_guardrail(scanner: leakguard.Scanner, inputs: Inputs, seed: int = 0) -> Tally:
    """The LiteLLM guardrail's hook, blocking and redacting, on each input as a chat's messages."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no download of a price list
    from fastapi import HTTPException

    from leakguard.integrations.litellm_guardrail import LeakguardGuardrail

    rng = random.Random(seed)
    guards = [
        LeakguardGuardrail(scanner=scanner, on_leak=action, guardrail_name="lg", event_hook="pre_call")
        for action in ("block", "redact")
    ]
    tally = Tally("guardrail")
    loop = asyncio.new_event_loop()
    try:
        for name, data in inputs:
            text = _text(data)
            cuts = sorted(rng.randint(0, len(text)) for _ in range(rng.randint(0, 3)))
            texts = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
            messages = [{"role": rng.choice(["user", "system", "tool", ""]), "content": t} for t in texts]
            try:
                request = json.loads(text)
            except (ValueError, RecursionError):
                request = None
            request_data = request if isinstance(request, dict) and rng.random() < 0.5 else {"messages": messages}
            guard = rng.choice(guards)
            try:
                with tally.timed(name):
                    out = loop.run_until_complete(guard.apply_guardrail({"texts": texts}, request_data, "request"))
                if len(out["texts"]) != len(texts):
                    tally.add(name, "texts lost")
            except HTTPException as exc:
                if exc.status_code != 400:  # 400: blocked, the one refusal it makes on purpose
                    tally.add(name, f"HTTP {exc.status_code}: {exc.detail}")
            except Exception as exc:
                tally.add(name, f"{type(exc).__name__}: {exc}")
    finally:
        loop.close()
    return tally


@contextlib.contextmanager
def service(index: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """``leakguard serve`` on loopback, its stderr kept for the tracebacks it must not print."""
    command = [sys.executable, "-m", "leakguard", "serve", "--index", str(index), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"leakguard serve exited {process.returncode}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def through_service(index: Path, port: int, inputs: Inputs, seed: int = 0) -> Tally:
    """``POST /v1/scan`` and ``/v1/redact`` of a real ``leakguard serve``, each input sent as
    the JSON ``text``, as a raw JSON body and as ``text/plain``."""
    import httpx

    rng = random.Random(seed)
    tally = Tally("serve")
    with service(index, port) as process, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        for name, data in inputs:
            route = rng.choice(["/v1/scan", "/v1/redact"])
            way = rng.randrange(3)
            if way == 0:
                body = json.dumps({"text": _text(data)}).encode()
                headers = {"content-type": "application/json"}
            else:
                body, headers = data, {"content-type": "application/json" if way == 1 else "text/plain"}
            try:
                with tally.timed(name):
                    response = client.post(route, content=body, headers=headers)
            except httpx.HTTPError as exc:
                tally.add(name, f"{type(exc).__name__}: {exc}")
                if process.poll() is not None:
                    break
                continue
            if response.status_code not in (200, 400, 413, 422):
                tally.add(name, f"HTTP {response.status_code}: {response.text}")
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    if b"Traceback" in stderr:
        tally.add("(server log)", stderr.decode(errors="replace")[-300:])
    return tally


def mitmproxy_python() -> Path | None:
    """The Python of the environment mitmproxy lives in (``.venv-mitmproxy``), if there is one."""
    from integrations.conftest import installed_mitmdump

    found = installed_mitmdump()
    python = Path(found).parent / "python" if found else None
    return python if python is not None and python.exists() else None


def through_mitmproxy(python: Path, index: Path, inputs: Inputs, work: Path, seed: int = 0) -> Tally:
    """The mitmproxy addon's ``request`` hook, in mitmproxy's own environment, on each input
    as a request body (JSON or not, with and without a Content-Encoding), blocking and redacting."""
    work.mkdir(parents=True, exist_ok=True)
    requests = work / "requests.jsonl"
    with requests.open("w") as out:
        for name, data in inputs:
            out.write(json.dumps({"name": name, "body": base64.b64encode(data).decode()}) + "\n")
    done = subprocess.run(
        [str(python), str(MITMPROXY_RUNNER), str(index), str(requests), str(seed)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    tally = Tally("mitmproxy")
    if done.returncode != 0:
        tally.add("(runner)", f"exit {done.returncode}: {done.stderr[-300:]}")
        return tally
    report = json.loads(done.stdout)
    tally.inputs, tally.seconds, tally.slowest = report["inputs"], report["seconds"], tuple(report["slowest"])
    for name, what in report["problems"]:
        tally.add(name, what)
    return tally
