"""The peers the benchmarks compare leakguard with, each run with its own fingerprints and
defaults, behind one batch interface: given reference files and query texts, the best score
of every query against any reference, under each of the peer's own similarity measures.

* copydetect: pygments tokens, k-grams of 25 tokens, winnowing window 6 (its defaults);
* SCANOSS winnowing (``scanoss-winnowing``, C-accelerated): its WFP hashes of each file;
* Dolos (``@dodona/dolos-lib``, Node): its tree-sitter tokens, k-grams of 23, window 17.

For copydetect and SCANOSS the comparison is what their engines do: fingerprints shared
with a reference, counted and as a share of the query's. Each benchmark then sets every
peer's threshold to give the same false-positive rate as leakguard on the same negatives,
and uses whichever measure of the peer gives it the higher recall there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

Item = tuple[str, str]  # (name with a language extension, text)
Scores = list[dict[str, float]]  # per query: measure -> best score against any reference


def _shared_counts(reference_sets: list[set[str]], query: set[str]) -> tuple[float, float]:
    """(most fingerprints shared with one reference, that as a share of the query's)."""
    owners: dict[str, list[int]] = defaultdict(list)
    for number, hashes in enumerate(reference_sets):
        for value in hashes & query:
            owners[value].append(number)
    counts = Counter(n for numbers in owners.values() for n in numbers)
    best = max(counts.values(), default=0)
    return float(best), best / len(query) if query else 0.0


def _by_inverted_sets(fingerprint: Callable[[Item], set[str]], references: list[Item], queries: list[Item]) -> Scores:
    reference_sets = [fingerprint(item) for item in references]
    out = []
    for item in queries:
        count, share = _shared_counts(reference_sets, fingerprint(item))
        out.append({"shared": count, "share": share})
    return out


def copydetect_scores(references: list[Item], queries: list[Item]) -> Scores | str:
    """copydetect's fingerprints (defaults: noise threshold 25, guarantee 30)."""
    try:
        from copydetect.utils import filter_code, get_document_fingerprints
    except ImportError as exc:
        return f"not installed ({exc})"

    def fingerprint(item: Item) -> set[str]:
        try:
            filtered, _ = filter_code(item[1], item[0])
        except Exception:  # pygments cannot lex it: no fingerprints, as copydetect would skip it
            return set()
        hashes, _ = get_document_fingerprints(filtered, 25, 6)
        return {str(h) for h in hashes}

    return _by_inverted_sets(fingerprint, references, queries)


def scanoss_scores(references: list[Item], queries: list[Item]) -> Scores | str:
    """SCANOSS's snippet fingerprints (WFP: CRC32C of normalised 4-grams of characters, winnowed)."""
    try:
        import _winnowing
        from crc32c import crc32c
    except ImportError as exc:
        return f"not installed ({exc})"

    def fingerprint(item: Item) -> set[str]:
        wfp = b"".join(_winnowing.compute_wfd(item[1].encode("utf-8"), crc32c)).decode()
        return {part.split("=")[-1] for line in wfp.splitlines() for part in line.split(",") if part}

    return _by_inverted_sets(fingerprint, references, queries)


def dolos_scores(references: list[Item], queries: list[Item]) -> Scores | str:
    """Dolos's pair similarity, total overlap and longest fragment (Node; benchmarks/peers/install.sh)."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "@dodona" / "dolos-lib").is_dir():
        return "not installed (run benchmarks/peers/install.sh)"
    payload = {
        "references": [{"name": f"r{n}_{name}", "content": text} for n, (name, text) in enumerate(references)],
        "queries": [{"name": f"q{n}_{name}", "content": text} for n, (name, text) in enumerate(queries)],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(payload, handle)
    try:
        done = subprocess.run([node, str(HERE / "dolos.mjs"), handle.name], capture_output=True, text=True, cwd=HERE)
    finally:
        Path(handle.name).unlink()
    if done.returncode != 0:
        return f"failed ({done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode})"
    measures = ("similarity", "overlap", "longest")
    return [{measure: float(r[measure]) for measure in measures} for r in json.loads(done.stdout)]


PEERS: dict[str, Callable[[list[Item], list[Item]], Scores | str]] = {
    "copydetect": copydetect_scores,
    "SCANOSS winnowing": scanoss_scores,
    "Dolos": dolos_scores,
}


def threshold_at(negatives: list[float], rate: float) -> float:
    """The lowest threshold whose alert rate on ``negatives`` (score >= threshold) is at most ``rate``."""
    ordered = sorted(negatives, reverse=True)
    allowed = int(rate * len(ordered) + 1e-9)
    if allowed >= len(ordered):
        return float("-inf")
    # Above the (allowed+1)-th highest negative score: at most ``allowed`` negatives alert.
    return ordered[allowed] + 1e-9


def best_at_rate(scores: Scores, n_cases: int, rate: float) -> dict[str, object]:
    """The peer's measure that flags the most of the first ``n_cases`` queries when its
    threshold gives at most ``rate`` false alarms on the rest (the negatives).

    Returns ``measure``, ``threshold``, ``verdicts`` (one per case) and ``alarms`` (one per
    negative).
    """
    best: dict[str, object] = {}
    for measure in scores[0]:
        values = [score[measure] for score in scores]
        cut = threshold_at(values[n_cases:], rate)
        verdicts = [v >= cut for v in values[:n_cases]]
        if not best or sum(verdicts) > sum(best["verdicts"]):  # type: ignore[arg-type]
            alarms = [v >= cut for v in values[n_cases:]]
            best = {"measure": measure, "threshold": cut, "verdicts": verdicts, "alarms": alarms}
    return best


def peers_at_rate(
    references: list[Item], cases: list[Item], negatives: list[Item], rate: float
) -> dict[str, dict[str, object]]:
    """Every peer's :func:`best_at_rate` on the cases, plus its run time (or why it did not run)."""
    out: dict[str, dict[str, object]] = {}
    for name, peer in PEERS.items():
        started = time.perf_counter()
        scores = peer(references, cases + negatives)
        if isinstance(scores, str):
            out[name] = {"error": scores}
            continue
        out[name] = {**best_at_rate(scores, len(cases), rate), "seconds": time.perf_counter() - started}
    return out
