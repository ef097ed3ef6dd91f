"""Speed and memory, side by side with peers, on this machine, in one run.

Parts (each runs in its own child process, so each peak memory is its own):

* ``throughput``: MB/s scanning mixed prose and code (index loaded, warm), next to
  SCANOSS's C-accelerated winnowing (``_winnowing.compute_wfd``: fingerprint generation
  alone) and copydetect's fingerprinting (pygments filter, k-gram hashes, winnowing) of
  the same text, as ratios;
* ``build``: index build throughput (MB of source per second, with 1 and 2 worker
  processes), index size on disk per MB of source, and which of its parts takes how much;
* ``latency``: p50 and p99 of scanning 4 KB prompts in-process against the big index
  (real package sources, topped up with synthetic fingerprints to ``--fingerprints``),
  the same prompts with one typographic character each (a curly quote, an em dash...:
  a decoded reading is scanned too), and the time to open the index;
* the floor, in ``throughput`` and ``latency``: the same text and prompts through the
  stages every scan runs whatever it finds (cutting into tokens; then hashing and looking
  up k-grams), so a target can be set beside what its first stages already cost;
* ``conversation``: a chat through the gateway's body scanner, each request resending the
  history (as chat clients do), with and without the Scanner's cache of recent results;
* ``cli``: wall time of ``leakguard scan -`` on a 4 KB prompt, cold process, same index
  (with the package's bytecode compiled first, as ``pip install`` leaves it);
* ``hook``: wall time of ``leakguard hook`` (cold process, same index) in a git repository
  whose staged change copies 10 lines of an indexed file with every name renamed;
* ``logs``: ``leakguard scan DIR`` over a directory of logs (cold process, same index),
  with one worker process and with two (``--jobs``), and whether both reports agree;
* ``service``: ``leakguard serve`` on loopback, same index, answering 4 KB prompts sent
  by concurrent clients (requests/s, latency, errors); the clients share the 2 cores.

    python benchmarks/speed.py --write          # full run, updates benchmarks/RESULTS.md
    python benchmarks/speed.py --smoke          # small sizes (CI)

The peers are installed with ``pip install -e '.[bench]'``; a missing peer is reported,
not faked.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
WORK = HERE / ".work"
PROMPT_BYTES = 4096


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_mib() -> float:
    """Largest peak RSS of any finished child process (and its descendants) of this one."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def source_roots() -> list[Path]:
    """Real package sources to index: the quality benchmark's indexed corpus packages and
    Python's standard library. The other packages are the unrelated code prompts are made of."""
    from corpus_files import CORPUS
    from quality import INDEXED

    roots = [p for p in sorted(CORPUS.glob("*/*")) if p.is_dir() and p.name in INDEXED] if CORPUS.is_dir() else []
    return [*roots, Path(json.__file__).parent.parent]  # the standard library (its site-packages is skipped)


def mixed_text(megabytes: float, rng: random.Random, leaking: bool = False) -> str:
    """Prose paragraphs and real code blocks, as in prompts and logs (indexed code if ``leaking``)."""
    from corpus_files import files_by_language

    roots = source_roots()

    def indexed(path: Path) -> bool:
        return any(root in path.parents for root in roots)

    code = [
        p.read_text(encoding="utf-8", errors="replace")
        for files in files_by_language(limit=40).values()
        for p in files
        if indexed(p) == leaking
    ]
    prose = (
        "The service returns an error when the request body is larger than the limit. "
        "Could you explain why the retry logic does not back off, and how to test it? "
    ) * 3
    pieces: list[str] = []
    size = 0
    while size < megabytes * 1e6:
        block = rng.choice(code)
        start = rng.randint(0, max(0, len(block) - 3000))
        piece = prose + "\n\n```\n" + block[start : start + 3000] + "\n```\n\n"
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)


def code_heavy_text(megabytes: float, rng: random.Random) -> str:
    """Whole source files one after another, as a diff, a commit or a code-review prompt
    carries them: nine tenths (by size) not indexed, a tenth indexed (leaks)."""
    from corpus_files import files_by_language

    roots = source_roots()
    files = [p for paths in files_by_language(limit=40).values() for p in paths]
    indexed = [p for p in files if any(root in p.parents for root in roots)]
    others = [p for p in files if p not in set(indexed)]
    pieces: list[str] = []
    size = leaked = 0
    while size < megabytes * 1e6:
        leak = bool(indexed) and leaked < size / 10
        text = rng.choice(indexed if leak else others).read_text(encoding="utf-8", errors="replace")
        pieces.append(text + "\n\n")
        size += len(text) + 2
        leaked += len(text) + 2 if leak else 0
    return "".join(pieces)


def part_throughput(args: argparse.Namespace) -> dict[str, object]:
    import leakguard

    rng = random.Random(3)
    text = mixed_text(args.mb, rng)
    data = text.encode()
    index = leakguard.load_index(args.index)
    chunks = [text[i : i + (1 << 20)] for i in range(0, len(text), 1 << 20)]
    index.scan(chunks[0])  # warm

    def timed(function: object) -> float:
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            function()  # type: ignore[operator]
            best = min(best, time.perf_counter() - started)
        return best

    ours = timed(lambda: [index.scan(chunk) for chunk in chunks])
    result: dict[str, object] = {"mb": len(data) / 1e6, "leakguard_mb_s": len(data) / 1e6 / ours}
    floor = _floor_stages(index)
    for stage, function in floor.items():
        result[f"{stage}_mb_s"] = len(data) / 1e6 / timed(lambda f=function: [f(chunk) for chunk in chunks])
    leaking = mixed_text(args.mb, rng, leaking=True)
    leak_chunks = [leaking[i : i + (1 << 20)] for i in range(0, len(leaking), 1 << 20)]
    result["leaking_mb_s"] = len(leaking.encode()) / 1e6 / timed(lambda: [index.scan(c) for c in leak_chunks])
    code = code_heavy_text(args.mb, rng)
    code_chunks = [code[i : i + (1 << 20)] for i in range(0, len(code), 1 << 20)]
    code_mb = len(code.encode()) / 1e6
    result["code_mb"] = code_mb
    result["code_mb_s"] = code_mb / timed(lambda: [index.scan(c) for c in code_chunks])
    result["code_findings"] = sum(len(index.scan(c).findings) for c in code_chunks)
    for name, peer in _peers().items():
        for suffix, pieces, mb in (("", chunks, len(data) / 1e6), ("_code", code_chunks, code_mb)):
            if peer is None:
                result[f"{name}{suffix}_mb_s"] = "not installed"
                continue
            prepare, run = peer
            prepared = prepare(pieces)
            result[f"{name}{suffix}_mb_s"] = mb / timed(lambda run=run, prepared=prepared: run(prepared))
    result["peak_mib"] = peak_mib()
    return result


def _peers() -> dict[str, tuple[Callable[[list[str]], Any], Callable[[Any], object]] | None]:
    """Each peer's fingerprinting of chunks of text, as (prepare, run): what ``prepare``
    does to the chunks (SCANOSS reads bytes) is not timed. None: not installed."""
    peers: dict[str, tuple[Callable[[list[str]], Any], Callable[[Any], object]] | None] = {
        "scanoss": None,
        "copydetect": None,
    }
    try:
        import _winnowing
        from crc32c import crc32c

        peers["scanoss"] = (
            lambda chunks: [c.encode() for c in chunks],
            lambda encoded: [_winnowing.compute_wfd(c, crc32c) for c in encoded],
        )
    except ImportError:
        pass
    try:
        from copydetect.utils import filter_code, get_document_fingerprints

        def copydetect_run(chunks: list[str]) -> None:
            for chunk in chunks:
                filtered, _ = filter_code(chunk, "prompt.py")
                get_document_fingerprints(filtered, 25, 6)

        peers["copydetect"] = (lambda chunks: chunks, copydetect_run)
    except ImportError:
        pass
    return peers


def _floor_stages(index: object) -> dict[str, Callable[[str], object]]:
    """The stages every scan runs whatever it finds: cutting the text into tokens, then
    hashing its k-grams and looking them up in the index.

    Their cost is a floor under a whole scan's (which also decodes, chains hits into
    findings and scores them): the speed table sets it beside the targets.
    """
    from leakguard.normalise.lexer import lex
    from leakguard.options import ScanPolicy
    from leakguard.scanner import lookup

    alphabet, policy = index.alphabet, ScanPolicy()  # type: ignore[attr-defined]
    return {
        "lex": lambda text: lex(text, alphabet),
        "lookup": lambda text: lookup(index, lex(text, alphabet), policy),  # type: ignore[arg-type]
    }


def _source_bytes(roots: list[Path]) -> int:
    from leakguard.index.walk import iter_source_files

    return sum(f.path.stat().st_size for f in iter_source_files(roots))


def part_build(args: argparse.Namespace) -> dict[str, object]:
    import leakguard

    roots = source_roots()[: args.roots] if args.roots else source_roots()
    size = _source_bytes(roots)
    out: dict[str, object] = {"source_mb": size / 1e6}
    best = {1: float("inf"), 2: float("inf")}
    # Best of two each, alternating 1, 2, 1, 2: the machine is shared and noisy, and a
    # busy spell then weighs on both counts alike instead of on one of them.
    for _ in range(min(args.repeat, 2)):
        for jobs in (1, 2):
            started = time.perf_counter()
            index = leakguard.build_index(roots, jobs=jobs)
            best[jobs] = min(best[jobs], time.perf_counter() - started)
    for jobs, seconds in best.items():
        out[f"jobs{jobs}_s"] = seconds
        out[f"jobs{jobs}_mb_s"] = size / 1e6 / seconds
    with tempfile.TemporaryDirectory() as directory:
        path = index.save(directory)
        out["index_mb"] = path.stat().st_size / 1e6
    out["index_parts_mb"] = _index_parts_mb(index)
    out["fingerprints"] = index.stats["fingerprints"]
    out["peak_mib"] = peak_mib()
    out["worker_peak_mib"] = children_peak_mib()  # the largest worker of the 2-process builds
    return out


#: How the speed table names each part of an index (``leakguard.index.store.PARTS``).
PART_LABELS = {
    "postings": "postings (line and concrete tag of every fingerprint)",
    "hash_table": "hash table (distinct hashes, where their postings start, file counts)",
    "line_hashes": "line hashes (extending a finding over whole lines)",
    "minhash": "MinHash units (near-duplicates)",
    "files": "files (paths, line and token counts)",
    "public": "names common in public code (background model)",
}


def _index_parts_mb(index: object) -> dict[str, float]:
    """MB on disk of each part of ``index`` (its sections are saved as they are), as
    ``leakguard info`` counts them."""
    from leakguard.index.store import part_bytes

    parts = part_bytes(index.arrays)  # type: ignore[attr-defined]
    return {PART_LABELS.get(part, part): size / 1e6 for part, size in parts.items()}


def part_big_index(args: argparse.Namespace) -> dict[str, object]:
    """Build the latency index: real sources, then synthetic postings up to the target."""
    import numpy as np

    import leakguard
    from leakguard.index.build import FileFingerprints, fingerprint_tree
    from leakguard.index.store import Index

    params = leakguard.FingerprintParams()
    started = time.perf_counter()
    files = fingerprint_tree(source_roots(), params, jobs=2)
    real = sum(f.hashes.shape[0] for f in files if f.skipped is None)
    rng = np.random.default_rng(5)
    missing = max(0, args.fingerprints - real)
    per_file = 50_000
    for n in range(0, missing, per_file):
        count = min(per_file, missing - n)
        lines = np.sort(rng.integers(1, 20_000, count)).astype(np.uint32)
        files.append(
            FileFingerprints(
                f"synthetic/{n // per_file:05d}.txt",
                None,
                20_000,
                count * 4,
                rng.integers(0, 2**63, count, dtype=np.uint64),
                lines,
                np.zeros(count, np.uint8),
                rng.integers(0, 2**16, count).astype(np.uint16),
                line_hashes=np.zeros(20_000, np.uint16),
            )
        )
    index = Index.from_fingerprints(files, params)
    # The shipped public sets, as build_index applies them to every index by default.
    from leakguard.index.background import default_sets

    for public in default_sets(params)[0]:
        index = index.without(public)
    target = Path(args.index)
    if target.exists():
        shutil.rmtree(target)
    index.save(target)
    return {
        "real_fingerprints": real,
        "fingerprints": index.stats["fingerprints"],
        "build_s": time.perf_counter() - started,
        "peak_mib": peak_mib(),
    }


def _prompts(count: int, rng: random.Random) -> list[str]:
    text = mixed_text(count * PROMPT_BYTES / 1e6 + 0.1, rng)
    return [text[i * PROMPT_BYTES : (i + 1) * PROMPT_BYTES] for i in range(count)]


#: Characters chat apps put into pasted text: curly quotes, an em dash, an ellipsis, a no-break space.
TYPOGRAPHIC = ("\u2019", "\u201c", "\u2014", "\u2026", "\u00a0")


def part_latency(args: argparse.Namespace) -> dict[str, object]:
    import numpy as np

    import leakguard

    started = time.perf_counter()
    index = leakguard.load_index(args.index)
    open_ms = (time.perf_counter() - started) * 1000
    open_peak = peak_mib()  # the interpreter, numpy and the mapped index, before any scan
    prompts = _prompts(args.prompts, random.Random(9))
    for prompt in prompts[:20]:
        index.scan(prompt)

    # Chat apps and word processors put typographic characters into what people paste: the
    # same prompts with one of them each (a decoded reading is then scanned as well).
    rng = random.Random(10)
    typographic = []
    for prompt in prompts:
        at = rng.randrange(len(prompt))
        typographic.append(prompt[:at] + rng.choice(TYPOGRAPHIC) + prompt[at + 1 :])
    # Every measure takes its turn on each prompt before the next prompt starts: a slow
    # spell of the shared machine then weighs on all of them alike, and the floor rows stay
    # comparable with the whole scan's.
    floor = _floor_stages(index)
    measures: dict[str, tuple[Callable[[str], object], list[str]]] = {
        "": (index.scan, prompts),
        "typographic_": (index.scan, typographic),
        **{f"{stage}_": (function, prompts) for stage, function in floor.items()},
    }
    times: dict[str, list[float]] = {name: [] for name in measures}
    for i in range(len(prompts)):
        for name, (function, texts) in measures.items():
            started = time.perf_counter()
            function(texts[i])
            times[name].append((time.perf_counter() - started) * 1000)
    figures = {}
    for name, values in times.items():
        figures[f"{name}p50_ms"] = float(np.percentile(values, 50))
        figures[f"{name}p99_ms"] = float(np.percentile(values, 99))
    return {
        "fingerprints": index.stats["fingerprints"],
        "open_ms": open_ms,
        "open_peak_mib": open_peak,
        **figures,
        "peak_mib": peak_mib(),
    }


def part_threads(args: argparse.Namespace) -> dict[str, object]:
    """4 KB prompts through one ``Scanner`` from one thread, then from as many threads as
    cores: whether a scan leaves the other cores free (the native stages release the GIL;
    decoding, overlaps and findings are still Python and hold it)."""
    from concurrent.futures import ThreadPoolExecutor

    import leakguard

    scanner = leakguard.Scanner(leakguard.load_index(args.index), cache_chars=0)
    prompts = _prompts(args.prompts, random.Random(11))
    for prompt in prompts[:20]:
        scanner.scan(prompt)
    threads = os.cpu_count() or 1
    result: dict[str, object] = {"threads": threads}
    for count in (1, threads):
        with ThreadPoolExecutor(count) as pool:
            started = time.perf_counter()
            list(pool.map(scanner.scan, prompts))
            result[f"threads{count}_per_s"] = len(prompts) / (time.perf_counter() - started)
    result["peak_mib"] = peak_mib()
    return result


def _compile_bytecode() -> None:
    """Compile the package's bytecode, as ``pip install`` does for every package it installs.

    An editable install under ``PYTHONDONTWRITEBYTECODE=1`` (set on the benchmark machines)
    never writes it, so each cold process would compile every leakguard module from source
    again: about 50 ms that no installed copy pays.
    """
    import compileall

    import leakguard

    compileall.compile_dir(str(Path(leakguard.__file__).parent), quiet=1)


def part_cli(args: argparse.Namespace) -> dict[str, object]:
    _compile_bytecode()
    prompt = _prompts(1, random.Random(4))[0].encode()
    times = []
    for _ in range(args.repeat * 3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "leakguard", "scan", "-", "--index", args.index, "--format", "json"],
            input=prompt,
            capture_output=True,
            check=False,
        )
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"median_ms": times[len(times) // 2], "min_ms": times[0], "peak_mib": children_peak_mib()}


def _renamed_lines(count: int) -> str:
    """``count`` consecutive lines of an indexed standard-library file, every name renamed."""
    import ast
    import keyword
    import re

    source = (Path(json.__file__).parent.parent / "textwrap.py").read_text().splitlines()
    # The code lines (no blank or comment line) of one function body, after its docstring.
    tree = ast.parse("\n".join(source))
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "_handle_long_word")
    first = function.body[1].lineno - 1
    lines = [line for line in source[first : function.end_lineno] if line.strip() and not line.strip().startswith("#")]
    body = "\n".join(lines[:count]) + "\n"
    return re.sub(r"\b[A-Za-z_]\w*\b", lambda m: m[0] if keyword.iskeyword(m[0]) else m[0] + "_x", body)


def part_hook(args: argparse.Namespace) -> dict[str, object]:
    def git(repo: Path, *command: str) -> None:
        subprocess.run(
            ["git", "-c", "user.email=a@b", "-c", "user.name=a", *command], cwd=repo, check=True, capture_output=True
        )

    _compile_bytecode()
    times, codes = [], set()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        git(repo, "init", "-q")
        (repo / "app.py").write_text("print('hello')\n")
        git(repo, "add", "app.py")
        git(repo, "commit", "-qm", "start")
        (repo / "copied.py").write_text(_renamed_lines(10))
        git(repo, "add", "copied.py")
        for _ in range(args.repeat * 3):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "leakguard", "hook", "--index", args.index],
                cwd=repo,
                capture_output=True,
                check=False,
            )
            times.append((time.perf_counter() - started) * 1000)
            codes.add(done.returncode)
    times.sort()
    return {
        "median_ms": times[len(times) // 2],
        "max_ms": times[-1],
        "refused": codes == {1},
        "peak_mib": children_peak_mib(),  # the hook process (git's are smaller)
    }


def part_service(args: argparse.Namespace) -> dict[str, object]:
    """`leakguard serve` with one worker process (threads), then one per core."""
    workers = os.cpu_count() or 1
    result = _service_run(args, 1)
    many = _service_run(args, workers)
    result.update({"workers": workers, **{f"workers_{key}": value for key, value in many.items()}})
    return result


#: wrk's Lua script: POST the bodies of a file (one JSON body a line) in turn, then print
#: what the table needs on one line.
WRK_SCRIPT = """
local bodies = {}
for line in io.lines(os.getenv("LEAKGUARD_BODIES")) do bodies[#bodies + 1] = line end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, "/v1/scan", nil, bodies[(n % #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.3f %.3f\\n", summary.requests, e.status + e.connect + e.read + e.write
    + e.timeout, e.status, summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def _service_run(args: argparse.Namespace, workers: int) -> dict[str, object]:
    """One `leakguard serve` under 16 concurrent clients on loopback: wrk (a load generator
    in C, from Debian's ``wrk`` package) when installed, else Python threads with httpx
    (which then take a core of their own and cap the figure). Every request is scanned:
    the server keeps no result cache (the conversation part measures the cache)."""
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "leakguard", "serve", "--index", args.index, "--port", str(port)]
    command += ["--workers", str(workers), "--cache-chars", "0"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        prompts = _prompts(args.prompts * 2 + 32, random.Random(11))
        result = _wrk_load(url, prompts, args) if shutil.which("wrk") else _httpx_load(url, prompts)
        server_peak = 0.0  # the largest serving process (a worker shares the parent's mapped index)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
        serving = [server.pid, *map(int, children.read_text().split())] if children.exists() else [server.pid]
        for pid in serving:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    server_peak = max(server_peak, int(line.split()[1]) / 1024)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {**result, "clients": 16, "peak_mib": server_peak}


def _wrk_load(url: str, prompts: list[str], args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as work:
        bodies, script = Path(work) / "bodies.jsonl", Path(work) / "scan.lua"
        bodies.write_text("".join(json.dumps({"text": p}) + "\n" for p in prompts))
        script.write_text(WRK_SCRIPT)
        seconds = 2 if args.prompts < 100 else 10
        done = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "LEAKGUARD_BODIES": str(bodies)},
        )
    fields = next(line for line in done.stdout.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, errors, _, micros = (int(x) for x in fields[:4])
    return {
        "load": "wrk",
        "requests": requests,
        "errors": errors,
        "per_s": requests / (micros / 1e6),
        "p50_ms": float(fields[4]),
        "p99_ms": float(fields[5]),
    }


def _httpx_load(url: str, prompts: list[str]) -> dict[str, object]:
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    import numpy as np

    clients, requests = 16, len(prompts) - 32
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    with httpx.Client(base_url=url, limits=limits, timeout=60) as http:

        def ask(n: int) -> tuple[int, float]:
            started = time.perf_counter()
            answer = http.post("/v1/scan", json={"text": prompts[n]})
            return answer.status_code, (time.perf_counter() - started) * 1000

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(ask, range(requests, requests + 32)))  # warm connections
            started = time.perf_counter()
            answers = list(pool.map(ask, range(requests)))
            wall = time.perf_counter() - started
    latencies = [ms for _, ms in answers]
    return {
        "load": "httpx threads",
        "requests": requests,
        "errors": sum(status != 200 for status, _ in answers),
        "per_s": requests / wall,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p99_ms": float(np.percentile(latencies, 99)),
    }


CHAT_TURNS = 20


def part_conversation(args: argparse.Namespace) -> dict[str, object]:
    """A chat through the gateway's body scanner: each request resends the whole history,
    as chat clients do. Requests of the last turn, and the whole chat, with and without
    the Scanner's cache of recent results."""
    import numpy as np

    from leakguard.api import Scanner, load_index
    from leakguard.integrations.payload import guard_body

    index = load_index(args.index)
    messages = _prompts(CHAT_TURNS, random.Random(13))
    out: dict[str, object] = {"turns": CHAT_TURNS}
    for label, cache_chars in (("cached", 4_000_000), ("uncached", 0)):
        scanner = Scanner(index, cache_chars=cache_chars)
        guard_body(scanner, json.dumps({"messages": [{"role": "user", "content": "warm up"}]}).encode())
        times = []
        for turn in range(1, CHAT_TURNS + 1):
            roles = ("user", "assistant")
            history = [{"role": roles[n % 2], "content": m} for n, m in enumerate(messages[:turn])]
            body = json.dumps({"model": "m", "messages": history}).encode()
            started = time.perf_counter()
            guard_body(scanner, body, "application/json")
            times.append((time.perf_counter() - started) * 1000)
        out[f"{label}_total_ms"] = float(np.sum(times))
        out[f"{label}_last_ms"] = times[-1]
    out["peak_mib"] = peak_mib()
    return out


def part_logs(args: argparse.Namespace) -> dict[str, object]:
    """``leakguard scan DIR`` over a directory of logs (mixed prose and code, every third one
    leaking), cold process, with one worker process and with two."""
    _compile_bytecode()
    files = 8 if args.mb >= 8 else 2
    megabytes = args.mb / files  # 1 MB each in a full run
    out: dict[str, object] = {"files": files}
    with tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(12)
        size = 0
        for i in range(files):
            text = mixed_text(megabytes, rng, leaking=i % 3 == 0)
            (Path(tmp) / f"app-{i}.log").write_text(text, encoding="utf-8")
            size += len(text.encode())
        out["mb"] = size / 1e6
        reports = {}
        for jobs in (1, 2):
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                command = [sys.executable, "-m", "leakguard", "scan", tmp, "--index", args.index, "--format", "json"]
                done = subprocess.run([*command, "--jobs", str(jobs)], capture_output=True, check=False)
                times.append(time.perf_counter() - started)
                reports[jobs] = done.stdout
            out[f"jobs{jobs}_s"] = sorted(times)[len(times) // 2]
            out[f"jobs{jobs}_mb_s"] = size / 1e6 / out[f"jobs{jobs}_s"]  # type: ignore[operator]
        out["same_report"] = reports[1] == reports[2]
        out["leaking_files"] = sum(s["is_leak"] for s in json.loads(reports[2])["sources"])
    out["peak_mib"] = children_peak_mib()  # the largest process: a one-worker scan or a worker
    return out


PARTS = {
    "logs": part_logs,
    "conversation": part_conversation,
    "hook": part_hook,
    "service": part_service,
    "throughput": part_throughput,
    "build": part_build,
    "big_index": part_big_index,
    "latency": part_latency,
    "cli": part_cli,
    "threads": part_threads,
}


def run_part(name: str, args: argparse.Namespace) -> dict[str, object]:
    command = [
        sys.executable,
        __file__,
        "--part",
        name,
        "--index",
        args.index,
        "--mb",
        str(args.mb),
        "--repeat",
        str(args.repeat),
        "--fingerprints",
        str(args.fingerprints),
        "--prompts",
        str(args.prompts),
        "--roots",
        str(args.roots),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"part {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ratio(ours: object, theirs: object) -> str:
    return f"{ours / theirs:.2f}x" if isinstance(ours, float) and isinstance(theirs, float) else "n/a"


def num(value: object, fmt: str = ".1f") -> str:
    """A figure as the tables print it; what is not a number (a peer not installed) as it is."""
    return format(value, fmt) if isinstance(value, float | int) else str(value)


def report(results: dict[str, dict[str, object]], command: str) -> str:
    t, b, big, lat, cli = (results[k] for k in ("throughput", "build", "big_index", "latency", "cli"))
    hook, svc, conv, logs = results["hook"], results["service"], results["conversation"], results["logs"]
    thr = results.get("threads", {})

    lines = [
        f"Command: `{command}` ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)",
        "",
        "| measure | leakguard | SCANOSS winnowing (C) | copydetect | leakguard vs SCANOSS | vs copydetect |",
        "|---|---|---|---|---|---|",
        f"| scan throughput, mixed prose and code ({num(t['mb'])} MB), MB/s | {num(t['leakguard_mb_s'])} | "
        f"{num(t['scanoss_mb_s'])} | {num(t['copydetect_mb_s'])} | {_ratio(t['leakguard_mb_s'], t['scanoss_mb_s'])} | "
        f"{_ratio(t['leakguard_mb_s'], t['copydetect_mb_s'])} |",
        f"| the same made of indexed code (every block a leak), MB/s | {num(t['leaking_mb_s'])} | | | | |",
        f"| code-heavy: whole source files, a tenth of them indexed ({num(t.get('code_mb'))} MB, "
        f"{t.get('code_findings')} findings), MB/s | {num(t.get('code_mb_s'))} | {num(t.get('scanoss_code_mb_s'))} | "
        f"{num(t.get('copydetect_code_mb_s'))} | {_ratio(t.get('code_mb_s'), t.get('scanoss_code_mb_s'))} | "
        f"{_ratio(t.get('code_mb_s'), t.get('copydetect_code_mb_s'))} |",
        "",
        "| measure | figure | peak RSS |",
        "|---|---|---|",
        f"| scan throughput (above) | {num(t['leakguard_mb_s'])} MB/s | {num(t['peak_mib'], '.0f')} MiB |",
        f"| 4 KB prompt in-process, index of {big['fingerprints']:,} fingerprints ({big['real_fingerprints']:,} from "
        f"real sources) | p50 {num(lat['p50_ms'], '.2f')} ms, p99 {num(lat['p99_ms'], '.2f')} ms | "
        f"{num(lat['peak_mib'], '.0f')} MiB |",
        f"| the same prompts with one typographic character each (curly quote, em dash, ...) | "
        f"p50 {num(lat.get('typographic_p50_ms'), '.2f')} ms, p99 {num(lat.get('typographic_p99_ms'), '.2f')} ms | |",
        f"| open that index | {num(lat['open_ms'], '.1f')} ms | {num(lat.get('open_peak_mib'), '.0f')} MiB |",
        f"| the same prompts through one `Scanner` from 1 thread, then {thr.get('threads')} threads | "
        f"{num(thr.get('threads1_per_s'), '.0f')} scans/s, "
        f"{num(thr.get('threads' + str(thr.get('threads')) + '_per_s'), '.0f')} scans/s "
        f"({_ratio(thr.get('threads' + str(thr.get('threads')) + '_per_s'), thr.get('threads1_per_s'))}) | "
        f"{num(thr.get('peak_mib'), '.0f')} MiB |",
        f"| a {conv['turns']}-turn chat of 4 KB messages through the gateway's body scanner, each request "
        f"resending the history: last request, whole chat | with the Scanner's cache "
        f"{num(conv['cached_last_ms'], '.1f')} ms, {num(conv['cached_total_ms'], '.0f')} ms; without "
        f"{num(conv['uncached_last_ms'], '.1f')} ms, {num(conv['uncached_total_ms'], '.0f')} ms | "
        f"{num(conv['peak_mib'], '.0f')} MiB |",
        f"| CLI `leakguard scan -`, 4 KB prompt, cold process (bytecode compiled, as pip installs it), same index "
        f"| median {num(cli['median_ms'], '.0f')} ms | {num(cli.get('peak_mib'), '.0f')} MiB |",
        f"| pre-commit `leakguard hook`, staged copy of 10 renamed lines, cold process, same index "
        f"| median {num(hook['median_ms'], '.0f')} ms, max {num(hook['max_ms'], '.0f')} ms "
        f"({'refused' if hook['refused'] else 'NOT refused'}) | {num(hook.get('peak_mib'), '.0f')} MiB |",
        f"| `leakguard scan DIR`, {logs['files']} logs of mixed prose and code ({num(logs['mb'])} MB, "
        f"{logs['leaking_files']} of them leaking), cold process, same index: 1 worker process, 2 | "
        f"{num(logs['jobs1_mb_s'], '.1f')} MB/s "
        f"({num(logs['jobs1_s'], '.2f')} s), {num(logs['jobs2_mb_s'], '.1f')} MB/s ({num(logs['jobs2_s'], '.2f')} s), "
        f"{_ratio(logs['jobs2_mb_s'], logs['jobs1_mb_s'])}; "
        f"{'same report' if logs['same_report'] else 'REPORTS DIFFER'} | {num(logs['peak_mib'], '.0f')} MiB |",
        f"| `leakguard serve`, same index, {svc['requests']} requests of 4 KB (each scanned) from {svc['clients']} "
        f"concurrent clients on loopback ({svc.get('load')}), 1 worker process | "
        f"{num(svc['per_s'], '.0f')} requests/s, p50 {num(svc['p50_ms'], '.1f')} ms, "
        f"p99 {num(svc['p99_ms'], '.1f')} ms, {svc['errors']} errors | {num(svc['peak_mib'], '.0f')} MiB |",
        f"| the same with `--workers {svc.get('workers')}` (one process per core) | "
        f"{num(svc.get('workers_per_s'), '.0f')} requests/s, p50 {num(svc.get('workers_p50_ms'), '.1f')} ms, "
        f"p99 {num(svc.get('workers_p99_ms'), '.1f')} ms, {svc.get('workers_errors')} errors | "
        f"{num(svc.get('workers_peak_mib'), '.0f')} MiB a process |",
        f"| index build, {num(b['source_mb'])} MB of real source, 1 process (best of two, alternating with 2) | "
        f"{num(b['jobs1_mb_s'], '.2f')} MB/s | {num(b['peak_mib'], '.0f')} MiB |",
        f"| index build, 2 processes | {num(b['jobs2_mb_s'], '.2f')} MB/s "
        f"({_ratio(b['jobs2_mb_s'], b['jobs1_mb_s'])} of 1 process) | "
        f"each worker at most {num(b.get('worker_peak_mib'), '.0f')} MiB |",
        f"| index size on disk | {num(b['index_mb'], '.2f')} MB for {num(b['source_mb'])} MB of source "
        f"({100 * float(b['index_mb']) / float(b['source_mb']):.0f}%) | |",  # type: ignore[arg-type]
        "",
        *_floor_table(t, lat),
        "",
        *_index_parts_table(b),
    ]
    return "\n".join(lines)


def _floor_table(t: dict[str, object], lat: dict[str, object]) -> list[str]:
    """The stages every scan runs, on the same text and prompts as the whole scan."""

    def prompt(stage: str) -> str:
        return f"p50 {num(lat[stage + 'p50_ms'], '.2f')} ms, p99 {num(lat[stage + 'p99_ms'], '.2f')} ms"

    scanoss = t["scanoss_mb_s"]
    thrice = f"{3 * scanoss:.1f} MB/s (3x SCANOSS)" if isinstance(scanoss, float) else "n/a"
    return [
        "What every scan runs whatever it finds, on the same text and prompts (each row includes the rows above it):",
        "",
        "| stage | throughput | 4 KB prompt |",
        "|---|---|---|",
        f"| cutting the text into tokens (`lex`) | {num(t['lex_mb_s'])} MB/s | {prompt('lex_')} |",
        f"| + k-gram hashes and index look-up (`lookup`) | {num(t['lookup_mb_s'])} MB/s | {prompt('lookup_')} |",
        f"| + decoding, chaining hits, scoring, findings: the whole scan | {num(t['leakguard_mb_s'])} MB/s | "
        f"{prompt('')} |",
        f"| target | {thrice} | p99 0.50 ms |",
    ]


def _index_parts_table(b: dict[str, object]) -> list[str]:
    """Where the index's bytes go, against the source it was built from."""
    parts = b.get("index_parts_mb")
    if not isinstance(parts, dict):
        return []
    source = float(b["source_mb"])  # type: ignore[arg-type]
    rows = [f"| {part} | {mb:.2f} MB | {100 * mb / source:.1f}% |" for part, mb in parts.items()]
    title = f"Where the index's bytes go ({source:.1f} MB of source):"
    return [title, "", "| part | size | of source |", "|---|---|---|", *rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=sorted(PARTS))
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--index", default=str(WORK / "big-index"))
    parser.add_argument("--mb", type=float, default=8.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fingerprints", type=int, default=10_000_000)
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--roots", type=int, default=0, help="index only the first N source roots (0: all)")
    args = parser.parse_args()
    if args.part:
        print(json.dumps(PARTS[args.part](args)))
        return 0
    if args.smoke:
        args.mb, args.repeat, args.fingerprints, args.prompts, args.roots = 0.5, 1, 200_000, 50, 2
        args.index = str(WORK / "smoke-index")
    WORK.mkdir(exist_ok=True)
    results = {"big_index": run_part("big_index", args)}
    for name in ("throughput", "latency", "threads", "conversation", "cli", "hook", "logs", "service", "build"):
        results[name] = run_part(name, args)
    from results import command_line, publish

    publish("speed", "Speed and memory", report(results, command_line("speed.py", args.smoke, args.write)), args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
