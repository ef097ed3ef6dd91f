"""The escape decoder: the engine's one pass (``native/engine/src/escapes.rs``) gives the
views the regular-expression decoder it replaced gave (``reference_escapes.py``), on escape
soup, on escaped code and on the hostile inputs, with the same maps back."""

from __future__ import annotations

import json

import numpy as np
import reference_escapes as reference
from hostile_inputs import DEMO_CODE, KINDS, corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.decode.escapes import decode_escapes
from leakguard.decode.view import View


def same(text: str) -> None:
    native, regex_made = decode_escapes(View(text)), reference.decode_escapes(View(text))
    if regex_made is None:
        assert native is None, repr(text)
        return
    assert native is not None, repr(text)
    assert native.text == regex_made.text
    np.testing.assert_array_equal(native.starts, regex_made.starts)
    np.testing.assert_array_equal(native.ends, regex_made.ends)


PIECES = [
    "\\", "\\\\", "\\n", "\\t", "\\r", '\\"', "\\'", "\\/", "\\u", "\\U", "u", "0", "4", "1", "d", "D", "8", "b",
    "c", "F", "e", "z", "\\ud83d", "\\uDE00", "\\ud800", "\\udc00", "\\u0041", "x", " ", "\n", '"', "'", "é",
    "\ud800", "𝄞", "\\n\\t", "\\\\n",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=120))
def test_escape_soup_decodes_alike(pieces: list[str]) -> None:
    same("\\n a\\n b\\t" + "".join(pieces))
    same("".join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_decodes_alike(text: str) -> None:
    same(text)
    same(json.dumps(text))
    same(json.dumps(json.dumps("x\n\t" + text)))


def test_escaped_code_and_the_hostile_inputs_decode_alike() -> None:
    same(json.dumps({"prompt": DEMO_CODE}))
    same(json.dumps(json.dumps({"prompt": DEMO_CODE})))
    for data in [*corpus().values(), *(make(8192) for make in KINDS.values())]:
        same(data.decode("utf-8", errors="replace"))
