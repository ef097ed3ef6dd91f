"""The HTTP service behind ``leakguard serve`` (FastAPI; install the ``serve`` extra).

One :class:`~leakguard.api.Scanner` is loaded at start-up and shared by every request;
scans run in the server's thread pool, so a slow scan never blocks the event loop.

Endpoints (JSON in, the CLI's JSON out):

* ``POST /v1/scan``   ``{"text": "..."}`` -> ``{"is_leak", "score", "findings": [...]}``
* ``POST /v1/redact`` ``{"text": "...", "template"?: "..."}`` -> the same plus ``"text"``,
  the text with every finding replaced by a placeholder
* ``GET /healthz`` -> ``{"status": "ok", "files", "fingerprints", "version"}`` (no auth, for probes)

A body may also be sent as ``text/plain``: the whole body is the text. Bodies over the
size limit get 413 before they are read in full; with a token set, requests without
``Authorization: Bearer <token>`` get 401. Errors are ``{"error": "..."}``.

A text that cannot be scanned (an internal error, the time budget spent: see
:mod:`leakguard.failsafe`) gets 503 with ``{"error", "is_leak": true, "failed": true}``: a
client that only reads ``is_leak`` blocks it. With ``--fail-open`` it gets 200 with
``{"is_leak": false, "failed": true, "error"}`` (and for ``/v1/redact`` the text unchanged).
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import json
import os
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from leakguard.api import Scanner
from leakguard.errors import LeakguardError
from leakguard.failsafe import Failsafe, ScanFailed, attempt_async

if TYPE_CHECKING:
    import uvicorn

DEFAULT_MAX_BYTES = 1 << 20


class _JSON(JSONResponse):
    """JSON answers, with any lone surrogate a request sent (escaped, in its JSON) sent back
    escaped: UTF-8 cannot carry it raw, and FastAPI's own response would fail with a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


class _Rejected(Exception):
    """A request that gets an error status instead of a scan."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def create_app(
    scanner: Scanner,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    token: str | None = None,
    threads: int | None = None,
    failsafe: Failsafe | None = None,
) -> FastAPI:
    """The service as an ASGI app, serving ``scanner``.

    Args:
        scanner: loaded once, shared by every request (it is thread-safe).
        max_bytes: largest request body accepted; larger ones get 413.
        token: when set, every request but ``/healthz`` needs ``Authorization: Bearer <token>``.
        threads: size of the thread pool scans run in (default: the server's, 40).
        failsafe: what a text that cannot be scanned gets (default: fail closed, no time budget).
    """
    from leakguard import __version__

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if threads is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(
        title="leakguard",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        default_response_class=_JSON,
    )

    @app.exception_handler(_Rejected)
    async def rejected(_: Request, exc: Exception) -> _JSON:
        assert isinstance(exc, _Rejected)
        return _JSON({"error": str(exc)}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(LeakguardError)
    async def unusable(_: Request, exc: Exception) -> _JSON:
        return _JSON({"error": str(exc)}, status_code=422)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        stats = scanner.index.stats
        cache = scanner.cache_stats
        return {
            "status": "ok",
            "files": scanner.index.n_files,
            "fingerprints": int(stats.get("fingerprints", 0)),
            "version": __version__,
            "cache": {"hits": cache.hits, "misses": cache.misses, "entries": cache.entries, "chars": cache.chars},
        }

    failing = failsafe or Failsafe()

    def failed(exc: ScanFailed, text: str | None) -> _JSON:
        message = failing.explain(str(exc), "this text")
        if failing.fail_open:
            body: dict[str, object] = {"is_leak": False, "score": 0.0, "findings": [], "failed": True, "error": message}
            return _JSON(body if text is None else {**body, "text": text}, status_code=200)
        return _JSON({"error": message, "is_leak": True, "failed": True}, status_code=503)

    @app.post("/v1/scan", response_model=None)
    async def scan(request: Request) -> dict[str, object] | _JSON:
        text, _ = await _read(request, max_bytes, token)
        try:
            result = await attempt_async(functools.partial(scanner.scan, text), failing, run_in_threadpool)
        except ScanFailed as exc:
            return failed(exc, None)
        return result.to_json()

    @app.post("/v1/redact", response_model=None)
    async def redact(request: Request) -> dict[str, object] | _JSON:
        text, template = await _read(request, max_bytes, token)
        try:
            redaction = await attempt_async(
                functools.partial(scanner.redact, text, template), failing, run_in_threadpool
            )
        except ScanFailed as exc:
            return failed(exc, text)
        return {**redaction.result.to_json(), "text": redaction.text}

    return app


async def _read(request: Request, max_bytes: int, token: str | None) -> tuple[str, str | None]:
    """Check auth and size, then return (text, template) from a JSON or text/plain body."""
    if token is not None:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise _Rejected(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _Rejected(413, f"body of {declared} bytes is over the limit of {max_bytes}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise _Rejected(413, f"body is over the limit of {max_bytes} bytes")
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Rejected(400, f"body is not UTF-8 (byte {exc.start})") from exc
    if request.headers.get("content-type", "").split(";")[0].strip() == "text/plain":
        return raw, None
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # nested past the parser's limit, a huge integer
        raise _Rejected(400, f"body is not JSON Python can read: {exc}") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        raise _Rejected(422, 'expected a JSON object with a string "text"')
    template = payload.get("template")
    if template is not None and not isinstance(template, str):
        raise _Rejected(422, '"template" must be a string')
    return payload["text"], template


def serve(
    scanner: Scanner,
    host: str,
    port: int,
    *,
    max_bytes: int,
    token: str | None,
    threads: int,
    workers: int = 1,
    failsafe: Failsafe | None = None,
) -> None:
    """Run the service with uvicorn until interrupted (the ``leakguard serve`` command).

    With ``workers`` above one, the socket is bound once and that many processes forked
    from this one (the index already mapped, its pages shared) each serve it: a scan holds
    Python's GIL for most of its work, so processes, not threads, use several cores. The
    parent waits for them and passes SIGINT and SIGTERM on; a worker that dies ends the
    service (a supervisor restarts it whole).
    """
    import uvicorn

    app = create_app(scanner, max_bytes=max_bytes, token=token, threads=threads, failsafe=failsafe)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    try:
        if workers == 1:
            uvicorn.Server(config).run()
            return
        if not hasattr(os, "fork"):
            raise LeakguardError("--workers above 1 needs a system with fork (Linux, macOS)")
        sock = config.bind_socket()
    except OSError as exc:  # port taken, address not available
        raise LeakguardError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc
    _run_workers(config, sock, workers)


def _run_workers(config: uvicorn.Config, sock: socket.socket, workers: int) -> None:
    import uvicorn

    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: serve until told to stop, then leave without the parent's clean-up
            code = 0
            try:
                uvicorn.Server(config).run(sockets=[sock])
            except BaseException:  # a worker must never return into the parent's code
                code = 1
            os._exit(code)
        children.append(pid)

    def stop(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        # The first worker to end (stopped, or failed) ends the service.
        os.wait()
    finally:
        stop(signal.SIGTERM, None)
        for child in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, 0)
        sock.close()
