"""HTML character references: the engine's decoder (``native/engine/src/entities.rs``) gives
the view ``html.unescape`` of each reference gave (the decoder it replaced), on entity soup,
on every HTML5 name, on numeric references of every kind and on the hostile inputs, with
the same maps back; and a page of code reads as code."""

from __future__ import annotations

import html
import html.entities
import importlib.util
import re
from pathlib import Path

import numpy as np
from hostile_inputs import KINDS, corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard import _core
from leakguard.arrays import codepoints
from leakguard.decode.markup import decode_markup
from leakguard.decode.view import View

#: The references the decoder reads, as the regular expression it was first written with.
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def same(view: View) -> None:
    native = view.decoded(_core.unescape_entities(codepoints(view.text)))
    reference = view.substitute(ENTITY, lambda match: html.unescape(match.group()))
    assert (native is None) == (reference is None), repr(view.text[:200])
    if native is not None and reference is not None:
        assert native.text == reference.text, repr(view.text[:200])
        assert native.starts is not None and reference.starts is not None
        np.testing.assert_array_equal(native.starts, reference.starts)
        np.testing.assert_array_equal(native.ends, reference.ends)


PIECES = ["&amp;", "&lt;", "&#65;", "&#x110000;", "&#xd800;", "&#128;", "&#1;", "&#xFFFE;", "&bogus;", "&", "a",
          "aa", "#", ";", "x", "\n", "&#0;", "&ampx;", "&notit;", "&#12345678;", "&#x;", "é", "\ud800", "&a;",
          "&NewLine;", "&lt", "&#", "&#x41"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.booleans())
def test_entity_soup_decodes_alike(pieces: list[str], mapped: bool) -> None:
    text = "".join(pieces)
    offsets = np.arange(len(text), dtype=np.int64) * 2  # a view of a view
    same(View(text, offsets, offsets + 2) if mapped else View(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_decodes_alike(text: str) -> None:
    same(View(text))
    same(View("&" + "&".join(text.split(" ")) + ";"))


def test_every_name_and_number_decodes_alike() -> None:
    names = sorted({name.rstrip(";") for name in html.entities.html5})
    same(View(" ".join(f"&{name};x&{name}q;" for name in names)))
    numbers = [*range(0, 0x3000, 7), *range(0xD7F0, 0xE010), *range(0xFDC0, 0xFE00), 0x10FFFF, 0x110000, 9999999]
    numbers += [plane * 0x10000 + low for plane in range(17) for low in (0xFFFD, 0xFFFE, 0xFFFF)]
    same(View("".join(f"&#{n};&#x{n:x};&#X{n:X};" for n in numbers if n < 10**7)))


def test_the_hostile_inputs_decode_alike() -> None:
    for data in [*corpus().values(), *(make(8192) for make in KINDS.values())]:
        same(View(data.decode("utf-8", errors="replace")))


def test_a_page_of_code_reads_as_code() -> None:
    page = "<html><body><pre><code><span>if</span> a &lt; b &amp;&amp; c&#39;s</code></pre></body></html>"
    view = decode_markup(View(page))
    assert view is not None
    assert view.text.strip() == "if a < b && c's"
    assert decode_markup(View("const el = <div className={x}>{a &lt; b}</div>;")) is not None
    assert decode_markup(View("plain text, no references")) is None


def test_the_entity_table_is_up_to_date() -> None:
    generator_path = Path(__file__).resolve().parents[2] / "native" / "engine" / "generate_entities.py"
    spec = importlib.util.spec_from_file_location("generate_entities", generator_path)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.render() == generator.OUT.read_text(), "run: python native/engine/generate_entities.py"
