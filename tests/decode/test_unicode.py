"""The Unicode decoder: the engine's fold table (``native/engine/src/fold.rs``) gives the
views the regular-expression decoder it replaced gave (``reference_unicode.py``), on every
code point and on hostile text, and the table is what its generator writes today."""

from __future__ import annotations

import importlib.util
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import reference_unicode as reference
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.decode.unicode import CONFUSABLES, decode_unicode
from leakguard.decode.view import View

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "native" / "engine" / "generate_unicode.py"
TABLE = ROOT / "native" / "engine" / "src" / "fold_tables.rs"


def same(text: str) -> None:
    native, regex_made = decode_unicode(View(text)), reference.decode_unicode(View(text))
    if regex_made is None:
        assert native is None, repr(text)
        return
    assert native is not None, repr(text)
    assert native.text == regex_made.text
    np.testing.assert_array_equal(native.starts, regex_made.starts)
    np.testing.assert_array_equal(native.ends, regex_made.ends)


def test_every_code_point_decodes_alike() -> None:
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip(f"the table is Unicode 14.0.0's; this Python's NFKC is {unicodedata.unidata_version}'s")
    for low in range(0x80, sys.maxunicode + 1, 0x4000):
        same("x" + "".join(chr(cp) + " " for cp in range(low, min(low + 0x4000, sys.maxunicode + 1))))


PIECES = [
    *"ab c\n\t(",
    *CONFUSABLES,
    "\u200b",
    "\u202e",
    "\ufeff",
    "\u00ad",
    "\ufb01",
    "\uff21",
    "\u2460",
    "é",
    "東",
    "\ud800",
    "𝄞",
]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=120)
)
def test_hostile_text_decodes_alike(text: str) -> None:
    same(text)


def test_views_of_views_compose() -> None:
    inner = View("a\u200bb\u2014c").delete([(0, 1)])
    assert inner is not None
    native, regex_made = decode_unicode(inner), reference.decode_unicode(inner)
    assert native is not None and regex_made is not None
    assert native.text == regex_made.text == "b-c"
    np.testing.assert_array_equal(native.starts, regex_made.starts)


def test_the_fold_table_is_up_to_date() -> None:
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip(f"the table is Unicode 14.0.0's; this Python's NFKC is {unicodedata.unidata_version}'s")
    spec = importlib.util.spec_from_file_location("generate_unicode", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.fold_table() == TABLE.read_text(), "run: python native/engine/generate_unicode.py"
