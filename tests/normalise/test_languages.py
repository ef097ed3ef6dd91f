from __future__ import annotations

import pytest

from leakguard.normalise.alphabet import Alphabet
from leakguard.normalise.languages import SPECS, detect_language
from leakguard.normalise.syntax import normalise_source


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("a.py", "", "python"),
        ("b.tsx", "", "tsx"),
        ("c.kt", "", "kotlin"),
        ("d.cs", "", "csharp"),
        ("tool", "#!/usr/bin/env python3\nprint(1)\n", "python"),
        ("main", "package main\n\nfunc main() {}\n", "go"),
        ("page", "<?php echo 1;", "php"),
        ("notes.txt", "def f(): pass", None),
        ("README", "Just some words.", None),
    ],
)
def test_detect_language(path: str, text: str, expected: str | None) -> None:
    assert detect_language(path, text) == expected


@pytest.mark.parametrize("language", sorted(SPECS))
def test_every_grammar_loads_and_drops_comments(language: str) -> None:
    comment = "# note\n" if language in ("python", "ruby") else "// note\n"
    body = {"python": "x = 1\n", "ruby": "x = 1\n"}.get(language, "x = 1;\n")
    prefix = "<?php\n" if language == "php" else ""
    with_comment = normalise_source(prefix + comment + body, language, Alphabet())
    without = normalise_source(prefix + body, language, Alphabet())
    assert with_comment.tokens.abstract.tolist() == without.tokens.abstract.tolist()
