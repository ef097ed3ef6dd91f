"""Detection quality over real code: recall per transformation, attribution, false alarms.

Real source files of every supported language (``tests/corpus/fetch.sh`` plus installed
Python packages and, when present, ``../shared/datasets``) are split by *package*: the
files of the packages in ``INDEXED`` are indexed, all other packages are the unrelated
code the false-alarm rate is measured on (files of one project share code legitimately,
so splitting inside a project would count real copies as false alarms).
From each indexed file, random windows of 8-60 lines are pasted into a prompt
(prose before and after, a markdown fence) under each transformation:

* verbatim: unchanged;
* reformatted: every line re-indented, spaces around punctuation changed, braces moved;
* comments: comment lines removed and new ones inserted every few lines;
* renamed: every identifier consistently renamed;
* edited: about a tenth of the lines deleted, as many new lines inserted, two neighbouring
  lines swapped (a copy someone worked on);
* partial: a fragment of 6-10 lines of the window carrying at least 40 code tokens.

Windows with fewer than MIN_CODE_TOKENS code tokens (mostly comments or blank) are not
drawn: with comments dropped there is nothing left to find.
A case counts as found when the scan says leak; it is attributed correctly when a finding
names the source file and its line range overlaps the window's. Negatives are windows of
the unrelated files, and paragraphs of SPDX licence texts (prose) when ``../shared`` is
there. Chance matches grow with the size of the index, so the unrelated windows are also
scanned against a larger index: the indexed files plus Python's standard library.
Nothing here is tuned per case: the windows are drawn with a fixed seed.

    python benchmarks/quality.py            # full run, prints the table
    python benchmarks/quality.py --smoke    # a few cases per language (CI)
    python benchmarks/quality.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from corpus_files import SHARED, files_by_language  # noqa: E402
from peers import Item, peers_at_rate  # noqa: E402
from results import percent  # noqa: E402

import leakguard  # noqa: E402
from leakguard.index.public import public_code  # noqa: E402
from leakguard.normalise.alphabet import KEYWORDS, Alphabet  # noqa: E402
from leakguard.normalise.lexer import lex  # noqa: E402
from leakguard.normalise.syntax import normalise_source  # noqa: E402

_ALPHABET = Alphabet()
#: Python's standard library (its site-packages is skipped by the walk).
STDLIB = Path(json.__file__).parent.parent

TRANSFORMS = ("verbatim", "reformatted", "comments", "renamed", "edited", "renamed and edited", "partial")
INDEXED = (
    "click",
    "react-native-screens",
    "golang-github-spf13-cobra-dev",
    "librust-memchr-dev",
    "pythonnet",
    "libruby3.1",
    "php-psr-log",
    "IR-Plag-Dataset",
)
MIN_CODE_TOKENS = 40
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_HASH_COMMENT = {"python", "ruby"}


_STRING_LITERAL = re.compile(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`""")


def _outside_strings(body: str, pattern: str, replace: Callable[[re.Match[str]], str]) -> str:
    """``re.sub`` that leaves string literals alone (a formatter never changes them); the
    replacement still runs for matches inside them, so the random draws stay the same."""
    inside = [(m.start(), m.end()) for m in _STRING_LITERAL.finditer(body)]

    def guarded(match: re.Match[str]) -> str:
        new = replace(match)
        return match.group() if any(a <= match.start() < b for a, b in inside) else new

    return re.sub(pattern, guarded, body)


def reformat(lines: list[str], rng: random.Random) -> list[str]:
    out = []
    for line in lines:
        body = line.strip()
        depth = (len(line) - len(line.lstrip())) // 2
        # Only layout: spaces around brackets, commas and plain assignments (never inside
        # a multi-character operator, a comment marker or a string, which would change the code).
        body = _outside_strings(
            body,
            r"\s*(?:([(),])|(?<![=!<>+\-*/%&|^:])(=)(?![=>]))\s*",
            lambda m: f" {m.group(m.lastindex or 0)} " if rng.random() < 0.5 else m.group(m.lastindex or 0),
        )
        body = _outside_strings(body, r" {2,}", lambda m: " ").strip()
        if body.endswith("{") and len(body) > 1 and rng.random() < 0.5:
            out.append("\t" * depth + body[:-1].rstrip())
            out.append("\t" * depth + "{")
        else:
            out.append("\t" * depth + body)
    return out


def recomment(lines: list[str], language: str, rng: random.Random) -> list[str]:
    marker = "#" if language in _HASH_COMMENT else "//"
    out = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("#", "//", "/*", "*")) and not stripped.startswith(("#include", "#define", "#[")):
            continue
        out.append(line)
        if i % 4 == 3:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{marker} note {rng.randint(1, 999)}: see the ticket before changing this")
    return out


def rename(lines: list[str], rng: random.Random) -> list[str]:
    mapping: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if word in KEYWORDS or word in ("True", "False", "None", "String"):
            return word
        if word not in mapping:
            mapping[word] = f"{rng.choice(['tmp', 'val', 'item', 'obj', 'data'])}{len(mapping)}"
        return mapping[word]

    return [_IDENT.sub(swap, line) for line in lines]


_INSERTED = ('trace("checkpoint {n}", {n})', "retries = retries + {n}", 'audit.record("step", {n})')


def edit(lines: list[str], rng: random.Random) -> list[str]:
    out = list(lines)
    for _ in range(max(1, len(out) // 10)):
        del out[rng.randrange(len(out))]
    for _ in range(max(1, len(lines) // 10)):
        position = rng.randrange(len(out) + 1)
        neighbour = out[position - 1] if position else (out[0] if out else "")
        indent = neighbour[: len(neighbour) - len(neighbour.lstrip())]
        out.insert(position, indent + rng.choice(_INSERTED).format(n=rng.randint(1, 99)))
    if len(out) > 2:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    return out


def fragment(code_lines: np.ndarray, start: int, end: int, rng: random.Random) -> tuple[int, int] | None:
    """A run of 6-10 lines inside [start, end) holding at least MIN_CODE_TOKENS code tokens."""
    options = []
    for size in range(6, 11):
        for first in range(start, end - size + 1):
            if np.count_nonzero((code_lines > first) & (code_lines <= first + size)) >= MIN_CODE_TOKENS:
                options.append((first, first + size))
    return rng.choice(options) if options else None


def transform(name: str, lines: list[str], language: str, rng: random.Random) -> list[str]:
    if name == "reformatted":
        return reformat(lines, rng)
    if name == "comments":
        return recomment(lines, language, rng)
    if name == "renamed":
        return rename(lines, rng)
    if name == "edited":
        return edit(lines, rng)
    if name == "renamed and edited":
        # Both at once: what is left of exact runs is structure only, and shorter.
        return rename(edit(lines, rng), rng)
    return lines


def prompt(body: list[str], rng: random.Random) -> tuple[str, int, int]:
    before = rng.choice(["Can you help me fix this?\n\n", "Why is this slow?\n\n", "Please review:\n\n"]) + "```\n"
    code = "\n".join(body) + "\n"
    after = "```\n\n" + rng.choice(["Thanks!", "It fails on large inputs.", "Any ideas?"]) + "\n"
    return before + code + after, len(before), len(before) + len(code)


WRAPPINGS = (
    "markdown prompt",
    "JSON log line",
    "unified diff",
    "numbered listing",
    "HTML page",
    "zero-width laced",
    "one look-alike character",
)
#: Look-alikes a chat app or a filter dodger puts in place of one character: Cyrillic
#: letters and the Unicode minus sign (escapes, so no ambiguous letter sits in the source).
_LOOK_ALIKES = {"a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "x": "\u0445", "-": "\u2212"}
#: Wrappings whose redaction is measured, and how the table names the code in them.
REDACTION_MEASURED = {
    "markdown prompt": "verbatim code",
    "one look-alike character": "verbatim code with one look-alike character",
}
_LOG = "2026-11-24T10:00:{:02d}Z INFO gateway request {} served in {} ms\n"


def wrap(name: str, body: list[str], rng: random.Random) -> tuple[str, int, int]:
    """The code in one of the wrappings of real outgoing text; returns (text, start, end) of the code."""
    code = "\n".join(body) + "\n"
    before = "".join(_LOG.format(i, rng.randint(1, 9999), rng.randint(1, 999)) for i in range(3))
    if name == "markdown prompt":
        return prompt(body, rng)
    if name == "JSON log line":
        head = '{"ts": "2026-11-24T10:00:03Z", "level": "INFO", "route": "/v1/chat", "prompt": '
        payload = json.dumps("Please review:\n" + code)
        text = before + head + payload + "}\n" + before
        return text, len(before) + len(head), len(before) + len(head) + len(payload)
    if name == "unified diff":
        head = f"diff --git a/src/x b/src/x\n--- a/src/x\n+++ b/src/x\n@@ -10,0 +11,{len(body)} @@\n"
        added = "".join("+" + line + "\n" for line in body)
        return (
            "Fix the retry logic\n\n" + head + added,
            len("Fix the retry logic\n\n" + head),
            len("Fix the retry logic\n\n" + head + added),
        )
    if name == "numbered listing":
        first = rng.randint(1, 400)
        listing = "".join(f"{n:>5} | {line}\n" for n, line in enumerate(body, first))
        return "From my editor:\n" + listing + "\nwhy?\n", len("From my editor:\n"), len("From my editor:\n" + listing)
    if name == "HTML page":
        head = "<html><body><p>Stack Overflow question</p><pre><code>"
        escaped = html.escape(code)
        return head + escaped + "</code></pre></body></html>", len(head), len(head) + len(escaped)
    if name == "one look-alike character":
        # One character of the whole copy swapped: decoding changes one line, and the copy
        # runs on for up to 60 lines around it.
        places = [i for i, c in enumerate(code) if c in _LOOK_ALIKES]
        if places:
            at = rng.choice(places)
            code = code[:at] + _LOOK_ALIKES[code[at]] + code[at + 1 :]
        return prompt(code[:-1].split("\n"), rng)
    laced = "".join(c + ("\u200b" if i % 5 == 4 else "") for i, c in enumerate(code))
    laced = re.sub("a", lambda m: "\u0430" if m.start() % 3 == 0 else "a", laced)
    return "see:\n" + laced + "\nthanks", len("see:\n"), len("see:\n" + laced)


def redacted_share(result: leakguard.ScanResult, text: str, language: str, first: int, last: int, offset: int) -> float:
    """Share of the pasted code's token characters a redaction removes.

    Tokens come from the whole file's index-side normalisation, so comment and docstring
    lines of the window (a window may start inside a comment) do not count as code.
    ``first``/``last`` are the window's 0-based line range, ``offset`` where it starts in
    the prompt.
    """
    tokens = normalise_source(text, language, _ALPHABET).tokens
    with_ends = text.splitlines(keepends=True)
    line_start = [0]
    for line in with_ends:
        line_start.append(line_start[-1] + len(line))
    joined_start = [0]
    for line in text.splitlines()[first:last]:
        joined_start.append(joined_start[-1] + len(line) + 1)
    total = covered = 0
    spans = zip(tokens.start.tolist(), tokens.end.tolist(), tokens.line.tolist(), tokens.end_line.tolist(), strict=True)
    for start, end, line, end_line in spans:
        if not (first < line and end_line <= last):
            continue  # only tokens wholly inside the window (a long string may run past it)
        at = offset + joined_start[line - 1 - first] + start - line_start[line - 1]
        total += end - start
        if any(f.start <= at and at + end - start <= f.end for f in result.findings):
            covered += end - start
    return covered / total if total else 1.0


def clean_lines(result: leakguard.ScanResult, text: str, code_start: int, code_end: int) -> bool:
    """Whether redacting ``result`` leaves no token of the pasted code on a line a finding spans.

    Tokens are the scan side's, over the text as sent; only those inside the pasted code
    (``code_start``..``code_end``) count, so prose on the same line as a fence does not.
    """
    tokens = lex(text, _ALPHABET)
    spanned = set()
    for finding in result.findings:
        spanned.update(range(finding.text_start_line, finding.text_end_line + 1))
    for start, end, line in zip(tokens.start.tolist(), tokens.end.tolist(), tokens.line.tolist(), strict=True):
        inside = line in spanned and code_start <= start and end <= code_end
        if inside and not any(f.start <= start and end <= f.end for f in result.findings):
            return False
    return True


def windows(text: str, language: str, rng: random.Random, count: int) -> list[tuple[int, int, int]]:
    """Random windows of 8-60 lines holding at least MIN_CODE_TOKENS tokens of code.

    Code tokens are counted on the index side (tree-sitter), so a window lying inside a
    comment block or a long string literal does not count as code.
    """
    lines = text.splitlines()
    code_lines = normalise_source(text, language, _ALPHABET).tokens.line
    found = []
    for _ in range(count * 4):
        if len(found) >= count or len(lines) < 8:
            break
        size = rng.randint(8, min(60, len(lines)))
        start = rng.randint(0, len(lines) - size)
        inside = np.count_nonzero((code_lines > start) & (code_lines <= start + size))
        if inside >= MIN_CODE_TOKENS:
            found.append((start, start + size, int(inside)))
    return found


def names_the_copy(
    finding: leakguard.Finding, relative: str, start: int, end: int, texts: dict[str, list[str]]
) -> bool:
    """Whether a finding names where the window came from.

    The source file with overlapping lines is right; so is any other indexed place holding
    the same code (packages ship the same module twice, files repeat blocks): at least half
    of the named lines must then be lines of the window, compared without indentation.
    """
    if finding.path == relative and finding.start_line <= end and finding.end_line >= start + 1:
        return True
    window = {line.strip() for line in texts[relative][start:end] if line.strip()}
    named = [line.strip() for line in texts[finding.path][finding.start_line - 1 : finding.end_line] if line.strip()]
    return bool(named) and sum(line in window for line in named) >= len(named) / 2


def run(
    per_file: int,
    files_per_language: int,
    build: dict[str, int],
    policy: leakguard.ScanPolicy,
    allow: tuple[Path, ...] = (),
    with_peers: bool = True,
    stdlib: Path = STDLIB,
) -> dict[str, object]:
    rng = random.Random(20261124)
    corpus = files_by_language(limit=files_per_language * 2, min_bytes=1500)
    work = Path(tempfile.mkdtemp(prefix="leakguard-quality-"))
    indexed: list[tuple[str, str, Path]] = []
    unrelated: list[tuple[str, Path]] = []
    for language, files in corpus.items():
        for n, path in enumerate(files):
            if any(part in INDEXED for part in path.parts):
                relative = f"{language}/{n:03d}_{path.name}"
                (work / language).mkdir(exist_ok=True)
                shutil.copyfile(path, work / relative)
                indexed.append((language, relative, path))
            else:
                unrelated.append((language, path))
    started = time.perf_counter()
    index = leakguard.build_index([work], **build)
    for public in allow:
        index = index.without(public_code(public, index.params))
    build_seconds = time.perf_counter() - started
    # Chance matches grow with the index: the same negatives are also scanned against the
    # indexed files plus Python's standard library (about 1.7 million more fingerprints).
    larger = leakguard.build_index([work, stdlib], **build)
    for public in allow:
        larger = larger.without(public_code(public, larger.params))
    shutil.rmtree(work)
    found: dict[str, list[bool]] = defaultdict(list)
    attributed: dict[str, list[bool]] = defaultdict(list)
    by_language: dict[tuple[str, str], list[bool]] = defaultdict(list)
    renamed_small: list[bool] = []
    misses: list[str] = []
    wrap_rng = random.Random(7)  # its own stream, so adding wrappings leaves the other cases unchanged
    # A wrapping added later draws from a stream of its own, leaving the others' draws as they were.
    wrap_streams = {"one look-alike character": random.Random(17)}
    part_rng = random.Random(11)  # likewise for the edited and partial cases
    both_rng = random.Random(13)  # and for the renamed and edited ones
    own_streams = {"edited": part_rng, "partial": part_rng, "renamed and edited": both_rng}
    peer_cases: list[tuple[str, Item]] = []
    peer_negatives: list[Item] = []
    wrapped_found: dict[str, list[bool]] = defaultdict(list)
    wrapped_inside: dict[str, list[bool]] = defaultdict(list)
    coverage: dict[str, list[float]] = defaultdict(list)
    whole_lines: dict[str, list[bool]] = defaultdict(list)
    scan_seconds = 0.0
    present = set(index.paths)  # generated and minified files are (rightly) not indexed
    texts = {relative: path.read_text(encoding="utf-8", errors="replace").splitlines() for _, relative, path in indexed}
    for language, relative, path in indexed:
        if relative not in present:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        code_lines = normalise_source(text, language, _ALPHABET).tokens.line
        for window_start, window_end, tokens in windows(text, language, rng, per_file):
            for name in TRANSFORMS:
                start, end = window_start, window_end
                if name == "partial":
                    piece = fragment(code_lines, start, end, part_rng)
                    if piece is None:
                        continue
                    start, end = piece
                if name == "renamed and edited" and tokens < 50:
                    continue  # as for renamed copies, small ones are measured apart (see below)
                own = own_streams.get(name, rng)
                body = transform(name, lines[start:end], language, own)
                message, code_start, code_end = prompt(body, own)
                t0 = time.perf_counter()
                result = index.scan(message, policy)
                scan_seconds += time.perf_counter() - t0
                if result.is_leak:
                    whole_lines[name].append(clean_lines(result, message, code_start, code_end))
                    if not whole_lines[name][-1]:
                        misses.append(f"## REDACTION LEFT A TOKEN {name} {relative} lines {start + 1}-{end}\n{message}")
                if name == "renamed" and tokens < 50:
                    renamed_small.append(result.is_leak)
                    continue
                found[name].append(result.is_leak)
                peer_cases.append((name, (f"prompt{path.suffix}", message)))
                if name == "verbatim":
                    for wrapping in WRAPPINGS:
                        stream = wrap_streams.get(wrapping, wrap_rng)
                        wrapped, code_start, code_end = wrap(wrapping, body, stream)
                        outcome = index.scan(wrapped, policy)
                        wrapped_found[wrapping].append(outcome.is_leak)
                        if outcome.is_leak:
                            wrapped_inside[wrapping].append(
                                all(code_start <= f.start and f.end <= code_end for f in outcome.findings)
                            )
                        if wrapping in REDACTION_MEASURED:
                            share = redacted_share(outcome, text, language, start, end, code_start)
                            coverage[wrapping].append(share)
                if not result.is_leak:
                    misses.append(f"## {name} {relative} lines {start + 1}-{end} score {result.score:.2f}\n{message}")
                by_language[(language, name)].append(result.is_leak)
                if result.is_leak:
                    attributed[name].append(
                        any(names_the_copy(f, relative, start, end, texts) for f in result.findings)
                    )
    negatives: dict[str, list[bool]] = defaultdict(list)
    larger_name = (
        f"unrelated code, against the index plus Python's {stdlib.name} "
        f"({larger.stats['fingerprints']:,} fingerprints in all)"
    )
    negatives["unrelated code"] = []
    for language, path in unrelated:
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        for start, end, _ in windows(text, language, rng, per_file * 2):
            message, _, _ = prompt(lines[start:end], rng)
            outcome = index.scan(message, policy)
            negatives["unrelated code"].append(outcome.is_leak)
            if outcome.is_leak:
                named = ", ".join(f"{f.path}:{f.start_line}-{f.end_line} ({f.exact_tokens}/{f.matched_tokens} exact)"
                                  for f in outcome.findings)  # fmt: skip
                misses.append(f"## FALSE ALARM {path} lines {start + 1}-{end} -> {named}\n{message}")
            peer_negatives.append((f"prompt{path.suffix}", message))
            bigger = larger.scan(message, policy)
            negatives[larger_name].append(bigger.is_leak)
            if bigger.is_leak:
                named = ", ".join(f"{f.path}:{f.start_line}-{f.end_line} ({f.exact_tokens}/{f.matched_tokens} exact)"
                                  for f in bigger.findings)  # fmt: skip
                misses.append(f"## FALSE ALARM (larger index) {path} lines {start + 1}-{end} -> {named}\n{message}")
    licences = sorted((SHARED / "spdx-licenses" / "text").glob("*.txt")) if SHARED.is_dir() else []
    for path in licences[: per_file * 60]:
        for paragraph in path.read_text(errors="replace").split("\n\n")[:3]:
            if len(paragraph) > 200:
                outcome = index.scan(paragraph, policy)
                negatives["prose (SPDX licences)"].append(outcome.is_leak)
                if outcome.is_leak:
                    named = ", ".join(f"{f.path}:{f.start_line}-{f.end_line}" for f in outcome.findings)
                    misses.append(f"## FALSE ALARM {path.name} -> {named}\n{paragraph}")
    peer_results: dict[str, dict[str, object]] = {}
    if with_peers:
        references = [(Path(relative).name, "\n".join(texts[relative]) + "\n") for _, relative, _ in indexed
                      if relative in present]  # fmt: skip
        alarms = negatives["unrelated code"]
        peer_results = peers_by_transform(references, peer_cases, peer_negatives, sum(alarms) / max(1, len(alarms)))
    return {
        "peers": peer_results,
        "stats": index.stats,
        "build_seconds": build_seconds,
        "scan_seconds": scan_seconds,
        "found": found,
        "attributed": attributed,
        "by_language": by_language,
        "renamed_small": renamed_small,
        "negatives": negatives,
        "misses": misses,
        "wrapped_found": wrapped_found,
        "wrapped_inside": wrapped_inside,
        "coverage": coverage,
        "whole_lines": whole_lines,
    }


def peers_by_transform(
    references: list[Item], cases: list[tuple[str, Item]], negatives: list[Item], rate: float
) -> dict[str, dict[str, object]]:
    """Each peer's verdicts (see :func:`peers.peers_at_rate`) grouped by transformation."""
    results = peers_at_rate(references, [item for _, item in cases], negatives, rate)
    for result in results.values():
        per: dict[str, list[bool]] = defaultdict(list)
        for (transform_name, _), verdict in zip(cases, result.get("verdicts", []), strict=False):  # type: ignore[call-overload]
            per[transform_name].append(verdict)
        result["found"] = per
    return results


def table(report: dict[str, object]) -> str:
    found = report["found"]
    attributed = report["attributed"]
    negatives = report["negatives"]
    by_language = report["by_language"]
    assert isinstance(found, dict) and isinstance(attributed, dict) and isinstance(negatives, dict)
    assert isinstance(by_language, dict)
    peers = report["peers"]
    assert isinstance(peers, dict)
    names = [name for name, result in peers.items() if "error" not in result]
    head = "| transformation | recall | right file and lines |" + "".join(f" {n} recall |" for n in names)
    rows = [head, "|---|---|---|" + "---|" * len(names)]
    for name in TRANSFORMS:
        label = f"{name} (>= 50 code tokens)" if name.startswith("renamed") else name
        cells = "".join(f" {percent(peers[n]['found'].get(name, []))} |" for n in names)
        rows.append(f"| {label} | {percent(found.get(name, []))} | {percent(attributed.get(name, []))} |{cells}")
    small = report["renamed_small"]
    assert isinstance(small, list)
    rows.append(f"| renamed (< 50 code tokens) | {percent(small)} | |" + " |" * len(names))
    if peers:
        alarms = negatives.get("unrelated code", [])
        rows += [
            "",
            f"Peers are held to leakguard's false-alarm rate on the same unrelated code ({percent(alarms)}), each with "
            "its own fingerprints and defaults and the measure that finds most at that rate: "
            + "; ".join(
                f"{n}: {r['error']}"
                if "error" in r
                else f"{n}: {r['measure']} >= {float(r['threshold']):.3g}, false alarms {percent(r['alarms'])}, "
                f"{float(r['seconds']):.0f} s"
                for n, r in peers.items()
            )
            + ".",
        ]
    wrapped_found, wrapped_inside = report["wrapped_found"], report["wrapped_inside"]
    assert isinstance(wrapped_found, dict) and isinstance(wrapped_inside, dict)
    rows += ["", "| wrapping (verbatim code) | recall | every finding inside the wrapped code |", "|---|---|---|"]
    rows += [f"| {w} | {percent(wrapped_found.get(w, []))} | {percent(wrapped_inside.get(w, []))} |" for w in WRAPPINGS]
    coverages = report["coverage"]
    assert isinstance(coverages, dict)
    for wrapping, what in REDACTION_MEASURED.items():
        coverage = coverages.get(wrapping, [])
        if coverage:
            mean = 100 * sum(coverage) / len(coverage)
            rows += [
                "",
                f"Redaction of {what} in a markdown prompt removes {mean:.1f}% of the code's token "
                f"characters on average; all of them in {percent([c >= 0.999 for c in coverage])} of the cases, "
                f"at least 99% in {percent([c >= 0.99 for c in coverage])}.",
            ]
    whole_lines = report["whole_lines"]
    assert isinstance(whole_lines, dict)
    rows += [
        "",
        "Redacted copies (markdown prompt; every copy found, renamed ones of any size) that keep no token of the "
        "code on the lines their findings span: "
        + "; ".join(f"{name} {percent(whole_lines.get(name, []))}" for name in TRANSFORMS)
        + ".",
    ]
    rows += ["", "| negatives | false alarms |", "|---|---|"]
    rows += [f"| {name} | {percent(values)} |" for name, values in negatives.items()]
    languages = sorted({language for language, _ in by_language})
    rows += ["", "| language | " + " | ".join(TRANSFORMS) + " |", "|---" * (len(TRANSFORMS) + 1) + "|"]
    for language in languages:
        cells = [percent(by_language.get((language, name), [])).split(" ")[0] for name in TRANSFORMS]
        rows.append(f"| {language} | " + " | ".join(cells) + " |")
    stats = report["stats"]
    assert isinstance(stats, dict)
    rows += [
        "",
        f"Index: {stats['files']} files, {stats['lines']} lines, {stats['fingerprints']} fingerprints; "
        f"built in {report['build_seconds']:.1f} s; scans took {report['scan_seconds']:.1f} s in all.",
    ]
    return "\n".join(rows)


def write_results(text: str, command: str) -> None:
    from results import write_section

    write_section(
        "quality", "Detection quality", f"Command: `{command}` ({time.strftime('%Y-%m-%d')}, 2 cores)\n\n{text}"
    )


def main() -> int:
    from results import fixed_hash_seed

    fixed_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few cases per language")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument(
        "--misses", type=Path, help="write every missed case and every false alarm (the scanned text) to this file"
    )
    calibration = parser.add_argument_group("calibration (defaults are the library's)")
    calibration.add_argument("--k", type=int, default=None)
    calibration.add_argument("--window", type=int, default=None)
    calibration.add_argument("--threshold", type=float, default=None)
    calibration.add_argument("--renamed-weight", type=float, default=None)
    calibration.add_argument("--no-near", action="store_true", help="disable MinHash near-duplicate evidence")
    parser.add_argument("--no-peers", action="store_true", help="skip copydetect, SCANOSS and Dolos")
    calibration.add_argument(
        "--allow", type=Path, action="append", default=[], help="public set or code to take out of the index"
    )
    args = parser.parse_args()
    per_file, files = (1, 4) if args.smoke else (3, 40)
    build = {name: value for name, value in (("k", args.k), ("window", args.window)) if value is not None}
    overrides = {
        name: value
        for name, value in (("threshold", args.threshold), ("renamed_weight", args.renamed_weight))
        if value is not None
    }
    policy = leakguard.ScanPolicy(**overrides, near_duplicates=not args.no_near)  # type: ignore[arg-type]
    # The smoke run adds one small package of the standard library, not all of it.
    stdlib = Path(json.__file__).parent if args.smoke else STDLIB
    report = run(per_file, files, build, policy, tuple(args.allow), with_peers=not args.no_peers, stdlib=stdlib)
    text = table(report)
    if args.misses:
        misses = report["misses"]
        assert isinstance(misses, list)
        args.misses.write_text("\n\n".join(misses))
    print(text)
    if args.write:
        write_results(text, "python benchmarks/quality.py" + (" --smoke" if args.smoke else "") + " --write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
