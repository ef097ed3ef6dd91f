"""Code pasted as base64 or hex is read decoded; binary data and hashes are left alone."""

from __future__ import annotations

import base64
import time

import pytest
from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

import leakguard
from leakguard.decode import views
from leakguard.decode.encodings import decode_encodings
from leakguard.decode.view import View

CODE = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()


def _wrapped(data: str, width: int = 76) -> str:
    return "\n".join(data[i : i + width] for i in range(0, len(data), width))


ENCODED = {
    "base64": base64.b64encode(CODE.encode()).decode(),
    "base64, wrapped at 76": _wrapped(base64.b64encode(CODE.encode()).decode()),
    "base64, URL-safe, unpadded": base64.urlsafe_b64encode(CODE.encode()).decode().rstrip("="),
    "hex": CODE.encode().hex(),
}


@pytest.mark.parametrize("kind", sorted(ENCODED))
def test_encoded_code_is_found_and_redacted_whole(demo_index: leakguard.Index, kind: str) -> None:
    block = ENCODED[kind]
    prompt = f"Please decode this and find the bug:\n\n{block}\n\nThanks a lot!"
    result = leakguard.Scanner(demo_index).scan(prompt)
    assert result.is_leak and result.findings[0].path == "payments/ledger.py"
    redacted = result.redacted()
    assert block[:60] not in redacted and redacted.startswith("Please decode this")


@pytest.mark.parametrize(
    "text",
    [
        # an image, digests, a long name: base64 or hex of what is not text, or neither
        "data:image/png;base64," + base64.b64encode(bytes(range(256)) * 4).decode(),
        "commit 3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed7e6dc881de23001b",
        "sha256: " + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "a_very_long_identifier_name_that_goes_on_and_on_for_a_while_longer = compute_the_value()",
    ],
)
def test_what_is_not_encoded_text_is_left_alone(text: str) -> None:
    assert decode_encodings(View(text)) is None
    assert len(views(text)) == 1


def test_hostile_runs_stay_linear() -> None:
    for text in ("A" * 3_000_000, "ab" * 1_500_001, ("x" * 20 + "\n") * 100_000, "0" * 2_000_001):
        started = time.perf_counter()
        decode_encodings(View(text))
        assert time.perf_counter() - started < 20  # a quadratic pattern would take hours here


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["def f(x):", "return x", "é", "token=", "\n", " ", "==", "\t"]),
            st.binary(min_size=20, max_size=120).map(lambda b: base64.b64encode(b).decode()),
            st.text(alphabet="abcdef0123456789", min_size=30, max_size=140),
            st.sampled_from([ENCODED["base64, wrapped at 76"], ENCODED["hex"][:300], CODE[:200]]),
        ),
        max_size=12,
    )
)
def test_runs_found_natively_give_what_the_patterns_give_alone(parts: list[str]) -> None:
    from leakguard.decode.encodings import _BASE64, _HEX, _from_base64, _from_hex

    text = "".join(parts)
    view = View(text)
    expected = view.substitute(_BASE64, lambda m: _from_base64(m.group()))
    current = expected or view
    expected = current.substitute(_HEX, lambda m: _from_hex(m.group())) or expected
    got = decode_encodings(view) if len(text) >= 48 else None
    if len(text) < 48:
        return
    assert (got is None) == (expected is None)
    if got is not None and expected is not None:
        assert got.text == expected.text
        assert got.starts is not None and expected.starts is not None
        assert got.starts.tolist() == expected.starts.tolist()
