"""Recall on the labelled plagiarism sets of ``../shared/datasets``, leakguard beside its peers.

* IR-Plag (Karnalim et al.): the 7 original Java programs are indexed; each human-made
  copy is scanned, and recall is reported per obfuscation level L1-L6 (a copy counts when
  the verdict is a leak and a finding names its original). The 105 independent solutions
  of the same exercises share prompt strings and template code with the originals: their
  alert rate is reported, never tuned to.
* SPPlagiarise (Cheers et al.): the 5 base programs are indexed; every Java file of a
  sample of the tool-obfuscated variants (all renamed and reformatted, more by level) is
  scanned, and recall is reported per the variant's highest obfuscation level.
* Dolos samples: the localisation cases its README documents (copies, moved functions,
  moved lines, renamed variables, one copied function), and the independent solution B.

Peers (copydetect, SCANOSS winnowing, Dolos: see ``benchmarks/peers``) score the same
cases. Each gets the threshold that gives it the false-positive rate leakguard has on the
same negatives, 3,000 windows of unrelated real Java (the JDK's tool modules, which
``tests/corpus/fetch.sh`` unpacks beside the corpus; fewer windows could not measure a
rate of 0.1%), and its best measure at that rate. The sets are read in place; without
``../shared`` the benchmark says so and stops.

    python benchmarks/datasets.py            # full run, prints the table
    python benchmarks/datasets.py --smoke    # a few cases of each set (CI)
    python benchmarks/datasets.py --write    # also update benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from corpus_files import JAVA_NEGATIVES, SHARED, files_by_language  # noqa: E402
from peers import Item, peers_at_rate  # noqa: E402
from results import command_line, percent, publish  # noqa: E402

import leakguard  # noqa: E402

IRPLAG = SHARED / "irplag" / "IR-Plag-Dataset"
SPPLAG = SHARED / "spplagiarise"
DOLOS = SHARED / "dolos-samples" / "samples"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


NEGATIVES_SOURCE = "JDK 17 tool modules" if JAVA_NEGATIVES.is_dir() else "the corpus's Java"


def unrelated_java(count: int, rng: random.Random) -> list[Item]:
    """Windows of 10-60 lines of real Java from packages no set here comes from: the JDK's
    tool modules when ``tests/corpus/fetch.sh`` fetched them, else the corpus's Java."""
    if JAVA_NEGATIVES.is_dir():
        files = sorted(JAVA_NEGATIVES.rglob("*.java"))
    else:
        files = [p for p in files_by_language(limit=200)["java"] if SHARED not in p.parents]
    windows: list[Item] = []
    for _ in range(count * 5):
        if len(windows) >= count or not files:
            break
        lines = _read(rng.choice(files)).splitlines()
        if len(lines) < 12:
            continue
        size = rng.randint(10, min(60, len(lines)))
        start = rng.randint(0, len(lines) - size)
        windows.append(("snippet.java", "\n".join(lines[start : start + size]) + "\n"))
    return windows


class Case:
    """One scanned text: its group (level), the reference it copies (None: a negative)."""

    def __init__(self, group: str, item: Item, source: str | None) -> None:
        self.group, self.item, self.source = group, item, source


def irplag_cases(smoke: bool) -> tuple[dict[str, Path], list[Case]]:
    references = {case.name: next((case / "original").glob("*.java")) for case in sorted(IRPLAG.glob("case-*"))}
    cases = []
    for case in sorted(IRPLAG.glob("case-*")):
        copies = sorted(case.glob("plagiarized/L*/*/*.java"))
        others = sorted(case.glob("non-plagiarized/*/*.java"))
        for path in copies[:: 6 if smoke else 1]:
            cases.append(Case(path.parts[-3], (path.name, _read(path)), case.name))
        for path in others[:: 6 if smoke else 1]:
            cases.append(Case("independent solutions", (path.name, _read(path)), None))
    return references, cases


def spplag_cases(smoke: bool, per_set: int) -> tuple[dict[str, Path], list[Case]]:
    references = {p.name: p for p in sorted((SPPLAG / "Base Programs").iterdir()) if p.is_dir()}
    rows = list(csv.DictReader((SPPLAG / "variants_index.csv").open()))
    chosen: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if len(chosen[(row["program"], row["set_level"])]) < (1 if smoke else per_set):
            chosen[(row["program"], row["set_level"])].append(row)
    cases = []
    for group in chosen.values():
        for row in group:
            for path in sorted((SPPLAG / row["path"]).rglob("*.java")):
                cases.append(Case(f"L{row['max_obf_level']}", (path.name, _read(path)), row["program"]))
    return references, cases


def leakguard_scores(references: dict[str, Path], cases: list[Case], negatives: list[Item]) -> dict[str, object]:
    """Index the references (one folder each), scan every case and negative."""
    work = Path(tempfile.mkdtemp(prefix="leakguard-datasets-"))
    for name, path in references.items():
        if path.is_dir():
            shutil.copytree(path, work / name)
        else:
            (work / name).mkdir()
            shutil.copyfile(path, work / name / path.name)
    index = leakguard.build_index([work], jobs=1)
    shutil.rmtree(work)
    verdicts, named = [], []
    started = time.perf_counter()
    for case in cases:
        result = index.scan(case.item[1])
        verdicts.append(result.is_leak)
        named.append(result.is_leak and any(f.path.split("/")[0] == case.source for f in result.findings))
    seconds = time.perf_counter() - started
    false_alarms = [index.scan(text).is_leak for _, text in negatives]
    return {"verdicts": verdicts, "named": named, "false_alarms": false_alarms, "seconds": seconds}


def peer_recall(
    references: dict[str, Path], cases: list[Case], negatives: list[Item], rate: float
) -> dict[str, dict[str, object]]:
    """Each peer's verdicts on the cases at the threshold giving ``rate`` on the negatives."""
    items: list[Item] = []
    for path in references.values():
        files = sorted(path.rglob("*.java")) if path.is_dir() else [path]
        items += [(f.name, _read(f)) for f in files]
    return peers_at_rate(items, [case.item for case in cases], negatives, rate)


def section(title: str, references: dict[str, Path], cases: list[Case], negatives: list[Item]) -> str:
    ours = leakguard_scores(references, cases, negatives)
    rate = sum(ours["false_alarms"]) / len(ours["false_alarms"])  # type: ignore[arg-type]
    peers = peer_recall(references, cases, negatives, rate)
    groups = sorted({c.group for c in cases}, key=lambda g: (g.startswith("independent"), g))
    header = ["group", "cases", "leakguard (right original named)", *peers]
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for group in groups:
        members = [i for i, c in enumerate(cases) if c.group == group]
        row = [group, str(len(members))]
        verdicts = ours["verdicts"]
        named = ours["named"]
        assert isinstance(verdicts, list) and isinstance(named, list)
        negative = cases[members[0]].source is None
        row.append(
            percent([verdicts[i] for i in members])
            + ("" if negative else f" ({percent([named[i] for i in members]).split(' ')[0]})")
        )
        for result in peers.values():
            peer_verdicts = result.get("verdicts")
            row.append(percent([peer_verdicts[i] for i in members]) if isinstance(peer_verdicts, list) else "n/a")
        lines.append("| " + " | ".join(row) + " |")
    alarms = ours["false_alarms"]
    assert isinstance(alarms, list)
    lines.append("")
    lines.append(
        f"False alarms on {len(alarms)} windows of unrelated real Java ({NEGATIVES_SOURCE}): "
        f"leakguard {percent(alarms)}; every peer is held to the same rate. Peer settings: "
        + "; ".join(
            f"{name}: {r['error']}"
            if "error" in r
            else f"{name}: {r['measure']} >= {float(r['threshold']):.3g} ({float(r['seconds']):.1f} s)"  # type: ignore[arg-type]
            for name, r in peers.items()
        )
        + f". leakguard scanned the cases in {float(ours['seconds']):.1f} s."  # type: ignore[arg-type]
    )
    return "\n".join(lines)


def _lines_named(result: leakguard.ScanResult) -> int:
    """Distinct lines of the original that the findings name."""
    return len({n for f in result.findings for n in range(f.start_line, f.end_line + 1)})


def dolos_samples() -> str:
    """leakguard on the Dolos sample cases, against the originals A (Python) and sample.js."""
    work = Path(tempfile.mkdtemp(prefix="leakguard-dolos-"))
    python = DOLOS / "python" / "benchmark_files"
    shutil.copyfile(python / "UPGMA_A.py", work / "UPGMA_A.py")
    shutil.copyfile(DOLOS / "javascript" / "sample.js", work / "sample.js")
    index = leakguard.build_index([work], jobs=1)
    shutil.rmtree(work)
    rows = ["| sample | expected | leakguard: verdict, matched lines of the original |", "|---|---|---|"]
    expected = {
        "UPGMA_A_copy.py": "copy",
        "UPGMA_A_functionsmoved.py": "copy",
        "UPGMA_A_linesmoved.py": "copy",
        "UPGMA_A_variablenames.py": "copy",
        "UPGMA_A_functioncopied.py": "copy",
        "UPGMA_A_B_combined.py": "partial copy",
        "UPGMA_B.py": "independent (only loadtxt/savetxt alike)",
    }
    for name, label in expected.items():
        result = index.scan(_read(python / name))
        lines = _lines_named(result)
        rows.append(f"| {name} | {label} | {'leak' if result.is_leak else 'clean'}, {lines} lines |")
    for name in ("copy_of_sample.js", "copied_function.js", "another_copied_function.js"):
        result = index.scan(_read(DOLOS / "javascript" / name))
        lines = _lines_named(result)
        rows.append(f"| {name} | copy | {'leak' if result.is_leak else 'clean'}, {lines} lines |")
    return "### Dolos samples (leakguard)\n\n" + "\n".join(rows)


def main() -> int:
    from results import fixed_hash_seed

    fixed_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few cases of each set")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--per-set", type=int, default=4, help="SPPlagiarise variants per program and set")
    parser.add_argument("--negatives", type=int, default=3000, help="windows of unrelated Java")
    args = parser.parse_args()
    if not IRPLAG.is_dir() or not SPPLAG.is_dir():
        print(f"datasets not found under {SHARED}: nothing to measure")
        return 0
    rng = random.Random(20261124)
    negatives = unrelated_java(60 if args.smoke else args.negatives, rng)
    parts = [
        section("IR-Plag (recall per obfuscation level)", *irplag_cases(args.smoke), negatives),
        section(
            "SPPlagiarise (per-file recall per highest obfuscation level)",
            *spplag_cases(args.smoke, args.per_set),
            negatives,
        ),
        dolos_samples() if DOLOS.is_dir() else "",
    ]
    command = command_line("datasets.py", args.smoke, args.write)
    text = f"Command: `{command}` ({time.strftime('%Y-%m-%d')})\n\n" + "\n\n".join(p for p in parts if p)
    publish("datasets", "Labelled plagiarism sets, beside the peers", text, args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
