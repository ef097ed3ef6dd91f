from __future__ import annotations

import html
import json
import re

import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

import leakguard
from leakguard.decode import views
from leakguard.decode.view import View

SOURCE = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()
SNIPPET = "".join(SOURCE.splitlines(keepends=True)[45:68])  # split_fee and settle_card_payment


def zero_width(text: str) -> str:
    return "".join(c + ("\u200b" if i % 3 == 0 else "") for i, c in enumerate(text))


def confusable(text: str) -> str:
    return text.replace("a", "\u0430").replace("e", "\u0435").replace("o", "\u043e")


def numbered(text: str) -> str:
    return "".join(f"{n:4d} | {line}" for n, line in enumerate(text.splitlines(keepends=True), 46))


def diff(text: str) -> str:
    body = "".join("+" + line for line in text.splitlines(keepends=True))
    return f"diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -0,0 +1,{text.count(chr(10))} @@\n{body}"


WRAPPINGS = {
    "json log line": lambda t: json.dumps({"level": "info", "prompt": t, "user": "dev42"}) + "\n",
    "double json": lambda t: json.dumps({"body": json.dumps({"prompt": t})}),
    "html page": lambda t: f"<html><body><p>Look:</p><pre><code>{html.escape(t)}</code></pre></body></html>",
    "diff": diff,
    "numbered listing": numbered,
    "quoted reply": lambda t: "".join("> " + line for line in t.splitlines(keepends=True)),
    "repl": lambda t: "".join((">>> " if i == 0 else "... ") + line for i, line in enumerate(t.splitlines(True))),
    "crlf and tabs": lambda t: t.replace("    ", "\t").replace("\n", "\r\n"),
    "zero-width": zero_width,
    "confusables": confusable,
}


@pytest.mark.parametrize("wrapping", sorted(WRAPPINGS))
def test_wrapped_code_is_found_where_it_is(demo_index: leakguard.Index, wrapping: str) -> None:
    before, after = "Hi team, this fails in prod:\n\n", "\n\nAny idea why?\n"
    text = before + WRAPPINGS[wrapping](SNIPPET) + after
    result = demo_index.scan(text)
    assert result.is_leak, wrapping
    assert {f.path for f in result.findings} == {"payments/ledger.py"}
    start = min(f.start for f in result.findings)
    end = max(f.end for f in result.findings)
    assert len(before) <= start and end <= len(text) - len(after) + 1
    covered = text[start:end]
    plain = covered.replace("\u200b", "").translate(str.maketrans("\u0430\u0435\u043e", "aeo"))
    assert "split_fee" in plain
    redacted = result.redacted()
    assert redacted.startswith(before) and redacted.endswith(after)
    assert "ROUND_HALF_EVEN" not in redacted and "merchant_account" not in redacted


def test_plain_text_has_no_decoded_views() -> None:
    assert len(views(SNIPPET)) == 1
    assert len(views("Hello, world. No code here.")) == 1


@given(st.text(alphabet=st.sampled_from(list('ab\\n"x \n')), max_size=80))
@settings(max_examples=200, deadline=None, derandomize=True)
def test_substitution_maps_every_character_back(text: str) -> None:
    view = View(text).substitute(re.compile(r"\\n|xx"), lambda m: "\n" if m.group() == "\\n" else "")
    if view is None:
        return
    assert view.starts is not None and view.ends is not None
    for i, char in enumerate(view.text):
        original = text[int(view.starts[i]) : int(view.ends[i])]
        assert original == char or (char == "\n" and original == "\\n")


def test_composed_views_map_to_the_original() -> None:
    text = json.dumps({"x": "<b>a &amp; b</b>\u200b"})
    decoded = views(text)[-1]
    i = decoded.text.index("&")
    start, end = decoded.span(i, i + 1)
    assert text[start:end] == "&amp;"


def test_a_decoded_view_keeps_only_the_lines_around_what_decoding_changed() -> None:
    # One em dash in a long prompt: the folded view is the 81 lines around it, not all 400.
    lines = [f"line {n}: the service returns an error when the body is large" for n in range(400)]
    lines[200] = "line 200: sizes is specified as a sequence \u2014 one item for each input"
    text = "\n".join(lines) + "\n"
    decoded = views(text)[1]
    kept = decoded.text.splitlines()
    assert kept[0] == lines[160] and kept[-1] == lines[240] and len(kept) == 81
    dash = decoded.text.index(" - one item")
    start, end = decoded.span(dash + 1, dash + 2)
    assert text[start:end] == "\u2014"
    for i, char in enumerate(decoded.text):  # every kept character maps to itself
        if char not in "-\n":
            assert text[decoded.span(i, i + 1)[0]] == char


def test_a_decoded_view_changed_throughout_is_kept_whole() -> None:
    laced = zero_width(SOURCE)
    decoded = views(laced)[1]
    assert decoded.text == SOURCE
