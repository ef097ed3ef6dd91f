"""Peak memory and time of scanning and redacting one large log file through the CLI.

A synthetic application log (JSON records and plain lines, ``--mb`` megabytes) with a few
copies of the demo repository's code pasted in: as a JSON-escaped prompt, as a plain
block and across the 1 MiB block borders. Runs ``leakguard scan --format json`` and
``leakguard redact`` on it in child processes and reports their peak resident memory
(``ru_maxrss``), wall time and what they found.

    python benchmarks/stream_memory.py --mb 200 --write   # the figure in RESULTS.md
    python benchmarks/stream_memory.py --mb 8             # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEMO = ROOT / "examples" / "acme"
INDEX = ROOT / "fingerprints" / "demo"


def make_log(path: Path, megabytes: int, rng: random.Random) -> int:
    """Write the log; returns how many copies of indexed code it holds."""
    sources = sorted(p for p in DEMO.rglob("*.*"))
    target = megabytes << 20
    copies = 0
    written = 0
    with path.open("w", encoding="utf-8") as out:
        line = 0
        every = max(1000, target // 110 // 8)  # about eight copies, whatever the size
        while written < target:
            line += 1
            if line % every == 0:
                code = rng.choice(sources).read_text()
                record = json.dumps(
                    {
                        "ts": f"2026-11-24T10:{line % 60:02d}:00Z",
                        "level": "INFO",
                        "route": "/v1/chat/completions",
                        "prompt": "Please fix:\n" + code,
                    }
                )
                chunk = record + "\n" if copies % 2 else f"--- pasted by user {line}\n{code}\n"
                copies += 1
            elif rng.random() < 0.5:
                chunk = (
                    json.dumps(
                        {
                            "ts": f"2026-11-24T10:{line % 60:02d}:{line % 60:02d}Z",
                            "level": "INFO",
                            "msg": "request served",
                            "status": 200,
                            "ms": rng.randint(1, 900),
                            "user": f"u{rng.randint(1, 5000)}",
                        }
                    )
                    + "\n"
                )
            else:
                chunk = (
                    f"2026-11-24 10:{line % 60:02d}:{line % 60:02d},{line % 1000:03d} INFO worker-{line % 8} "
                    f"processed job {rng.randint(1, 10**9)} in {rng.random():.3f}s queue=default\n"
                )
            out.write(chunk)
            written += len(chunk)
    return copies


def run(args: list[str]) -> tuple[float, float, bytes]:
    """(seconds, peak RSS in MiB, stdout) of one CLI run in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "leakguard", *args], capture_output=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        raise SystemExit(f"leakguard {' '.join(args)} failed: {done.stderr.decode()}")
    # ru_maxrss of children is the largest of any child so far: run the biggest job first.
    return seconds, max(peak, before) / 1024, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    work = HERE / ".work"
    work.mkdir(exist_ok=True)
    log = work / f"app-{args.mb}mb.log"
    copies = make_log(log, args.mb, random.Random(11))
    size = log.stat().st_size / (1 << 20)
    scan_s, scan_mb, out = run(["scan", str(log), "--index", str(INDEX), "--format", "json"])
    found = json.loads(out)["sources"][0]["findings"]
    redacted = work / "redacted.log"
    with redacted.open("wb") as sink:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "leakguard", "redact", str(log), "--index", str(INDEX)], stdout=sink)
        redact_s = time.perf_counter() - started
    redact_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    table = "\n".join(
        [
            "| input | copies pasted | findings | scan: wall, MB/s, peak RSS "
            "| redact: wall, peak RSS (max of both runs) |",
            "|---|---|---|---|---|",
            f"| {size:.0f} MiB log | {copies} | {len(found)} | {scan_s:.1f} s, {size / scan_s:.1f} MB/s, "
            f"{scan_mb:.0f} MiB | {redact_s:.1f} s, {redact_mb:.0f} MiB |",
        ]
    )
    print(table)
    log.unlink()
    redacted.unlink()
    if args.write:
        from results import write_section

        write_section(
            "stream",
            "Large inputs: memory",
            f"Command: `python benchmarks/stream_memory.py --mb {args.mb} --write` ({time.strftime('%Y-%m-%d')}, "
            f"2 cores, index `fingerprints/demo`)\n\n{table}",
        )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
