"""Coverage-guided fuzzing of the Python API with atheris (libFuzzer for Python code).

Every input goes through what a gateway calls: ``Scanner.scan`` and ``Scanner.redact`` on the
text, ``scan_stream`` on the bytes, and ``guard_body`` on the bytes as a JSON and as a plain
request body, against the demo index. The leakguard modules are instrumented, so libFuzzer
keeps the inputs that reach new Python branches. Any exception but an InputError (bytes that
are not text, refused by name) is a crash: libFuzzer stops and writes the input to
``crash-*``; put it in ``tests/hostile/`` as ``found-<what>`` once fixed.

    python benchmarks/fuzz_api.py -atheris_runs=200000 benchmarks/.work/atheris tests/hostile

libFuzzer's options follow the script's name (``-max_total_time=600``, ``-max_len=65536``);
new inputs are written to the first directory given, the rest are read as seeds.
``benchmarks/hostile.py`` runs it and records its figures. Needs the ``fuzz`` extra
(atheris publishes Linux wheels up to Python 3.11).
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import atheris

# leakguard.stream is left out: atheris 2.3 miscompiles its generator on Python 3.11 (the
# instrumented bytecode segfaults; google/atheris#90 is the same class of bug).
with atheris.instrument_imports(include=["leakguard"], exclude=["leakguard.stream"]):
    import leakguard
    from leakguard.integrations.payload import guard_body

INDEX = Path(__file__).resolve().parent.parent / "fingerprints" / "demo"
SCANNER = leakguard.Scanner.open(INDEX)


def one_input(data: bytes) -> None:
    """The API on one input; an exception escaping here is a crash."""
    text = data.decode("utf-8", errors="replace")
    result = SCANNER.scan(text)
    redaction = SCANNER.redact(text)
    if redaction.result.is_leak != result.is_leak:
        raise AssertionError("scan and redact disagree")
    with contextlib.suppress(leakguard.InputError):  # NUL bytes or not UTF-8: refused with its reason
        leakguard.scan_stream(SCANNER.index, io.BytesIO(data), policy=SCANNER.policy)
    guard_body(SCANNER, data, "application/json", redact=True)
    guard_body(SCANNER, data, "", redact=False)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
