"""A LiteLLM proxy guardrail that blocks or redacts prompts carrying indexed code.

Install ``leakguard[litellm]`` beside the proxy and name the class in its ``config.yaml``;
the proxy imports it by its dotted path and passes the other ``litellm_params`` to it::

    guardrails:
      - guardrail_name: leakguard
        litellm_params:
          guardrail: leakguard.integrations.litellm_guardrail.LeakguardGuardrail
          mode: pre_call            # scan prompts before they leave
          default_on: true          # every request, not only those that ask for it
          index: /etc/leakguard/acme-index   # else LEAKGUARD_INDEX, else [tool.leakguard]
          on_leak: block            # or "redact": send the prompt on with the code cut out
          threshold: 20             # optional, as `leakguard scan --threshold`
          on_error: block           # or "allow" (fail open); else LEAKGUARD_FAIL_OPEN
          time_budget: 2            # seconds a scan may take; else LEAKGUARD_TIME_BUDGET, else no limit

A blocked request gets HTTP 400 whose detail names the indexed files and lines (never the
code); the proxy records it as a guardrail intervention. The index is loaded once, when
the proxy starts, and scans run in a worker thread so they never stall the event loop.

When a request cannot be scanned (an internal error, the time budget spent) it is
blocked with HTTP 503 and a message saying why (:mod:`leakguard.failsafe`); with
``on_error: allow`` it is sent on and a warning logged. An index that cannot be loaded
stops the proxy from starting, unless ``on_error: allow``: then every request is sent on,
each with a warning.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, Literal

from fastapi import HTTPException
from litellm.integrations.custom_guardrail import CustomGuardrail
from litellm.types.utils import GenericGuardrailAPIInputs

from leakguard.api import Scanner
from leakguard.errors import ConfigError, LeakguardError
from leakguard.failsafe import Failsafe, ScanFailed, attempt_async
from leakguard.integrations.payload import scan_pieces
from leakguard.result import ScanResult

if TYPE_CHECKING:
    from litellm.litellm_core_utils.litellm_logging import Logging as LiteLLMLoggingObj

ACTIONS = ("block", "redact")
ON_ERROR = ("block", "allow")
log = logging.getLogger("leakguard")


class LeakguardGuardrail(CustomGuardrail):
    """Scans each text of a request (messages, system prompt, tool output) before it is sent."""

    def __init__(
        self,
        index: str | None = None,
        on_leak: str = "block",
        threshold: float | None = None,
        baseline: str | None = None,
        scanner: Scanner | None = None,
        on_error: str | None = None,
        time_budget: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Load the index (or take a ready ``scanner``); the other keyword arguments are LiteLLM's."""
        if on_leak not in ACTIONS:
            raise ConfigError(f"leakguard guardrail: on_leak must be one of {', '.join(ACTIONS)}, not {on_leak!r}")
        if on_error is not None and on_error not in ON_ERROR:
            raise ConfigError(f"leakguard guardrail: on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
        fail_open = None if on_error is None else on_error == "allow"
        self.failsafe = Failsafe.resolve(fail_open, float(time_budget) if time_budget is not None else None)
        self.unavailable: str | None = None
        if scanner is None:
            threshold = float(threshold) if threshold is not None else None
            try:
                scanner = Scanner.open(index, threshold=threshold, baseline=baseline)
            except LeakguardError as exc:
                if not self.failsafe.fail_open:
                    raise
                self.unavailable = f"the index could not be loaded: {exc}"
                log.error("leakguard: %s; every request is sent on unscanned (on_error: allow)", self.unavailable)
        self.scanner = scanner
        self.on_leak = on_leak
        super().__init__(**kwargs)

    async def apply_guardrail(
        self,
        inputs: GenericGuardrailAPIInputs,
        request_data: dict[str, Any],
        input_type: Literal["request", "response"],
        logging_obj: LiteLLMLoggingObj | None = None,
    ) -> GenericGuardrailAPIInputs:
        """Block (HTTP 400) or redact request texts that carry indexed code; responses pass."""
        texts = inputs.get("texts") or []
        if input_type != "request" or not texts:
            return inputs
        try:
            if self.scanner is None:
                raise ScanFailed(self.unavailable or "no index")
            scanner = self.scanner
            # The texts one by one, then together: a copy split over the messages of a chat.
            speakers = _speakers(texts, request_data)
            results: list[ScanResult] = await attempt_async(
                functools.partial(scan_pieces, scanner, list(texts), speakers), self.failsafe
            )
        except ScanFailed as exc:
            message = self.failsafe.explain(str(exc), "this request")
            if self.failsafe.fail_open:
                log.warning("%s", message)
                return inputs
            raise HTTPException(status_code=503, detail={"error": message, "leakguard": {"failed": True}}) from exc
        if not any(result.is_leak for result in results):
            return inputs
        if self.on_leak == "block":
            raise HTTPException(status_code=400, detail=blocked_detail(results))
        pairs = zip(texts, results, strict=True)
        inputs["texts"] = [result.redacted() if result.is_leak else text for text, result in pairs]
        return inputs


def _speakers(texts: list[str], request_data: dict[str, Any]) -> list[str]:
    """Who wrote each text, from the request's ``messages`` (a text not found there: "")."""
    roles: dict[str, str] = {}
    messages = request_data.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            continue
        content = message.get("content")
        parts = [content] if isinstance(content, str) else content if isinstance(content, list) else []
        for part in parts:
            text = part.get("text") if isinstance(part, dict) else part
            if isinstance(text, str):
                roles.setdefault(text, message["role"])
    return [roles.get(text, "") for text in texts]


def blocked_detail(results: list[ScanResult]) -> dict[str, object]:
    """What a blocked caller is told: which indexed files and lines matched, never the code."""
    matches = [
        {"path": f.path, "start_line": f.start_line, "end_line": f.end_line, "score": round(f.score, 4)}
        for result in results
        for f in result.findings
    ]
    names = ", ".join(sorted({f"{m['path']}:{m['start_line']}-{m['end_line']}" for m in matches}))
    return {
        "error": f"leakguard: the request contains proprietary code ({names}); remove it and try again",
        "leakguard": {"is_leak": True, "findings": matches},
    }
