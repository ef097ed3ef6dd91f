"""Damaged copies of an index file, shared by the fault tests and ``benchmarks/faults.py``."""

from __future__ import annotations

from pathlib import Path

from leakguard.index.format import read_container


def damaged_copies(directory: Path, cuts: int, flips: int) -> dict[str, bytes]:
    """The index at ``directory`` with a damaged header (``header ...`` labels), truncated at
    ``cuts`` points spread over the file (``truncated ...``), and with one bit flipped at
    ``flips`` places in each section (``flip ...``): every one must be refused."""
    container = read_container(directory)
    source = (directory / "index.lgx").read_bytes()
    start = len(source) - sum(a.nbytes + (-a.nbytes) % 64 for a in container.arrays.values())
    cases: dict[str, bytes] = {
        "header: empty": b"",
        "header: magic": b"NOTMAGIC" + source[8:],
        "header: newer version": source[:8] + (99).to_bytes(4, "little") + source[12:],
        "header: JSON": source[:20] + b"\xff\xfe" + source[22:],
        "header: length": source[:12] + (10**9).to_bytes(4, "little") + source[16:],
        "header: bytes appended": source + b"\0" * 64,
    }
    for cut in sorted({1 + i * (len(source) - 1) // cuts for i in range(cuts)} | {start, start + 64}):
        cases[f"truncated at {cut}"] = source[:cut]
    for name, entry in sorted(container.header["sections"].items()):
        size = container.arrays[name].nbytes
        for k in range(flips if size else 0):
            flipped = bytearray(source)
            flipped[start + int(entry["offset"]) + size * (2 * k + 1) // (2 * flips)] ^= 1 << (k % 8)
            cases[f"flip {name} {k}"] = bytes(flipped)
    return cases
