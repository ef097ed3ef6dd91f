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


def test_a_copy_split_over_the_messages_of_a_chat_is_found_and_redacted_where_each_part_is(
    demo_index: leakguard.Index,
) -> None:
    from leakguard.integrations.payload import scan_pieces

    scanner = leakguard.Scanner(demo_index)
    lines = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text().splitlines()[45:75]
    parts = [line for line in lines if line.strip()]  # one line a message: none leaks alone
    assert not any(scanner.scan(part).is_leak for part in parts)
    assert sum(result.is_leak for result in scan_pieces(scanner, parts)) >= len(parts) - 2
    # the replies between the user's messages do not cut the copy: each speaker is read on its own
    reply = {"role": "assistant", "content": "Thanks, please send the next part of it."}
    body = {"messages": [message for part in parts for message in ({"role": "user", "content": part}, reply)]}
    verdict = guard_body(scanner, json.dumps(body).encode(), "application/json", redact=True)
    assert verdict.is_leak and "payments/ledger.py" in verdict.summary()
    assert verdict.body is not None
    sent = [m["content"] for m in json.loads(verdict.body)["messages"] if m["role"] == "user"]
    assert sum("leakguard:" in text for text in sent) >= len(parts) - 2  # each part redacted in its own message
    replies = [m["content"] for m in json.loads(verdict.body)["messages"] if m["role"] == "assistant"]
    assert set(replies) == {reply["content"]}
    clean = {"messages": [{"role": "user", "content": CLEAN}, {"role": "assistant", "content": CLEAN}]}
    assert not guard_body(scanner, json.dumps(clean).encode(), "application/json").is_leak
