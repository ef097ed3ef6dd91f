from __future__ import annotations

import io

import pytest
from conftest import EXAMPLES

import leakguard
from leakguard import stream
from leakguard.errors import InputError

CODE = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()


def log_lines(count: int, start: int = 0) -> str:
    return "".join(f"2026-11-24T10:00:{i % 60:02d} INFO request {i} took {i % 97} ms\n" for i in range(start, count))


@pytest.mark.parametrize(
    "position",
    [
        stream.OVERLAP - 700,
        stream.BLOCK_BYTES - 1200,
        stream.BLOCK_BYTES + 5,
        2 * stream.BLOCK_BYTES - stream.OVERLAP - 40,
    ],
)
def test_copies_across_window_borders_are_found_once(demo_index: leakguard.Index, position: int) -> None:
    filler = log_lines(60_000)
    cut = filler.rfind("\n", 0, position) + 1
    text = filler[:cut] + CODE + filler[cut:]
    result = stream.scan_stream(demo_index, io.BytesIO(text.encode()))
    direct = demo_index.scan(text)
    assert [(f.path, f.start, f.end) for f in result.findings] == [(f.path, f.start, f.end) for f in direct.findings]
    assert result.findings and all(f.path == "payments/ledger.py" for f in result.findings)
    assert result.findings[0].text_start_line == text.count("\n", 0, result.findings[0].start) + 1
    out: list[str] = []
    redacted = stream.redact_stream(demo_index, io.BytesIO(text.encode()), out.append)
    assert "".join(out) == direct.redacted()
    assert len(redacted.findings) == len(direct.findings)


def test_stream_refuses_bad_input(demo_index: leakguard.Index) -> None:
    with pytest.raises(InputError, match="empty"):
        stream.scan_stream(demo_index, io.BytesIO(b""))
    with pytest.raises(InputError, match="byte 3"):
        stream.scan_stream(demo_index, io.BytesIO(b"abc\xff def"))
    with pytest.raises(InputError, match="binary"):
        stream.scan_stream(demo_index, io.BytesIO(b"a\x00b"))


def test_large_streams_do_not_keep_the_text(demo_index: leakguard.Index, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "KEEP_LIMIT", 1000)
    result = stream.scan_stream(demo_index, io.BytesIO((log_lines(5000) + CODE).encode()))
    assert result.is_leak and result.text == ""
    with pytest.raises(InputError, match="redact_stream"):
        result.redacted()


def test_one_json_record_in_a_long_log_is_decoded(demo_index: leakguard.Index) -> None:
    import json

    record = json.dumps({"level": "INFO", "prompt": "fix this:\n" + CODE}) + "\n"
    text = log_lines(4000) + record + log_lines(8000, 4000)
    result = demo_index.scan(text)
    assert result.is_leak
    start = text.index(record)
    assert all(start <= f.start and f.end <= start + len(record) for f in result.findings)
    assert "def settle_card_payment" not in result.redacted()
