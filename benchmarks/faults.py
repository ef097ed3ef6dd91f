"""Faults, counted: writers killed at random points, and damaged index files.

* ``kill``: ``leakguard index`` over part of Python's standard library, killed with SIGKILL at
  a uniformly random moment of its run, 100 times during full builds into a fresh
  directory that already holds an index, and 100 times during incremental updates (a file
  changed before each); after each kill the directory's index must load and verify
  (``load_index(verify=True)``), and after the last, one update must give the index a
  fresh full build gives (byte for byte).
* ``damage``: the demo index truncated at 60 points, with one bit flipped at 8 places in
  every section, with its magic number, version, header or header length damaged, and with
  bytes appended (``tests/damage.py``, which the fault tests use too); each must be refused
  with a ``IndexFormatError`` naming the fault.
* ``attack``: a dictionary attack (:mod:`leakguard.index.attack`) on the same sources
  indexed without and with a key, by someone holding the index file and not the key:
  guesses are every window of three lines of other standard-library packages (common code
  of the language), then of the indexed sources themselves (an attacker who guessed
  right: the upper bound); the lines really recovered are counted.

    python benchmarks/faults.py --write      # about 6 minutes
    python benchmarks/faults.py --smoke      # 5 kills of each kind (CI)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from results import command_line, publish  # noqa: E402

STDLIB = Path(os.__file__).parent
PACKAGES = ("json", "email", "http", "logging", "asyncio")


def _command(sources: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "leakguard", "index", str(sources), "--out", str(out), "-q", "-j", "1"]


def kills(work: Path, runs: int, rng: random.Random) -> dict[str, object]:
    import leakguard
    from leakguard.api import update_index

    sources = work / "src"
    for name in PACKAGES:
        shutil.copytree(STDLIB / name, sources / name, ignore=shutil.ignore_patterns("__pycache__", "test*"))
    out = work / "index"
    started = time.perf_counter()
    subprocess.run(_command(sources, work / "timing"), check=True)
    full = time.perf_counter() - started
    subprocess.run(_command(sources, out), check=True)
    victim = sources / "json" / "decoder.py"
    victim.write_text(victim.read_text() + "\n\ndef timing(value):\n    return value\n")
    started = time.perf_counter()
    subprocess.run(_command(sources, out), check=True)
    update = time.perf_counter() - started
    counts: dict[str, object] = {"full_build_s": full, "update_s": update}
    for kind in ("build", "update"):
        loadable = 0
        for n in range(runs):
            if kind == "build":
                shutil.rmtree(out / "shards", ignore_errors=True)  # no shards: the whole build runs again
            else:
                victim.write_text(victim.read_text() + f"\n\ndef added_{kind}_{n}(value):\n    return [value] * {n}\n")
            process = subprocess.Popen(_command(sources, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, (full if kind == "build" else update) * 1.1))
            process.send_signal(signal.SIGKILL)
            process.wait()
            try:
                leakguard.load_index(out, verify=True)
                loadable += 1
            except leakguard.LeakguardError as exc:
                print(f"{kind} kill {n}: {exc}", file=sys.stderr)
        counts[f"{kind}_runs"] = runs
        counts[f"{kind}_loadable"] = loadable
    update_index([sources], out, jobs=1)
    update_index([sources], work / "fresh", jobs=1, full=True)
    counts["repaired_identical"] = (out / "index.lgx").read_bytes() == (work / "fresh" / "index.lgx").read_bytes()
    return counts


def damage(work: Path) -> dict[str, object]:
    from damage import damaged_copies

    import leakguard

    cases = damaged_copies(ROOT / "fingerprints" / "demo", cuts=60, flips=8)
    refused, kinds = 0, {"truncated": 0, "flip": 0, "header": 0}
    for n, (label, data) in enumerate(cases.items()):
        directory = work / f"damaged-{n}"
        directory.mkdir()
        (directory / "index.lgx").write_bytes(data)
        try:
            leakguard.load_index(directory, verify=True)
        except leakguard.IndexFormatError:
            refused += 1
            kinds[label.split(maxsplit=1)[0].rstrip(":")] += 1
        else:
            print(f"damage not refused: {label}", file=sys.stderr)
    counts = {kind: sum(label.startswith(kind) for label in cases) for kind in kinds}
    return {"cases": len(cases), "refused": refused, **{f"refused_{k}": v for k, v in kinds.items()},
            **{f"cases_{k}": v for k, v in counts.items()}}  # fmt: skip


def attack(work: Path) -> dict[str, object]:
    import leakguard
    from leakguard.index.attack import dictionary_attack, recovered

    sources = work / "src"
    plain, keyed = work / "attack-plain", work / "attack-keyed"
    leakguard.build_index([sources], public=False).save(plain)
    leakguard.build_index([sources], public=False, key=os.urandom(32)).save(keyed)

    def windows(root: Path) -> list[str]:
        out = []
        for path in sorted(root.rglob("*.py")):
            lines = path.read_text(errors="replace").splitlines()
            out += ["\n".join(lines[i : i + 3]) for i in range(0, max(1, len(lines) - 2), 2)]
        return out

    public = [w for name in ("xml", "urllib", "unittest", "importlib") for w in windows(STDLIB / name)]
    own = windows(sources)
    lines = sum(1 for p in sources.rglob("*.py") for line in p.read_text(errors="replace").splitlines() if line.strip())
    result: dict[str, object] = {"lines": lines, "public_guesses": len(public), "own_guesses": len(own)}
    for label, index in (("plain", plain), ("keyed", keyed)):
        for kind, guesses in (("public", public), ("own", own)):
            result[f"{label}_{kind}"] = len(recovered(dictionary_attack(index, guesses), sources))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="5 kills of each kind (CI)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    runs = 5 if args.smoke else args.runs
    with tempfile.TemporaryDirectory(prefix="leakguard-faults-") as folder:
        work = Path(folder)
        killed = kills(work, runs, random.Random(25))
        damaged = damage(work)
        attacked = attack(work)
    lines = [
        f"Command: `{command_line('faults.py', args.smoke, args.write)}` ({time.strftime('%Y-%m-%d')}, 2 cores)",
        "",
        "| fault | runs | index loadable and verified afterwards |",
        "|---|---|---|",
        f"| SIGKILL at a random moment of a full build (about {killed['full_build_s']:.1f} s) | "
        f"{killed['build_runs']} | {killed['build_loadable']} |",
        f"| SIGKILL at a random moment of an incremental update (about {killed['update_s']:.1f} s) | "
        f"{killed['update_runs']} | "
        f"{killed['update_loadable']} |",
        "",
        f"After the last kill, one update gives the fresh full build's index byte for byte: "
        f"**{'yes' if killed['repaired_identical'] else 'NO'}**.",
        "",
        "| damaged index (the demo index) | cases | refused with IndexFormatError |",
        "|---|---|---|",
        f"| truncated at 60 points (and where the sections start) | {damaged['cases_truncated']} | "
        f"{damaged['refused_truncated']} |",
        f"| one bit flipped, 8 places in each section | {damaged['cases_flip']} | {damaged['refused_flip']} |",
        f"| magic, version, header, header length, bytes appended, empty | {damaged['cases_header']} | "
        f"{damaged['refused_header']} |",
        "",
        f"Dictionary attack on the same sources ({attacked['lines']:,} lines of code) by someone holding the "
        "index file, not the key: lines of the indexed code really recovered.",
        "",
        "| guesses (windows of three lines) | without a key | with a key |",
        "|---|---|---|",
        f"| other standard-library packages ({attacked['public_guesses']:,}: common code of the language) | "
        f"{attacked['plain_public']:,} | {attacked['keyed_public']:,} |",
        f"| the indexed sources themselves ({attacked['own_guesses']:,}: an attacker who guessed right) | "
        f"{attacked['plain_own']:,} | {attacked['keyed_own']:,} |",
    ]
    publish("faults", "Faults, damaged indexes and a dictionary attack", "\n".join(lines), args.write)
    ok = (
        killed["build_loadable"] == killed["build_runs"]
        and killed["update_loadable"] == killed["update_runs"]
        and killed["repaired_identical"]
        and damaged["refused"] == damaged["cases"]
        and attacked["keyed_public"] == attacked["keyed_own"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
