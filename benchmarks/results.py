"""Writing one benchmark's section of ``benchmarks/RESULTS.md``, leaving the others alone."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def percent(values: list[bool]) -> str:
    """``12.3% (45/366)``; rates under 1% keep two decimals, so 2/1338 reads 0.15%, not 0.1%."""
    if not values:
        return "n/a"
    rate = 100 * sum(values) / len(values)
    return f"{rate:.{2 if 0 < rate < 1 else 1}f}% ({sum(values)}/{len(values)})"


def write_section(name: str, title: str, body: str) -> None:
    """Replace (or append) the section between ``<!-- name:begin -->`` and ``<!-- name:end -->``."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n## {title}\n\n{body}\n{end}"
    if begin in current:
        current = current[: current.index(begin)] + block + current[current.index(end) + len(end) :]
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(current)


def command_line(script: str, smoke: bool, write: bool) -> str:
    """The command that reproduces a benchmark run, as RESULTS.md quotes it."""
    return f"python benchmarks/{script}" + (" --smoke" if smoke else "") + (" --write" if write else "")


def publish(name: str, title: str, text: str, write: bool) -> None:
    """Print a benchmark's figures and, with ``write``, put them in RESULTS.md."""
    print(text)
    if write:
        write_section(name, title, text)


def fixed_hash_seed() -> None:
    """Re-run this process with PYTHONHASHSEED=0 unless it already has a fixed seed.

    copydetect hashes k-grams with Python's salted ``hash()``: without a fixed seed its
    figures change from run to run.
    """
    import os
    import sys

    if os.environ.get("PYTHONHASHSEED") is None:
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
