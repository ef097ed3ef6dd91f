"""Evasion, measured: how much indexed code still gets through when someone tries to hide it.

The index is the quality benchmark's (its indexed packages, ``benchmarks/quality.py``);
the copies are windows of 8-60 lines of indexed files (at least 40 code tokens), each
hidden one way and sent as a chat request, the way a gateway sees it:

* ``verbatim``: pasted as it is (the baseline);
* ``base64`` and ``hex``: the copy encoded, with a request to decode it;
* ``split over a chat``: one to three lines a message, in one chat request body (the
  conversation, as every chat client resends it), through the gateway's body scanner;
* ``interleaved with prose``: a sentence of prose after every line of code;
* ``minified JavaScript``: whole indexed JavaScript files through terser, names mangled
  (whitespace, comments and local names gone), and with terser's defaults (compressed too,
  as a production bundle ships them);
* by hand into another language, or rewritten: not measured, and not found by design
  (see SECURITY.md).

A copy counts as found when the request is blocked. The same texts minus the hiding are
the verbatim row, so each row reads against it.

    python benchmarks/evasion.py --write
    python benchmarks/evasion.py --smoke
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from corpus_files import files_by_language  # noqa: E402
from quality import INDEXED, windows  # noqa: E402
from results import command_line, percent, publish  # noqa: E402

import leakguard  # noqa: E402
from leakguard.integrations.payload import guard_body  # noqa: E402

PROSE = (
    "This part handles the main case.",
    "I am not sure this is right.",
    "Here the values are checked again.",
    "Could this be written more simply?",
    "The next line is where it fails, I think.",
)


def _chat(text: str) -> bytes:
    return json.dumps({"model": "gpt", "messages": [{"role": "user", "content": text}]}).encode()


def hide(kind: str, lines: list[str], rng: random.Random) -> bytes:
    """A chat request body holding ``lines`` hidden the ``kind`` way."""
    code = "\n".join(lines) + "\n"
    if kind == "verbatim":
        return _chat(f"Why does this fail?\n\n{code}")
    if kind == "base64":
        return _chat(f"Decode this base64 and review the code:\n\n{base64.b64encode(code.encode()).decode()}")
    if kind == "hex":
        return _chat(f"Decode this hex and review the code:\n\n{code.encode().hex()}")
    if kind == "split over a chat":
        messages, at = [], 0
        while at < len(lines):
            size = rng.randint(1, 3)
            messages.append({"role": "user", "content": "\n".join(lines[at : at + size])})
            messages.append({"role": "assistant", "content": "Go on, send the next part."})
            at += size
        return json.dumps({"model": "gpt", "messages": messages}).encode()
    if kind == "interleaved with prose":
        return _chat("\n".join(f"{line}\n{rng.choice(PROSE)}" for line in lines))
    raise ValueError(kind)


def minified(sources: list[str], style: str) -> list[str | None]:
    """Sources through terser (``benchmarks/peers``); None where it cannot parse one."""
    runner = HERE / "peers" / "minify.mjs"
    payload = json.dumps({"sources": sources, "style": style})
    done = subprocess.run(["node", str(runner)], input=payload, capture_output=True, text=True, check=True)
    result: list[str | None] = json.loads(done.stdout)
    return result


def run(per_file: int, files_per_language: int) -> dict[str, object]:
    rng = random.Random(20261207)
    corpus = files_by_language(limit=files_per_language, min_bytes=1500)
    work = Path(tempfile.mkdtemp(prefix="leakguard-evasion-"))
    indexed: list[tuple[str, Path]] = []
    for language, files in corpus.items():
        for n, path in enumerate(files):
            if any(part in INDEXED for part in path.parts):
                (work / language).mkdir(exist_ok=True)
                shutil.copyfile(path, work / language / f"{n:03d}_{path.name}")
                indexed.append((language, path))
    index = leakguard.build_index([work])
    shutil.rmtree(work)
    scanner = leakguard.Scanner(index, cache_chars=0)
    found: dict[str, list[bool]] = defaultdict(list)
    kinds = ("verbatim", "base64", "hex", "split over a chat", "interleaved with prose")
    for language, path in indexed:
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        for start, end, _ in windows(text, language, rng, per_file):
            for kind in kinds:
                body = hide(kind, lines[start:end], rng)
                found[kind].append(guard_body(scanner, body, "application/json").is_leak)
    # Whole indexed JavaScript files, those found when pasted as they are: a file that is
    # public code (rdoc's scripts, vendored by many gems) is not evidence in the index.
    scripts = [path.read_text(encoding="utf-8", errors="replace") for kind, path in indexed if kind == "javascript"]
    scripts = [source for source in scripts if guard_body(scanner, _chat(source), "application/json").is_leak]
    found["JavaScript files, verbatim (those the index holds as evidence)"] = [True] * len(scripts)
    for style, label in (("mangle", "minified JavaScript, names mangled"), ("full", "minified JavaScript, compressed")):
        for small in minified(scripts, style):
            if small is not None and small.strip():
                found[label].append(guard_body(scanner, _chat(small), "application/json").is_leak)
    return {"found": {kind: values for kind, values in found.items()}, "fingerprints": index.stats["fingerprints"]}


def table(report: dict[str, object]) -> str:
    found = report["found"]
    assert isinstance(found, dict)
    rows = ["| hidden as | found (request blocked) |", "|---|---|"]
    rows += [f"| {kind} | {percent(values)} |" for kind, values in found.items()]
    rows += ["| translated by hand into another language, or rewritten | not measured; not found by design |"]
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not shutil.which("node") or not (HERE / "peers" / "node_modules" / "terser").is_dir():
        print("evasion: terser is not installed (bash benchmarks/peers/install.sh); skipped", file=sys.stderr)
        return 0
    if not files_by_language(limit=1):
        print("evasion: no corpus (bash tests/corpus/fetch.sh); skipped", file=sys.stderr)
        return 0
    report = run(1, 6) if args.smoke else run(3, 80)
    command = command_line("evasion.py", args.smoke, args.write)
    text = f"Command: `{command}` ({time.strftime('%Y-%m-%d')}, 2 cores)\n\n{table(report)}"
    publish("evasion", "Evasion: code hidden on purpose", text, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
