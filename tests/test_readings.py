from __future__ import annotations

from unittest import mock

from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

import leakguard
from leakguard.decode import views
from leakguard.fingerprint.kgrams import kgram_hashes
from leakguard.normalise.lexer import lex
from leakguard.options import DEFAULT_POLICY
from leakguard.readings import can_add
from leakguard.scanner import lookup

ACME = EXAMPLES / "acme"
SOURCES = sorted(path for path in ACME.rglob("*") if path.is_file())
PROSE = "Could you review this? It doesn\u2019t balance \u2014 I\u2019m lost\u2026\n\n"
TYPOGRAPHIC = ("\u2018", "\u2019", "\u201c", "\u201d", "\u2014", "\u2026", "\u00a0", "\u2212")


def _code(path: str, first: int, last: int) -> str:
    return "".join((ACME / path).read_text().splitlines(keepends=True)[first - 1 : last])


def _decoded_can_add(index: leakguard.Index, text: str) -> bool:
    _, decoded = views(text)
    own, theirs = lex(text, index.alphabet), lex(decoded.text, index.alphabet)
    hits = lookup(index, own, DEFAULT_POLICY).pos
    hashes = kgram_hashes(theirs.abstract, index.params.k)
    return can_add(index, DEFAULT_POLICY, decoded, theirs, hashes, own, hits)


#: Prose long enough that a typographic character at its end is beyond any chain's reach
#: of code before it (``gap + k`` tokens).
FILLER = "We changed the rounding of the totals last week and the reports have been off since then. " * 6


def test_typographic_prose_away_from_a_copy_adds_nothing(demo_index: leakguard.Index) -> None:
    text = _code("payments/ledger.py", 24, 45) + "\n" + FILLER + PROSE
    assert not _decoded_can_add(demo_index, text)
    result = demo_index.scan(text)
    assert {f.path for f in result.findings} == {"payments/ledger.py"}


def test_a_no_break_space_that_changes_no_token_adds_nothing(demo_index: leakguard.Index) -> None:
    code = _code("payments/ledger.py", 24, 45)
    text = code.replace("def add(self,", "def add(self,\u00a0")
    assert text != code
    assert not _decoded_can_add(demo_index, text)


def test_a_typographic_character_next_to_a_copy_is_read_decoded(demo_index: leakguard.Index) -> None:
    text = _code("payments/ledger.py", 24, 45) + "\nIt doesn\u2019t balance.\n"
    assert _decoded_can_add(demo_index, text)


def test_smart_quotes_inside_copied_code_are_read_decoded(demo_index: leakguard.Index) -> None:
    code = _code("payments/ledger.py", 1, 60)
    smart = code.replace('"""', "\u201c\u201c\u201c").replace('"', "\u201d")
    text = PROSE + smart
    assert _decoded_can_add(demo_index, text)
    result = demo_index.scan(text)
    assert result.is_leak
    (finding,) = result.findings
    # The decoded reading finds the copy as one piece, string literals included.
    assert finding.start <= text.index("SETTLEMENT_ACCOUNT")
    assert finding.end >= text.index("def assert_balanced")


#: Typographic stand-ins for characters code is full of, as chat apps and word processors
#: put them into pasted text (the decoder reads each as the ASCII character).
STAND_INS = {'"': ("\u201c", "\u201d"), "'": ("\u2018", "\u2019"), "-": ("\u2014", "\u2212"), " ": ("\u00a0",)}


@settings(max_examples=80, deadline=None)
@given(
    source=st.sampled_from(SOURCES),
    first=st.integers(1, 60),
    length=st.integers(5, 80),
    marks=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 1)), max_size=4),
)
def test_skipping_a_decoded_reading_loses_no_finding(
    demo_index: leakguard.Index,
    source: object,
    first: int,
    length: int,
    marks: list[tuple[float, int]],
) -> None:
    lines = source.read_text().splitlines(keepends=True)  # type: ignore[attr-defined]
    text = PROSE + "".join(lines[first - 1 : first - 1 + length]) + "\nWhat does it do?\n"
    for where, choice in marks:
        # A stand-in where its ASCII character was (the decoded reading then holds the
        # code as written), or a typographic character anywhere.
        at = int(where * len(text))
        replaceable = [i for i in range(at, len(text)) if text[i] in STAND_INS]
        if replaceable:
            at = replaceable[0]
            options = STAND_INS[text[at]]
            mark = options[choice % len(options)]
        else:
            mark = TYPOGRAPHIC[choice]
        text = text[:at] + mark + text[at + 1 :]
    with mock.patch("leakguard.scanner.can_add", return_value=True):
        every = demo_index.scan(text)
    result = demo_index.scan(text)
    assert result.findings == every.findings
    assert result.is_leak == every.is_leak
