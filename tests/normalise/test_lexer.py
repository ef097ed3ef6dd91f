from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.normalise.alphabet import ID, STR, Alphabet
from leakguard.normalise.lexer import TEXT, lex, lex_with_regions

A = Alphabet()


def symbols(text: str) -> list[int]:
    return lex(text, A).abstract.tolist()


def test_comments_and_layout_do_not_matter() -> None:
    a = "int add(int a, int b) {\n    return a + b; // sum\n}\n"
    b = "int add(int a,int b){ /* block\n comment */ return a+b;}"
    assert symbols(a) == symbols(b)


def test_identifiers_and_literals_are_abstracted() -> None:
    assert symbols("total = price * 3 + 'x'") == symbols('amount = cost * 99 + "y"')
    stream = lex("foo", A)
    assert stream.abstract.tolist() == [A.symbol(ID)]
    assert stream.concrete.tolist() == [A.name("foo")]


def test_keywords_stay_distinct_from_identifiers() -> None:
    assert symbols("return x") != symbols("result x")


def test_docstrings_and_trailing_commas_and_semicolons_drop() -> None:
    with_doc = 'def f(a, b,):\n    """Doc."""\n    return a;\n'
    without = "def f(a, b):\n    return a\n"
    assert symbols(with_doc) == symbols(without)


def test_strings_inside_code_become_one_token() -> None:
    stream = lex('call("a // not a comment", x)', A)
    assert stream.abstract.tolist().count(A.symbol(STR)) == 1
    assert len(stream) == 6


def test_offsets_and_lines_point_into_the_text() -> None:
    text = "alpha\n  beta(gamma)\n"
    stream = lex(text, A)
    assert [text[s:e] for s, e in zip(stream.start.tolist(), stream.end.tolist(), strict=True)] == [
        "alpha",
        "beta",
        "(",
        "gamma",
        ")",
    ]
    assert stream.line.tolist() == [1, 2, 2, 2, 2]


def test_markdown_fences_are_not_strings() -> None:
    assert symbols("```python\nx = f(y)\n```") == symbols("x = f(y)")


def test_rust_lifetimes_are_not_strings() -> None:
    assert A.symbol(STR) not in symbols("fn f<'a>(x: &'a str) -> &'a str { x }")


_WORD = st.from_regex(re.compile(r"[a-z][a-z0-9_]{0,8}"), fullmatch=True)


@given(st.lists(_WORD, min_size=1, max_size=30), st.data())
@settings(max_examples=60, deadline=None, derandomize=True)
def test_consistent_renaming_keeps_the_abstract_stream(words: list[str], data: st.DataObject) -> None:
    text = " ( ".join(words)
    mapping = {w: "v" + str(i) + "_x" for i, w in enumerate(sorted(set(words)))}
    renamed = " ( ".join(mapping[w] for w in words)
    keyword_free = all(symbols(w) == [A.symbol(ID)] for w in words)
    if keyword_free:
        assert symbols(text) == symbols(renamed)


@given(
    st.lists(st.sampled_from(["x", "+", "(", ")", "1", "if", "return", "=", "y", "{", "}"]), max_size=40),
    st.lists(st.sampled_from([" ", "\n", "\t", "  \n  "]), min_size=1, max_size=5),
)
@settings(max_examples=80, deadline=None, derandomize=True)
def test_whitespace_never_changes_tokens(tokens: list[str], spaces: list[str]) -> None:
    tight = " ".join(tokens)
    loose = "".join(tok + spaces[i % len(spaces)] for i, tok in enumerate(tokens))
    assert symbols(tight) == symbols(loose)


def test_prefixed_strings_keep_their_prefix() -> None:
    for prefixed in ('r"a\\b"', "b'x'", 'f"""doc"""', 'rb"x"', 'u8"x"', 'L"x"', 'r#"a "quoted" b"#'):
        tokens = lex(f"x = {prefixed}\n", A)
        assert tokens.abstract.tolist()[-1] == A.symbol(STR), prefixed
        assert (int(tokens.start[-1]), int(tokens.end[-1])) == (4, 4 + len(prefixed)), prefixed
    # A prefix letter inside a word is the word's: "buf" and then a string.
    assert symbols('buf"x"') == [A.symbol(ID), A.symbol(STR)]


def test_a_region_does_not_read_a_prefix_before_it() -> None:
    # Free text a parser found starting at a quote: the letter before it belongs elsewhere.
    for text, begin in (('r"x" + y', 1), ('rb"x" + y', 2), ('r#"x"# + y', 1)):
        tokens = lex_with_regions(text, [(begin, len(text), TEXT)], A)
        assert int(tokens.start[tokens.abstract == A.symbol(STR)].min(initial=len(text))) >= begin, text
