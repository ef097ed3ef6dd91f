"""Hostile input, counted: crashes, tracebacks and hangs per front end, time per megabyte of
each pathological kind, memory of a streamed 1 GB line, and the coverage-guided fuzz runs.

* ``front ends``: the checked-in corpus (``tests/hostile/``), every kind of
  ``tests/hostile_inputs.py`` and mutants of them (bytes flipped, openers and escapes inserted,
  pieces spliced, wrapped in JSON, markdown, HTML, quotes and base64, up to 16 KB) through
  the Python API, ``leakguard scan``/``redact``, the pre-commit hook (staged and named
  files), a real ``leakguard serve``, the LiteLLM guardrail's hook and the mitmproxy addon
  in mitmproxy's own test context (``tests/frontends.py`` says what counts as a problem).
  The slowest input of each front end shows a hang.
* ``time per MB``: each kind streamed as ``leakguard scan`` reads it (``scan_stream``) at three
  sizes, and held whole by ``Scanner.scan`` at the smallest: linear time shows as the same
  seconds per MB at every size, and the worst kind is compared with the average.
* ``memory``: ``leakguard scan`` streaming one line of code of up to 1 GB, and indexed code
  on one line, in a child process: its peak RSS must not grow with the input.
* ``atheris``: ``benchmarks/fuzz_api.py`` (the Python API, coverage-guided) for N runs.
* ``native``: ``cargo fuzz run scan`` (the engine's scan path) for N seconds.

    python benchmarks/hostile.py --write     # the figures in RESULTS.md (about 45 minutes)
    python benchmarks/hostile.py --smoke     # a few hundred inputs, small sizes (.ci/run)
"""

from __future__ import annotations

import argparse
import io
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

import frontends  # noqa: E402
from hostile_inputs import KINDS, hostile  # noqa: E402
from integrations.conftest import free_port  # noqa: E402
from results import command_line, publish  # noqa: E402

import leakguard  # noqa: E402

INDEX = ROOT / "fingerprints" / "demo"
WORK = HERE / ".work" / "hostile"
MB = 1 << 20


def front_ends(counts: dict[str, int], work: Path) -> str:
    """Each front end's inputs, problems, time and slowest input, as a table."""
    scanner = leakguard.Scanner.open(INDEX)
    runs = {
        "api": lambda inputs: frontends.through_api(scanner, inputs),
        "cli": lambda inputs: frontends.through_cli(INDEX, inputs, seed=2),
        "hook": lambda inputs: frontends.through_hook(INDEX, work / "repo", inputs),
        "guardrail": lambda inputs: frontends.through_guardrail(scanner, inputs, seed=4),
        "serve": lambda inputs: frontends.through_service(INDEX, free_port(), inputs, seed=5),
    }
    python = frontends.mitmproxy_python()
    if python is not None:
        runs["mitmproxy"] = lambda inputs: frontends.through_mitmproxy(python, INDEX, inputs, work / "mitm", seed=6)
    rows = ["| front end | inputs | crashes or tracebacks | inputs/s | slowest input |", "|---|---:|---:|---:|---|"]
    total = problems = 0
    for seed, (name, run) in enumerate(runs.items(), start=1):
        tally = run(list(hostile(seed, counts[name])))
        total += tally.inputs
        problems += len(tally.problems)
        for problem in tally.problems[:5]:
            print(f"  {problem}", file=sys.stderr)
        slowest = f"{tally.slowest[0] * 1000:.0f} ms ({tally.slowest[1][:40]})"
        rate = tally.inputs / tally.seconds if tally.seconds else 0.0
        rows.append(f"| {name} | {tally.inputs:,} | {len(tally.problems)} | {rate:,.0f} | {slowest} |")
    if python is None:
        rows.append("| mitmproxy | not run: no mitmproxy environment (.venv-mitmproxy) | | | |")
    rows.append(f"| **all** | **{total:,}** | **{problems}** | | |")
    return "\n".join(rows)


def time_per_mb(sizes: list[float]) -> str:
    """Seconds per MB of each kind: ``Scanner.scan`` on the smallest size (a gateway's body,
    held whole), and ``scan_stream`` (what ``leakguard scan`` runs on input of any size, in
    blocks of 1 MiB) at every size; the worst kind against the mean at the largest size."""
    scanner = leakguard.Scanner.open(INDEX, cache_chars=0)
    whole: dict[str, float] = {}
    per_mb: dict[str, list[float]] = {}
    for name, make in KINDS.items():
        row = []
        for size in sizes:
            # NUL bytes and invalid UTF-8 read as the gateways read them (the CLI refuses them).
            text = make(int(size * MB)).decode("utf-8", errors="replace").replace("\0", " ")
            if size == sizes[0]:
                started = time.perf_counter()
                scanner.scan(text)
                whole[name] = (time.perf_counter() - started) / size
            data = text.encode("utf-8", errors="surrogatepass")
            started = time.perf_counter()
            leakguard.scan_stream(scanner.index, io.BytesIO(data), policy=scanner.policy)
            row.append((time.perf_counter() - started) / size)
        per_mb[name] = row
    largest = [row[-1] for row in per_mb.values()]
    mean = sum(largest) / len(largest)
    header = " | ".join(f"stream, {size:g} MB" for size in sizes)
    rows = [
        f"| kind | whole, {sizes[0]:g} MB | {header} | x mean at {sizes[-1]:g} MB |",
        "|---|" + "---:|" * (len(sizes) + 2),
    ]
    for name, row in sorted(per_mb.items(), key=lambda item: -item[1][-1]):
        cells = " | ".join(f"{value:.3f}" for value in row)
        rows.append(f"| {name} | {whole[name]:.3f} | {cells} | {row[-1] / mean:.1f} |")
    growth = max(row[-1] / row[0] for row in per_mb.values() if row[0] > 0)
    worst = max(per_mb.items(), key=lambda item: item[1][-1])
    over = [name for name, row in per_mb.items() if row[-1] > 3 * mean]
    summary = (
        f"Seconds per MB. Mean over the {len(per_mb)} kinds streamed at {sizes[-1]:g} MB: {mean:.3f} s/MB "
        f"({1 / mean:.1f} MB/s); worst: {worst[0]}, {worst[1][-1]:.3f} s/MB, {worst[1][-1] / mean:.1f}x the mean. "
        f"Largest growth of s/MB from {sizes[0]:g} to {sizes[-1]:g} MB over all kinds: {growth:.2f}x. "
        f"Kinds above 3x the mean: {', '.join(over) if over else 'none'}."
    )
    return summary + "\n\n" + "\n".join(rows)


def _write_kind(path: Path, kind: str, size: int) -> None:
    unit = KINDS[kind](MB)
    with path.open("wb") as out:
        for _ in range(size // MB):
            out.write(unit)
        out.write(unit[: size % MB])


def _child(args: list[str]) -> tuple[int, float, float]:
    """(exit status, seconds, peak RSS in MiB) of ``leakguard ARGS`` in a child process.

    The peak is the child's own high-water mark (``VmHWM``, read until it exits): a forked
    child's ``ru_maxrss`` starts from the parent's, and this process is the larger one.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "leakguard", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    status = Path(f"/proc/{process.pid}/status")
    peak_kib = 0
    while process.poll() is None:
        try:
            found = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
        except OSError:
            break
        peak_kib = max(peak_kib, int(found.group(1)) if found else 0)
        time.sleep(0.02)
    _, error = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"leakguard {' '.join(args)} failed: {error.decode(errors='replace')[-500:]}")
    return process.returncode, seconds, peak_kib / 1024


def memory(sizes: list[int], work: Path) -> str:
    """Peak RSS and speed of ``leakguard scan`` streaming one-line inputs of each size."""
    rows = ["| input, one line | size | exit | wall | MB/s | peak RSS |", "|---|---:|---:|---:|---:|---:|"]
    work.mkdir(parents=True, exist_ok=True)
    for kind in ("code on one line", "indexed code on one line"):
        for size in sizes if kind == "code on one line" else sizes[:-1]:
            path = work / "one-line.txt"
            _write_kind(path, kind, size)
            status, seconds, peak = _child(["scan", "--index", str(INDEX), "--format", "json", str(path)])
            path.unlink()
            speed = size / MB / seconds
            rows.append(f"| {kind} | {size / MB:,.0f} MB | {status} | {seconds:.1f} s | {speed:.1f} | {peak:.0f} MiB |")
    return "\n".join(rows)


def atheris_run(runs: int, work: Path) -> str:
    """Run ``fuzz_api.py`` for ``runs`` inputs; what libFuzzer reports."""
    try:
        import atheris  # noqa: F401
    except ImportError:
        return "atheris: not installed (the `fuzz` extra; wheels up to Python 3.11): not run."
    corpus = work / "atheris"
    corpus.mkdir(parents=True, exist_ok=True)
    faults = ("crash-*", "oom-*", "timeout-*")
    for stale in [path for pattern in faults for path in work.glob(pattern)]:
        stale.unlink()  # this run's faults only
    command = [
        sys.executable, str(HERE / "fuzz_api.py"), f"-atheris_runs={runs}", "-max_len=65536", "-rss_limit_mb=4096",
        f"-artifact_prefix={work}/", str(corpus), str(ROOT / "tests" / "hostile"),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    found = re.search(r"Done (\d+) (?:runs )?in (\d+) second", done.stderr)
    coverage = re.findall(r"cov: (\d+) ft: (\d+)", done.stderr)
    crashes = sorted(path.name for pattern in faults for path in work.glob(pattern))
    if done.returncode != 0 or not found:
        tail = done.stderr.strip().splitlines()[-12:]
        return f"atheris: FAILED (exit {done.returncode}); crashes: {crashes}\n\n```\n" + "\n".join(tail) + "\n```"
    edges, features = coverage[-1] if coverage else ("?", "?")
    return (
        f"atheris (`python benchmarks/fuzz_api.py -atheris_runs={runs} -max_len=65536 {corpus.relative_to(ROOT)} "
        f"tests/hostile`): {int(found.group(1)):,} inputs in {seconds:.0f} s, 0 crashes; "
        f"{edges} Python branches and {features} features covered in leakguard's modules."
    )


def native_run(seconds: int) -> str:
    """Run the engine's cargo-fuzz target for ``seconds``; what libFuzzer reports."""
    if shutil.which("cargo") is None or subprocess.run(["rustup", "run", "nightly", "rustc", "--version"],
                                                       capture_output=True).returncode != 0:  # fmt: skip
        return "native fuzz: no nightly Rust toolchain: not run."
    command = ["cargo", "+nightly", "fuzz", "run", "scan", "--fuzz-dir", "fuzz", "--",
               f"-max_total_time={seconds}", "-print_final_stats=1"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT / "native", capture_output=True, text=True)
    stats = dict(re.findall(r"stat::(\w+):\s+(\d+)", done.stderr))
    if done.returncode != 0 or "number_of_executed_units" not in stats:
        tail = done.stderr.strip().splitlines()[-12:]
        return f"native fuzz: FAILED (exit {done.returncode})\n\n```\n" + "\n".join(tail) + "\n```"
    runs = int(stats["number_of_executed_units"])
    return (
        f"native (`cd native && cargo +nightly fuzz run scan --fuzz-dir fuzz -- -max_total_time={seconds}`): "
        f"{runs:,} executions in {seconds} s ({runs / seconds:,.0f}/s), 0 crashes, peak RSS "
        f"{stats.get('peak_rss_mb', '?')} MB, {stats.get('new_units_added', '?')} new inputs kept."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--native-seconds", type=int, default=None, help="cargo fuzz run time (0: skip)")
    args = parser.parse_args()
    smoke = args.smoke
    each = 150 if smoke else 15_000
    counts = {"api": 150 if smoke else 40_000, "cli": each, "hook": each, "guardrail": each, "serve": each}
    counts["mitmproxy"] = each
    native_seconds = args.native_seconds if args.native_seconds is not None else (0 if smoke else 720)
    with tempfile.TemporaryDirectory(prefix="leakguard-hostile-") as scratch:
        work = Path(scratch)
        # The fuzz runs first, while this process is small: a forked child's peak RSS (which
        # libFuzzer checks against its limit) starts from its parent's.
        fuzzing = "### Coverage-guided fuzzing\n\n" + "\n\n".join(
            [atheris_run(1_000 if smoke else 100_000, WORK)] + ([native_run(native_seconds)] if native_seconds else [])
        )
        sections = [
            "### Front ends\n\n" + front_ends(counts, work),
            "### Time per MB (demo index)\n\n" + time_per_mb([1 / 16, 1 / 4] if smoke else [1, 4, 16]),
            "### Memory of one streamed line (`leakguard scan FILE`)\n\n"
            + memory([4 * MB, 16 * MB] if smoke else [16 * MB, 128 * MB, 1 << 30], work / "memory"),
            fuzzing,
        ]
    command = command_line("hostile.py", smoke, args.write)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = f"Command: `{command}` ({time.strftime('%Y-%m-%d')}, 2 cores; this process's peak RSS {peak:.0f} MiB)\n\n"
    publish("hostile", "Hostile input: crashes, time per MB, memory, fuzzing", text + "\n\n".join(sections), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
