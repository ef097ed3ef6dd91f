"""A mitmproxy addon that stops proprietary code in requests to AI services.

Run it in the proxy that engineers' machines (or a CI network) send AI traffic through;
mitmproxy must run in an environment where leakguard is installed (``pip install
'leakguard[mitmproxy]'``, or ``pipx inject mitmproxy leakguard``)::

    mitmdump -s "$(python -c 'import leakguard.integrations.mitmproxy_addon as a; print(a.__file__)')" \\
        --set leakguard_index=/etc/leakguard/acme-index --set leakguard_action=block

Options (``--set name=value``):

* ``leakguard_index``: index directory (else ``LEAKGUARD_INDEX``, else ``[tool.leakguard]``);
* ``leakguard_action``: ``block`` answers the client 403 with a JSON message naming the
  indexed files and lines, and the request never leaves; ``redact`` sends it on with every
  finding replaced by a placeholder and an ``X-Leakguard-Redacted`` header;
* ``leakguard_hosts``: comma-separated hosts whose requests are inspected (default: the
  well-known AI API hosts; ``*`` for every host);
* ``leakguard_threshold``: evidence threshold, as ``leakguard scan --threshold`` (0: default);
* ``leakguard_on_error``: ``block`` or ``allow``, what to do with a request that cannot be
  scanned (default: block, unless ``LEAKGUARD_FAIL_OPEN=1``);
* ``leakguard_time_budget``: seconds a scan may take before the request counts as not
  scannable (0: ``LEAKGUARD_TIME_BUDGET``, else no limit).

Only requests with a body (POST, PUT, PATCH) are inspected; compressed bodies are
decoded by mitmproxy first. HTTPS needs mitmproxy's CA trusted by the clients, as usual.

An inspected request that cannot be scanned — the index could not be loaded, the body's
``Content-Encoding`` cannot be undone, an internal error, the time budget spent — is
answered 503 with a JSON message saying why, and never leaves (:mod:`leakguard.failsafe`);
with ``leakguard_on_error=allow`` it is sent on and a warning logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from mitmproxy import ctx, http

from leakguard.api import Scanner
from leakguard.errors import LeakguardError
from leakguard.failsafe import Failsafe, ScanFailed, attempt
from leakguard.integrations.payload import BodyVerdict, guard_body

DEFAULT_HOSTS = (
    "api.openai.com,api.anthropic.com,generativelanguage.googleapis.com,api.mistral.ai,"
    "api.cohere.com,api.groq.com,api.together.xyz,api.deepseek.com,openrouter.ai,"
    "api.githubcopilot.com,copilot-proxy.githubusercontent.com"
)
_INSPECTED_METHODS = frozenset({"POST", "PUT", "PATCH"})
log = logging.getLogger("leakguard")


class LeakguardAddon:
    """Inspects outgoing request bodies; blocks (403) or redacts those that carry indexed code."""

    def __init__(self) -> None:
        self.scanner: Scanner | None = None
        self.unavailable: str | None = None
        self.hosts: frozenset[str] = frozenset()
        self.failsafe = Failsafe()

    def load(self, loader: Any) -> None:
        """Declare the addon's options."""
        loader.add_option("leakguard_index", str, "", "leakguard index directory (else LEAKGUARD_INDEX or config)")
        loader.add_option("leakguard_action", str, "block", "what to do with a leaking request: block or redact")
        loader.add_option("leakguard_hosts", str, DEFAULT_HOSTS, "comma-separated hosts to inspect, or *")
        loader.add_option("leakguard_threshold", float, 0.0, "evidence threshold (0: leakguard's default)")
        loader.add_option("leakguard_on_error", str, "", "request that cannot be scanned: block or allow")
        loader.add_option("leakguard_time_budget", float, 0.0, "seconds a scan may take (0: no limit)")

    def configure(self, updated: set[str]) -> None:
        """(Re)load the index when its options change; refuse a bad action at start-up."""
        options = ctx.options
        if options.leakguard_action not in ("block", "redact"):
            raise ValueError(f"leakguard_action must be block or redact, not {options.leakguard_action!r}")
        if options.leakguard_on_error not in ("", "block", "allow"):
            raise ValueError(f"leakguard_on_error must be block or allow, not {options.leakguard_on_error!r}")
        fail_open = None if not options.leakguard_on_error else options.leakguard_on_error == "allow"
        self.failsafe = Failsafe.resolve(fail_open, options.leakguard_time_budget or None)
        self.hosts = frozenset(h.strip().lower() for h in options.leakguard_hosts.split(",") if h.strip())
        if self.scanner is None or updated & {"leakguard_index", "leakguard_threshold"}:
            threshold = options.leakguard_threshold or None  # 0: the configured or default one
            try:
                self.scanner = Scanner.open(options.leakguard_index or None, threshold=threshold)
            except LeakguardError as exc:
                # Not raised: mitmproxy would go on without the addon and pass every request.
                self.scanner, self.unavailable = None, f"the index could not be loaded: {exc}"
                # A warning, not an error: mitmdump exits on an error logged at start-up, and the
                # clients it would leave may go around it; answering 503 keeps the hole shut.
                log.warning("leakguard: %s", self.failsafe.explain(self.unavailable, "any request"))
            else:
                self.unavailable = None
                log.info("leakguard: %d indexed files loaded", self.scanner.index.n_files)

    def _inspected(self, flow: http.HTTPFlow) -> bool:
        request = flow.request
        if request.method not in _INSPECTED_METHODS or not request.raw_content:
            return False
        return "*" in self.hosts or request.pretty_host.lower() in self.hosts

    def request(self, flow: http.HTTPFlow) -> None:
        """Scan the body of an inspected request, then block or redact it if it leaks."""
        if not self._inspected(flow):
            return
        request = flow.request
        where = f"{request.method} {request.pretty_url}"
        redact = ctx.options.leakguard_action == "redact"
        try:
            verdict = attempt(lambda: self._verdict(request, redact), self.failsafe)
        except ScanFailed as exc:
            message = self.failsafe.explain(str(exc), where)
            if self.failsafe.fail_open:
                log.warning("%s", message)
                return
            refusal = {"error": {"type": "leakguard_unavailable", "message": message}}
            flow.response = http.Response.make(503, json.dumps(refusal), {"Content-Type": "application/json"})
            log.error("%s", message)
            return
        if not verdict.is_leak:
            return
        if redact and verdict.body is not None:
            request.content = verdict.body  # re-encoded and Content-Length updated by mitmproxy
            request.headers["X-Leakguard-Redacted"] = str(len(verdict.findings))
            log.warning("leakguard: redacted %s (%s)", where, verdict.summary())
            return
        message = f"leakguard: blocked, the request contains proprietary code ({verdict.summary()})"
        payload = {"error": {"type": "leakguard_blocked", "message": message, **verdict.to_json()}}
        flow.response = http.Response.make(403, json.dumps(payload), {"Content-Type": "application/json"})
        log.warning("leakguard: blocked %s (%s)", where, verdict.summary())

    def _verdict(self, request: http.Request, redact: bool) -> BodyVerdict:
        if self.scanner is None:
            raise ScanFailed(self.unavailable or "no index")
        try:
            body = request.get_content(strict=True) or b""
        except ValueError as exc:  # a Content-Encoding mitmproxy cannot undo: the bytes are not the text
            encoding = request.headers.get("content-encoding", "?")
            raise ScanFailed(f"the body's Content-Encoding {encoding!r} cannot be decoded") from exc
        return guard_body(self.scanner, body, request.headers.get("content-type", ""), redact=redact)


addons = [LeakguardAddon()]
