"""False alarms and recall at a company's scale: large indexes, same-ecosystem negatives.

The pool of ``benchmarks/ecosystems.py`` (real packages from Debian, npm, Maven Central,
PyPI and the Go module proxy, every supported language) is split by package: the
``indexed`` packages stand for the company's code, the ``negatives`` packages for the
independent code its engineers paste, and the ``background`` packages (what the shipped
background model is built from) are used for nothing here. Nothing is tuned per case: every
draw comes from a fixed seed, and the negative packages are never looked at when choosing
defaults.

* **Indexes** of about 50 MB, 200 MB and 500 MB of source: the indexed packages in a fixed
  shuffled order, each index a prefix of the next, built with the library's defaults.
* **Negatives**: snippets of 8 to 60 lines (at least 40 code tokens) of the negative
  packages, the same number per language (a language with fewer packages gives what it
  has), a quarter of them from the top of a file (imports, licence headers, package
  lines); each is scanned plain, in a markdown prompt and inside a JSON chat request. Each
  snippet is labelled by what it is (test file, generated code, literal table, file head)
  for the per-class table. SPDX licence paragraphs (``../shared``) are the prose negatives.
* **A flagged negative that really holds indexed code** (packages vendor, fork and copy
  each other, and some are published on two registries) is not a false alarm: when the
  snippet shares ``REAL_COPY_LINES`` identical lines with the lines a finding names, or its
  whole file is a copy of the named file (see :func:`real_copy`), it is counted apart as a
  real copy; ``--misses`` lists every false alarm with both texts' places for anyone to
  check.
* **Recall on the largest index**: windows of indexed files under the transformations of
  ``benchmarks/quality.py`` (markdown prompt), verbatim code in every wrapping, whether the
  right file and lines are named, and the share of a copy's token characters redaction
  removes.
* **SCANOSS winnowing** is held to leakguard's false-alarm rate on the same negatives,
  against the same largest index's files. copydetect and Dolos compare each query with
  each reference file and do not finish on half a gigabyte; they are measured beside it in
  ``quality.py``.

    python benchmarks/scale.py                 # full run (about 25 minutes on 2 cores)
    python benchmarks/scale.py --smoke         # small indexes, a few hundred snippets (CI)
    python benchmarks/scale.py --write         # also update RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

import ecosystems  # noqa: E402
import quality  # noqa: E402
from corpus_files import SHARED  # noqa: E402
from results import percent  # noqa: E402

import leakguard  # noqa: E402
from leakguard.normalise.alphabet import NUM, STR, Alphabet  # noqa: E402
from leakguard.normalise.languages import EXTENSIONS  # noqa: E402
from leakguard.normalise.lexer import lex  # noqa: E402

_ALPHABET = Alphabet()
SIZES_MB = (50, 200, 500)
NEGATIVE_WRAPPINGS = ("plain", "markdown prompt", "JSON chat request")
REAL_COPY_LINES = 8
COPY_FILE_LINES = 20
COPY_FILE_SHARE = 0.6
_GENERATED = re.compile(r"generated|do not edit", re.I)
_TEST = re.compile(r"(^|[/_.-])(tests?|spec|specs|__tests__|testing)([/_.-]|$)", re.I)


@dataclass(frozen=True)
class Snippet:
    language: str
    path: Path
    start: int
    end: int
    kind: str
    lines: tuple[str, ...]


def wrap_negative(name: str, lines: tuple[str, ...], rng: random.Random) -> str:
    code = "\n".join(lines) + "\n"
    if name == "plain":
        return code
    if name == "markdown prompt":
        return quality.prompt(list(lines), rng)[0]
    ask = rng.choice(["Can you refactor this?", "Why does this fail?", "Add tests for this:"])
    body = {"model": "gpt-4o", "temperature": 0.2,
            "messages": [{"role": "system", "content": "You are a helpful coding assistant."},
                         {"role": "user", "content": f"{ask}\n\n```\n{code}```"}]}  # fmt: skip
    return json.dumps(body)


def _kind(path: Path, text: str, lines: tuple[str, ...], start: int) -> str:
    """What a snippet is, for the per-class table (the first that applies)."""
    if _GENERATED.search(text[:2000]):
        return "generated code"
    if _TEST.search(path.as_posix()):
        return "test file"
    tokens = lex("\n".join(lines), _ALPHABET)
    literals = {_ALPHABET.symbol(STR), _ALPHABET.symbol(NUM)}
    if len(tokens) and sum(int(v) in literals for v in tokens.abstract.tolist()) >= 0.4 * len(tokens):
        return "literal table"
    if start == 0:
        return "file head"
    return "other code"


def draw_negatives(count: int, seed: int = 20261207) -> list[Snippet]:
    """``count`` snippets of the negative packages, at most one a file, spread evenly over
    the languages (a language with fewer files gives what it has, the others the rest) and,
    within a language, over its packages in turn (a large package does not crowd out the
    small ones)."""
    rng = random.Random(seed)
    files: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for package in ecosystems.packages("negatives"):
        for path in sorted(package.path.rglob("*")):
            language = EXTENSIONS.get(path.suffix.lower())
            if language and path.is_file() and 1000 <= path.stat().st_size <= 200_000:
                files[language][package.name].append(path)
    order = {language: _round_robin(by_package, rng) for language, by_package in files.items()}
    out: list[Snippet] = []
    languages = sorted(order, key=lambda language: (len(order[language]), language))
    for n, language in enumerate(languages):
        share = (count - len(out)) // (len(languages) - n)
        taken = 0
        for path in order[language]:
            if taken >= share:
                break
            snippet = _snippet(language, path, rng)
            if snippet is not None:
                out.append(snippet)
                taken += 1
    return out


def _round_robin(by_package: dict[str, list[Path]], rng: random.Random) -> list[Path]:
    """Every file once: a random file of each package in turn, packages in a random order."""
    queues = [rng.sample(paths, len(paths)) for _, paths in sorted(by_package.items())]
    rng.shuffle(queues)
    out: list[Path] = []
    while queues:
        out += [queue.pop() for queue in queues]
        queues = [queue for queue in queues if queue]
    return out


def _snippet(language: str, path: Path, rng: random.Random) -> Snippet | None:
    """A window of the file: a quarter of the time its first lines, else anywhere with code."""
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    if rng.random() < 0.25:
        found = [(0, rng.randint(8, min(60, len(lines))), 0)] if len(lines) >= 8 else []
    else:
        found = quality.windows(text, language, rng, 1)
    for start, end, _ in found:
        body = tuple(lines[start:end])
        if sum(len(line.strip()) > 0 for line in body) >= 6:
            return Snippet(language, path, start, end, _kind(path, text, body, start), body)
    return None


def index_roots(limit_mb: float) -> list[Path]:
    """Indexed packages, in a fixed shuffled order, until ``limit_mb`` of source."""
    order = ecosystems.packages("indexed")
    random.Random(5).shuffle(order)
    roots, total = [], 0
    for package in order:
        if total >= limit_mb * 1e6:
            break
        size = sum(p.stat().st_size for p in package.path.rglob("*") if p.is_file())
        if size:
            roots.append(package.path)
            total += size
    return roots


def real_copy(finding: leakguard.Finding, snippet: Snippet, files: dict[str, Path]) -> bool:
    """Whether a flagged snippet really holds indexed code (a vendored copy, a fork, one
    package published on two registries, a generated asset copied into another package's
    docs): not a false alarm. Two tests, on lines of at least 12 characters compared
    without indentation (:func:`_lines`):

    * the snippet and the lines the finding names share ``REAL_COPY_LINES`` lines;
    * the snippet's whole file is a copy of the named file: ``COPY_FILE_SHARE`` of its
      distinct lines, and at least ``COPY_FILE_LINES`` of them, are lines of that file
      (a small file of one template's boilerplate is not a copy).
    """
    path = files.get(finding.path)
    if path is None:
        return False
    named = _lines(path.read_text(encoding="utf-8", errors="replace").splitlines())
    window = named[finding.start_line - 1 : finding.end_line]
    mine = set(_lines(list(snippet.lines)))
    if sum(line in mine for line in window if line) >= REAL_COPY_LINES:
        return True
    whole = {line for line in _lines(snippet.path.read_text(encoding="utf-8", errors="replace").splitlines()) if line}
    shared = len(whole & set(named))
    return shared >= COPY_FILE_LINES and shared >= COPY_FILE_SHARE * len(whole)


def _lines(lines: list[str]) -> list[str]:
    """Each line stripped, or "" when shorter than 12 characters (a brace, ``end``, ``}``)."""
    return [line.strip() if len(line.strip()) >= 12 else "" for line in lines]


def file_map(roots: list[Path]) -> dict[str, Path]:
    """The index's name of every file under ``roots`` (see ``iter_source_files``)."""
    from leakguard.index.walk import iter_source_files

    return {source.relative: source.path for source in iter_source_files(roots)}


def scan_negatives(
    index: leakguard.Index, snippets: list[Snippet], roots: list[Path], misses: list[str]
) -> dict[str, object]:
    files = file_map(roots)
    alarms: dict[str, list[bool]] = defaultdict(list)
    scores: dict[str, list[float]] = defaultdict(list)  # every negative's score, for the trade-off
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_language: dict[str, list[bool]] = defaultdict(list)
    copies = 0
    copied: set[int] = set()  # snippets that really hold indexed code (not negatives)
    started = time.perf_counter()
    for n, snippet in enumerate(snippets):
        rng = random.Random(n)
        flagged_any = False
        for wrapping in NEGATIVE_WRAPPINGS:
            text = wrap_negative(wrapping, snippet.lines, rng)
            result = index.scan(text)
            flagged = result.is_leak
            if flagged and any(real_copy(f, snippet, files) for f in result.findings):
                copies += wrapping == "plain"
                copied.add(n)
                continue  # really holds indexed code: not a negative
            alarms[wrapping].append(flagged)
            scores[wrapping].append(result.score)
            flagged_any |= flagged
            if flagged:
                named = "; ".join(f"{f.path}:{f.start_line}-{f.end_line} score {f.score:.2f} "
                                  f"({f.exact_tokens}/{f.matched_tokens} exact)" for f in result.findings)  # fmt: skip
                misses.append(f"## FALSE ALARM ({wrapping}, {snippet.kind}) {snippet.path} "
                              f"lines {snippet.start + 1}-{snippet.end} -> {named}\n{text}")  # fmt: skip
        by_kind[snippet.kind].append(flagged_any)
        by_language[snippet.language].append(flagged_any)
    return {"alarms": alarms, "scores": scores, "by_kind": by_kind, "by_language": by_language, "copies": copies,
            "copied": copied, "seconds": time.perf_counter() - started}  # fmt: skip


def prose_alarms(index: leakguard.Index, limit: int) -> list[bool]:
    licences = sorted((SHARED / "spdx-licenses" / "text").glob("*.txt")) if SHARED.is_dir() else []
    out = []
    for path in licences[:limit]:
        for paragraph in path.read_text(errors="replace").split("\n\n")[:3]:
            if len(paragraph) > 200:
                out.append(index.scan(paragraph).is_leak)
    return out


def draw_positives(
    index: leakguard.Index, roots: list[Path], per_language: int, seed: int = 11
) -> list[tuple[str, str, Path, int, int]]:
    """(language, index name, path, start, end) windows of indexed files (those the index
    holds: generated and minified files are rightly left out), evenly per language and, as
    for the negatives, over the packages in turn: one package's thousands of generated
    files do not make a language's copies."""
    rng = random.Random(seed)
    present = set(index.paths)
    files: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    names: dict[Path, str] = {}
    for relative, path in sorted(file_map(roots).items()):
        language = EXTENSIONS.get(path.suffix.lower())
        if language and relative in present and 1500 <= path.stat().st_size <= 200_000:
            files[language][relative.split("/")[0]].append(path)
            names[path] = relative
    out = []
    for language in sorted(files):
        taken = 0
        for path in _round_robin(files[language], rng):
            if taken >= per_language:
                break
            text = path.read_text(encoding="utf-8", errors="replace")
            for start, end, _ in quality.windows(text, language, rng, 1):
                out.append((language, names[path], path, start, end))
                taken += 1
    return out


class _Lines(dict[str, list[str]]):
    """The lines of any indexed file by its index name, read when first asked for."""

    def __init__(self, files: dict[str, Path]) -> None:
        super().__init__()
        self.files = files

    def __missing__(self, name: str) -> list[str]:
        lines = self.files[name].read_text(encoding="utf-8", errors="replace").splitlines()
        self[name] = lines
        return lines


def recall(
    index: leakguard.Index,
    positives: list[tuple[str, str, Path, int, int]],
    files: dict[str, Path],
    misses: list[str],
    policy: leakguard.ScanPolicy | None = None,
) -> dict[str, object]:
    """Recall per transformation and wrapping, attribution and redaction on ``index``."""
    from leakguard.normalise.syntax import normalise_source

    found: dict[str, list[bool]] = defaultdict(list)
    scores: dict[str, list[float]] = defaultdict(list)
    named: dict[str, list[bool]] = defaultdict(list)
    wrapped: dict[str, list[bool]] = defaultdict(list)
    coverage: list[float] = []
    cases: list[tuple[str, str]] = []  # (transformation, markdown prompt) for the peer
    texts = _Lines(files)
    for n, (language, relative, path, window_start, window_end) in enumerate(positives):
        rng = random.Random(1000 + n)
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        texts[relative] = lines
        code_lines = normalise_source(text, language, _ALPHABET).tokens.line
        tokens = int(((code_lines > window_start) & (code_lines <= window_end)).sum())
        for name in quality.TRANSFORMS:
            start, end = window_start, window_end
            if name == "partial":
                piece = quality.fragment(code_lines, start, end, rng)
                if piece is None:
                    continue
                start, end = piece
            if name.startswith("renamed") and tokens < 50:
                continue
            body = quality.transform(name, lines[start:end], language, rng)
            message, code_start, _ = quality.prompt(body, rng)
            result = index.scan(message, policy)
            found[name].append(result.is_leak)
            scores[name].append(result.score)
            cases.append((name, message))
            if not result.is_leak:
                misses.append(
                    f"## MISSED {name} {relative} lines {start + 1}-{end} score {result.score:.2f}\n{message}"
                )
                continue
            named[name].append(any(quality.names_the_copy(f, relative, start, end, texts) for f in result.findings))
            if name == "verbatim":
                coverage.append(quality.redacted_share(result, text, language, start, end, code_start))
                for wrapping in NEGATIVE_WRAPPINGS:
                    wrapped[wrapping].append(index.scan(wrap_negative(wrapping, tuple(body), rng)).is_leak)
    return {"found": found, "scores": scores, "named": named, "wrapped": wrapped, "coverage": coverage,
            "cases": cases}  # fmt: skip


class Scanoss:
    """SCANOSS's snippet fingerprints (WFP, see ``peers.scanoss_scores``) of every file of an
    index, as one sorted table: a query's best share with one file is a few array operations."""

    def __init__(self, paths: list[Path]) -> None:
        import numpy as np

        hashes, owners = [], []
        for number, path in enumerate(paths):
            values = self.fingerprints(path.read_text(encoding="utf-8", errors="replace"))
            hashes.append(values)
            owners.append(np.full(values.shape[0], number, dtype=np.int32))
        every = np.concatenate(hashes)
        order = every.argsort(kind="stable")
        self.hashes, self.owners = every[order], np.concatenate(owners)[order]

    @staticmethod
    def fingerprints(text: str) -> object:
        import _winnowing
        import numpy as np
        from crc32c import crc32c

        wfp = b"".join(_winnowing.compute_wfd(text.encode("utf-8"), crc32c)).decode()
        found = {int(part.split("=")[-1], 16) for line in wfp.splitlines() for part in line.split(",") if part}
        return np.unique(np.fromiter(found, dtype=np.uint64, count=len(found)))

    def scores(self, text: str) -> dict[str, float]:
        import numpy as np

        query = self.fingerprints(text)
        low = np.searchsorted(self.hashes, query, side="left")
        high = np.searchsorted(self.hashes, query, side="right")
        sizes = high - low
        if not sizes.sum():
            return {"shared": 0.0, "share": 0.0}
        rows = np.repeat(low, sizes) + (np.arange(sizes.sum()) - np.repeat(sizes.cumsum() - sizes, sizes))
        best = float(np.bincount(self.owners[rows]).max())
        return {"shared": best, "share": best / max(1, query.shape[0])}


def scanoss_at_rate(
    paths: list[Path], cases: list[tuple[str, str]], negatives: list[str], rate: float
) -> dict[str, object]:
    from peers import best_at_rate

    try:
        started = time.perf_counter()
        table = Scanoss(paths)
    except ImportError as exc:
        return {"error": f"not installed ({exc})"}
    scores = [table.scores(text) for _, text in cases] + [table.scores(text) for text in negatives]
    best = best_at_rate(scores, len(cases), rate)
    per: dict[str, list[bool]] = defaultdict(list)
    for (name, _), verdict in zip(cases, best["verdicts"], strict=True):  # type: ignore[call-overload]
        per[name].append(verdict)
    return {**best, "found": per, "seconds": time.perf_counter() - started}


#: Thresholds tried in the trade-off table, as multiples of the default one.
MULTIPLES = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0)
TARGET_ALARMS = 0.001


def trade_off(report: dict[str, object]) -> list[str]:
    """False alarms and recall on the largest index if the threshold were a multiple ``m``
    of the default: a case whose score is at least ``1 - 2**-m`` has evidence of at least
    ``m`` thresholds (the score is ``1 - 2**(-evidence / threshold)``)."""
    negatives = report["curve"][-1]["scores"]["markdown prompt"]  # type: ignore[index]
    positives = report["recall"]["scores"]  # type: ignore[index]
    names = [name for name in quality.TRANSFORMS if positives.get(name)]

    def share(values: list[float], cut: float) -> str:
        return percent([value >= cut for value in values])

    rows = [
        "| threshold | score cut | false alarms (markdown prompt) | " + " | ".join(names) + " |",
        "|---" * (len(names) + 3) + "|",
    ]
    for multiple in MULTIPLES:
        cut = 1 - 2**-multiple
        cells = " | ".join(share(positives[name], cut) for name in names)
        rows.append(f"| {multiple:g}x | {cut:.3f} | {share(negatives, cut)} | {cells} |")
    ranked = sorted(negatives, reverse=True)
    allowed = int(TARGET_ALARMS * len(ranked))
    # The lowest cut with at most ``allowed`` negatives at or above it.
    cut = ranked[allowed] + 1e-9 if allowed < len(ranked) else 0.0
    cells = ", ".join(f"{name} {share(positives[name], cut)}" for name in names)
    return [*rows, "", f"At {100 * TARGET_ALARMS:g}% false alarms (score cut {cut:.3f}) recall would be: {cells}."]


def table(report: dict[str, object]) -> str:
    curve = report["curve"]
    assert isinstance(curve, list)
    rows = ["| index | files | fingerprints | " + " | ".join(f"false alarms, {w}" for w in NEGATIVE_WRAPPINGS)
            + " | real copies set apart | scan time |", "|---" * (len(NEGATIVE_WRAPPINGS) + 5) + "|"]  # fmt: skip
    for point in curve:
        cells = " | ".join(percent(point["alarms"].get(w, [])) for w in NEGATIVE_WRAPPINGS)
        rows.append(f"| {point['mb']:.0f} MB of source | {point['files']:,} | {point['fingerprints']:,} | {cells} | "
                    f"{point['copies']} | {point['seconds']:.0f} s |")  # fmt: skip
    largest = curve[-1]
    rows += [
        "",
        f"Snippets: {report['snippets']:,} from {report['negative_packages']} packages, each in "
        f"{len(NEGATIVE_WRAPPINGS)} wrappings. Prose (SPDX licence paragraphs) on the largest index: "
        f"{percent(report['prose'])}.",
        "",
        "| kind of snippet (largest index, any wrapping) | false alarms |",
        "|---|---|",
    ]
    rows += [f"| {kind} | {percent(v)} |" for kind, v in sorted(largest["by_kind"].items())]
    rows += ["", "| language | false alarms (largest index, any wrapping) |", "|---|---|"]
    rows += [f"| {language} | {percent(v)} |" for language, v in sorted(largest["by_language"].items())]
    found = report["recall"]["found"]
    named = report["recall"]["named"]
    peer = report["peer"]
    peer_cell = "SCANOSS winnowing recall" if "error" not in peer else ""
    rows += ["", "Recall on the largest index (markdown prompt):", "",
             f"| transformation | recall | right file and lines | {peer_cell} |", "|---|---|---|---|"]  # fmt: skip
    for name in quality.TRANSFORMS:
        label = f"{name} (>= 50 code tokens)" if name.startswith("renamed") else name
        peer_value = percent(peer["found"].get(name, [])) if "error" not in peer else ""
        rows.append(f"| {label} | {percent(found.get(name, []))} | {percent(named.get(name, []))} | {peer_value} |")
    wrapped = report["recall"]["wrapped"]
    rows += ["", "| verbatim code, wrapping | recall |", "|---|---|"]
    rows += [f"| {w} | {percent(wrapped.get(w, []))} |" for w in NEGATIVE_WRAPPINGS]
    coverage = report["recall"]["coverage"]
    if coverage:
        mean = 100 * sum(coverage) / len(coverage)
        rows += ["", f"Redaction of verbatim copies (markdown prompt) removes {mean:.1f}% of the code's token "
                 "characters on average."]  # fmt: skip
    rows += ["", "The same cases against a higher threshold (largest index; from the scores of this run, without "
             "rescanning: a higher threshold also raises the floor of the fragments that add up, so the recall "
             "figures are an upper bound):", ""]  # fmt: skip
    rows += trade_off(report)
    if "error" in peer:
        rows += ["", f"SCANOSS winnowing: {peer['error']}."]
    else:
        rows += ["", f"SCANOSS winnowing is held to leakguard's false-alarm rate on the markdown negatives "
                 f"({percent(peer['alarms'])} at {peer['measure']} >= {float(peer['threshold']):.3g}; "
                 f"{float(peer['seconds']):.0f} s)."]  # fmt: skip
    return "\n".join(rows)


def run(sizes: tuple[float, ...], negatives: int, per_language: int, misses: list[str]) -> dict[str, object]:
    snippets = draw_negatives(negatives)
    curve = []
    index = None
    roots: list[Path] = []
    for mb in sizes:
        roots = index_roots(mb)
        started = time.perf_counter()
        index = leakguard.build_index(roots)
        built = time.perf_counter() - started
        point = scan_negatives(index, snippets, roots, misses)
        source = sum(p.stat().st_size for root in roots for p in root.rglob("*") if p.is_file()) / 1e6
        curve.append({"mb": source, "files": index.stats["files"], "fingerprints": index.stats["fingerprints"],
                      "build": built, **point})  # fmt: skip
        print(
            f"{source:.0f} MB: {index.stats['files']} files, built in {built:.0f} s; "
            + ", ".join(f"{w} {percent(v)}" for w, v in point["alarms"].items()),
            file=sys.stderr,
        )  # type: ignore[attr-defined]
    assert index is not None
    positives = draw_positives(index, roots, per_language)
    files = file_map(roots)
    found = recall(index, positives, files, misses)
    # The peer's negatives are leakguard's: the same snippets, less those that really hold
    # indexed code on the largest index.
    copied = curve[-1]["copied"]
    markdown = [wrap_negative("markdown prompt", s.lines, random.Random(n)) for n, s in enumerate(snippets)
                if n not in copied]  # type: ignore[operator]  # fmt: skip
    alarms = curve[-1]["alarms"]["markdown prompt"]  # type: ignore[index]
    rate = sum(alarms) / max(1, len(alarms))
    paths = list(files.values())
    peer = scanoss_at_rate(paths, found["cases"], markdown, rate)  # type: ignore[arg-type]
    return {"curve": curve, "snippets": len(snippets), "recall": found, "peer": peer,
            "negative_packages": len({s.path.parts[len(ecosystems.ROOT.parts) + 1] for s in snippets}),
            "prose": prose_alarms(index, 60 if per_language > 20 else 10)}  # fmt: skip


def main() -> int:
    from results import command_line, publish

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="small indexes and few snippets (CI)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--misses", type=Path, help="write every false alarm and miss (the scanned text) here")
    parser.add_argument("--sizes", help="index sizes in MB, comma-separated (default 50,200,500)")
    args = parser.parse_args()
    if not ecosystems.packages("negatives") or not ecosystems.packages("indexed"):
        print("scale: no ecosystem packages (python benchmarks/ecosystems.py fetch); skipped", file=sys.stderr)
        return 0
    sizes = tuple(float(s) for s in args.sizes.split(",")) if args.sizes else ((2, 5) if args.smoke else SIZES_MB)
    negatives, per_language = (200, 4) if args.smoke else (10_000, 160)
    misses: list[str] = []
    report = run(sizes, negatives, per_language, misses)
    if args.misses:
        args.misses.write_text("\n\n".join(misses))
    command = command_line("scale.py", args.smoke, args.write)
    text = f"Command: `{command}` ({time.strftime('%Y-%m-%d')}, 2 cores)\n\n{table(report)}"
    publish("scale", "False alarms and recall at a company's scale", text, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
