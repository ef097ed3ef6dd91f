"""What someone holding an index, and not its key, can learn from it: a dictionary attack.

An index holds hashes of token sequences, never text. But the hashing is public, so with
an *unkeyed* index anyone can hash a guess and look it up: a guess of code that is in the
index matches, and the index says in which file and on which lines. Over a dictionary of
code that is common in the indexed languages (boilerplate, idioms, lines copied between
projects) that confirms, and locates, the indexed lines the dictionary holds. A *keyed*
index hashes every token with the key: without it, guesses are hashed differently from
the index and nothing matches.

:func:`dictionary_attack` plays the attacker: it opens the index file directly (as
someone who copied it would, key or not), hashes each guess the public way, and counts
the indexed lines confirmed. ``tests/index/test_attack.py`` and ``benchmarks/faults.py``
run it against the same sources indexed with and without a key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from leakguard.index.format import read_container
from leakguard.index.store import Index
from leakguard.options import FingerprintParams, ScanPolicy

#: The attacker's bar: any chain of a few matching tokens counts as a confirmation.
_EAGER = ScanPolicy(threshold=1.0, min_report_tokens=1, near_duplicates=False)


def open_without_key(directory: str | Path) -> Index:
    """The index at ``directory`` as an attacker without its key opens it: the checks that
    stop a mistaken key are skipped, and guesses are hashed unkeyed."""
    container = read_container(Path(directory))
    params = dataclasses.replace(FingerprintParams.from_json(container.header["params"]), key_id="")
    return Index(params, container.arrays, dict(container.header.get("stats", {})), b"", _keepalive=container)


def dictionary_attack(directory: str | Path, guesses: Iterable[str]) -> set[tuple[str, int, str]]:
    """What the guesses claim about the index: (path, line, the guessed text of that line).

    Each finding pairs the guess's lines with the indexed lines it names, in order. A
    claim is a *recovered* line when the guessed text is really that line's; a chance
    match of hashes makes claims that are not (the caller, who has the sources, can tell).
    """
    index = open_without_key(directory)
    claims: set[tuple[str, int, str]] = set()
    for guess in guesses:
        lines = guess.splitlines()
        for finding in index.scan(guess, _EAGER).findings:
            for offset in range(finding.end_line - finding.start_line + 1):
                at = finding.text_start_line - 1 + offset
                if 0 <= at < len(lines) and lines[at].strip():
                    claims.add((finding.path, finding.start_line + offset, lines[at].strip()))
    return claims


def recovered(claims: set[tuple[str, int, str]], root: Path) -> set[tuple[str, int]]:
    """The claims that are true of the sources under ``root``: lines an attacker really learnt."""
    files: dict[str, list[str]] = {}
    out = set()
    for path, line, text in claims:
        if path not in files:
            source = root / path
            files[path] = source.read_text(errors="replace").splitlines() if source.is_file() else []
        actual = files[path]
        if 0 < line <= len(actual) and actual[line - 1].strip() == text:
            out.add((path, line))
    return out
