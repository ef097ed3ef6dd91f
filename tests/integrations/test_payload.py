from __future__ import annotations

import json

from conftest import EXAMPLES

import leakguard
from leakguard.integrations.payload import guard_body

LEAK = (EXAMPLES / "prompts" / "leak_verbatim.md").read_text()
CLEAN = (EXAMPLES / "prompts" / "clean_question.md").read_text()


def test_every_string_of_a_json_body_is_scanned_and_only_leaks_are_rewritten(demo_index: leakguard.Index) -> None:
    scanner = leakguard.Scanner(demo_index)
    body = {
        "model": "claude",
        "system": CLEAN,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "é " + LEAK}]}],
    }
    raw = json.dumps(body).encode()
    verdict = guard_body(scanner, raw, "application/json", redact=True)
    assert verdict.is_leak and [at for at, _ in verdict.findings] == ["/messages/0/content/0/text"]
    assert "payments/ledger.py:46-" in verdict.summary()
    assert verdict.body is not None
    sent = json.loads(verdict.body)
    assert sent["system"] == CLEAN and sent["model"] == "claude"
    text = sent["messages"][0]["content"][0]["text"]
    assert text.startswith("é Hi!") and "def split_fee" not in text and "payments/ledger.py" in text
    assert guard_body(scanner, raw, "application/json").body is None  # detection only: nothing rebuilt


def test_text_bodies_whole_and_binary_bodies_pass(demo_index: leakguard.Index) -> None:
    scanner = leakguard.Scanner(demo_index)
    verdict = guard_body(scanner, LEAK.encode(), "text/plain", redact=True)
    assert verdict.is_leak and verdict.body is not None and b"def split_fee" not in verdict.body
    assert not guard_body(scanner, json.dumps({"q": CLEAN}).encode(), "application/json").is_leak
    assert not guard_body(scanner, b"\xff\xd8\xff binary", "image/jpeg").is_leak
    assert guard_body(scanner, b"{broken json " + LEAK.encode(), "application/json").is_leak
