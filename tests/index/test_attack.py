"""A dictionary attack on an index confirms indexed lines without a key, and none with one."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLES

import leakguard
from leakguard.index.attack import dictionary_attack, recovered


def guesses() -> list[str]:
    """Every window of three lines of the demo sources (the attacker guessed right) and of an
    unrelated public module (guesses that are wrong)."""
    texts = [p.read_text() for p in sorted((EXAMPLES / "acme").rglob("*")) if p.is_file()]
    texts.append(Path(json.__file__).with_name("decoder.py").read_text())
    windows = []
    for text in texts:
        lines = text.splitlines()
        windows += ["\n".join(lines[i : i + 3]) for i in range(0, max(1, len(lines) - 2))]
    return windows


def test_without_a_key_the_index_confirms_guessed_lines_with_one_it_confirms_none(tmp_path: Path) -> None:
    sources = [EXAMPLES / "acme"]
    leakguard.build_index(sources, jobs=1, public=False).save(tmp_path / "plain")
    leakguard.build_index(sources, jobs=1, public=False, key=b"a secret of the security team").save(tmp_path / "keyed")
    total = sum(1 for p in (EXAMPLES / "acme").rglob("*") if p.is_file() for _ in p.read_text().splitlines())
    plain = recovered(dictionary_attack(tmp_path / "plain", guesses()), EXAMPLES / "acme")
    keyed = recovered(dictionary_attack(tmp_path / "keyed", guesses()), EXAMPLES / "acme")
    print(f"dictionary attack: {len(plain)} of {total} indexed lines confirmed without a key, {len(keyed)} with one")
    assert len(plain) > total // 2  # an unkeyed index gives away what an attacker can guess
    assert keyed == set()
