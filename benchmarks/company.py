"""A company's whole code: incremental builds, Dask builds, a 100M-fingerprint index, sizing.

Sources are real packages (the ``indexed`` role of ``benchmarks/ecosystems.py``), copied
into one git repository, one folder (one source, one shard) per package, as a monorepo
of many projects would be. Parts, in one run:

* ``incremental``: a full build (``leakguard.api.update_index``, 2 processes); then 1% of
  the files edited (a line of code duplicated in the middle of each) and committed, and
  the update timed; then another 1% edited but not committed and the update timed with
  git hidden (every known file read and compared by digest: the no-git path); then a full
  build of the edited tree into a fresh directory, which must be byte-identical; and the
  merge alone (shards to ``index.lgx``), the floor of any update.
* ``dask``: full builds of part of the sources on a ``distributed.LocalCluster`` of 1 and
  2 worker processes, beside local builds with 1 and 2 processes; every index must equal
  the local one.
* ``large``: ``speed.py``'s latency index topped up with synthetic fingerprints to 100
  million, beside the 10 million one: time to open (fresh process, median of 7), 4 KB
  prompt p50/p99 (``speed.py --part latency``) and peak memory.

The sizing guide in the README is made from these figures.

    python benchmarks/company.py --write      # 500 MB of source, 100M fingerprints (about 25 min)
    python benchmarks/company.py --smoke      # a few MB (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import ecosystems  # noqa: E402
from results import command_line, publish  # noqa: E402

WORK = HERE / ".work" / "company"
PARTS = ("incremental", "dask", "large")
ENGINES = (
    ("local, 1 process", "local1_s"),
    ("local, 2 processes", "local2_s"),
    ("Dask, 1 worker", "dask1_s"),
    ("Dask, 2 workers", "dask2_s"),
)


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@leakguard", *args],
        check=True,
        capture_output=True,
    )


def _tree_mb(roots: list[Path]) -> float:
    return sum(p.stat().st_size for root in roots for p in root.rglob("*") if p.is_file()) / 1e6


def prepare(limit_mb: float) -> list[Path]:
    """Copy indexed packages up to ``limit_mb`` into one fresh git repository; the package folders."""
    from scale import index_roots

    from leakguard.index.walk import root_names

    packages = index_roots(limit_mb)
    repo = WORK / "src"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    roots = []
    for name, package in zip(root_names(packages), packages, strict=True):
        shutil.copytree(package, repo / name, symlinks=True)
        roots.append(repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    # Packed, as a clone is: left with some 60,000 loose objects, a commit starts git's
    # automatic gc in the background, and the build or update timed next would share the
    # two cores with it (so this commit starts none, and the gc runs here).
    _git(repo, "-c", "gc.auto=0", "commit", "-q", "-m", "sources")
    _git(repo, "gc", "-q")
    return roots


def edit(roots: list[Path], share: float, rng: random.Random) -> int:
    """Duplicate a line of code in the middle of ``share`` of the indexed files; how many were edited."""
    from leakguard.index.walk import iter_source_files

    files = [f.path for root in roots for f in iter_source_files([root])]
    chosen = rng.sample(files, max(1, round(share * len(files))))
    for path in chosen:
        lines = path.read_bytes().split(b"\n")
        middle = len(lines) // 2
        lines.insert(middle, lines[middle] + b" ")
        path.write_bytes(b"\n".join(lines))
    return len(chosen)


def part_incremental(roots: list[Path]) -> dict[str, Any]:
    from leakguard.api import update_index
    from leakguard.index.merge import index_from_shards
    from leakguard.index.shard import existing_shards
    from leakguard.index.update import read_shards, sources_for

    out, fresh = WORK / "index", WORK / "full-again"
    for directory in (out, fresh):
        shutil.rmtree(directory, ignore_errors=True)
    rng = random.Random(24)
    started = time.perf_counter()
    first = update_index(roots, out, jobs=2)
    full_s = time.perf_counter() - started
    stats = first.index.stats
    repo = roots[0].parent

    edited = edit(roots, 0.01, rng)
    _git(repo, "commit", "-q", "-am", "edits")
    started = time.perf_counter()
    by_git = update_index(roots, out, jobs=2)
    git_s = time.perf_counter() - started

    edited_plain = edit(roots, 0.01, rng)
    hidden = repo / ".git-hidden"
    (repo / ".git").rename(hidden)
    try:
        started = time.perf_counter()
        by_digest = update_index(roots, out, jobs=2)
        digest_s = time.perf_counter() - started
    finally:
        hidden.rename(repo / ".git")
    # git is back: an update with nothing changed records the commit again (and fingerprints nothing)
    started = time.perf_counter()
    unchanged = update_index(roots, out, jobs=2)
    nothing_s = time.perf_counter() - started
    assert unchanged.report.added + unchanged.report.changed == 0

    started = time.perf_counter()
    update_index(roots, fresh, jobs=2, full=True)
    full_again_s = time.perf_counter() - started
    identical = (out / "index.lgx").read_bytes() == (fresh / "index.lgx").read_bytes()

    started = time.perf_counter()
    shards = read_shards(out, first.index.params)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    merged = index_from_shards([shards[s.name] for s in sources_for(roots)], first.index.params)
    merge_s = time.perf_counter() - started
    assert merged.stats["fingerprints"] == by_digest.index.stats["fingerprints"]
    return {
        "mb": _tree_mb(roots),
        "sources": len(roots),
        "files": stats["files"],
        "fingerprints": stats["fingerprints"],
        "index_bytes": (out / "index.lgx").stat().st_size,
        "shard_bytes": sum(p.stat().st_size for p in existing_shards(out)),
        "full_s": full_s,
        "full_again_s": full_again_s,
        "edited": edited,
        "git_s": git_s,
        "git_report": vars(by_git.report),
        "edited_plain": edited_plain,
        "digest_s": digest_s,
        "digest_report": vars(by_digest.report),
        "nothing_s": nothing_s,
        "identical": identical,
        "read_shards_s": read_s,
        "merge_s": merge_s,
    }


def part_dask(roots: list[Path], limit_mb: float) -> dict[str, Any]:
    from distributed import LocalCluster

    import leakguard

    subset, total = [], 0.0
    for root in roots:
        if total >= limit_mb:
            break
        subset.append(root)
        total += _tree_mb([root])
    runs: dict[str, float] = {}
    reference = None
    identical = True
    for jobs in (1, 2):
        started = time.perf_counter()
        index = leakguard.build_index(subset, jobs=jobs)
        runs[f"local{jobs}_s"] = time.perf_counter() - started
        reference = reference or index
    assert reference is not None
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            started = time.perf_counter()
            index = leakguard.build_index(subset, scheduler=cluster.scheduler_address)
            runs[f"dask{workers}_s"] = time.perf_counter() - started
        identical &= all(index.arrays[n].tobytes() == a.tobytes() for n, a in reference.arrays.items())
    return {"mb": total, "sources": len(subset), **runs, "identical": identical}


def part_large(fingerprints: list[int], prompts: int) -> dict[str, Any]:
    """speed.py's latency index at each size: build (once), open in fresh processes, latency."""
    out: dict[str, Any] = {}
    for count in fingerprints:
        index = HERE / ".work" / f"index-{count // 1_000_000}m"
        marker = index / "fingerprints.txt"
        if not marker.exists() or marker.read_text() != str(count):
            built = _speed("big_index", index, count, prompts)
            marker.write_text(str(count))
        else:
            built = {}
        opens = []
        for _ in range(7):
            code = (
                "import time, leakguard; t = time.perf_counter(); "
                f"leakguard.load_index({str(index)!r}); print((time.perf_counter() - t) * 1000)"
            )
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            opens.append(float(done.stdout.strip()))
        latency = _speed("latency", index, count, prompts)
        out[str(count)] = {
            **{f"build_{k}": v for k, v in built.items()},
            "index_bytes": (index / "index.lgx").stat().st_size,
            "open_ms": statistics.median(opens),
            **latency,
        }
    return out


def _speed(part: str, index: Path, fingerprints: int, prompts: int) -> dict[str, Any]:
    command = [sys.executable, str(HERE / "speed.py"), "--part", part, "--index", str(index),
               "--fingerprints", str(fingerprints), "--prompts", str(prompts)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"speed.py --part {part} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def table(r: dict[str, Any]) -> str:
    inc, dk, large = r["incremental"], r["dask"], r["large"]
    mb = inc["mb"]
    full = min(inc["full_s"], inc["full_again_s"])  # the first build of a run is often the slower
    lines = [
        "### Incremental builds",
        "",
        f"{mb:.0f} MB of real package source: {inc['sources']} packages (one source, one shard each) in one git "
        f"repository; {inc['files']:,} files, {inc['fingerprints']:,} fingerprints. 2 processes.",
        "",
        "| build | time | share of a full build (the faster of the two) | files fingerprinted |",
        "|---|---|---|---|",
        f"| full | {inc['full_s']:.1f} s | {100 * inc['full_s'] / full:.0f}% | {inc['files']:,} |",
        f"| update after editing 1% of files ({inc['edited']}), committed (git names them) | {inc['git_s']:.1f} s | "
        f"{100 * inc['git_s'] / full:.1f}% | {inc['git_report']['changed'] + inc['git_report']['added']} |",
        f"| update after editing another 1% ({inc['edited_plain']}), no git (every file read, digests compared) | "
        f"{inc['digest_s']:.1f} s | {100 * inc['digest_s'] / full:.1f}% | "
        f"{inc['digest_report']['changed'] + inc['digest_report']['added']} |",
        f"| update with nothing changed (git) | {inc['nothing_s']:.1f} s | {100 * inc['nothing_s'] / full:.1f}% | 0 |",
        f"| full build of the edited tree, fresh directory | {inc['full_again_s']:.1f} s | "
        f"{100 * inc['full_again_s'] / full:.0f}% | {inc['files']:,} |",
        "",
        f"The updated index is byte-identical to the fresh full build: **{'yes' if inc['identical'] else 'NO'}**. "
        "An update patches the index it replaces (one pass over its postings: `leakguard/index/patch.py`) and "
        "writes a delta beside each shard that changed; merging every shard from scratch instead takes "
        f"{inc['merge_s']:.1f} s with the public sets applied, after reading them ({inc['read_shards_s']:.1f} s).",
        "",
        "### Builds on Dask (LocalCluster on this machine's 2 cores)",
        "",
        f"{dk['mb']:.0f} MB of the same sources ({dk['sources']} packages).",
        "",
        "| engine | time | MB/s |",
        "|---|---|---|",
        *[f"| {label} | {dk[key]:.1f} s | {dk['mb'] / dk[key]:.2f} |" for label, key in ENGINES],
        "",
        f"Every Dask-built index equals the local one: **{'yes' if dk['identical'] else 'NO'}**.",
        "",
        "### Large indexes",
        "",
        "| fingerprints | index on disk | open (fresh process, median of 7) | 4 KB prompt p50 | p99 | "
        "typographic p99 | peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in large.values():
        lines.append(
            f"| {int(f['fingerprints']):,} | {f['index_bytes'] / 2**20:,.0f} MiB | {f['open_ms']:.1f} ms | "
            f"{f['p50_ms']:.2f} ms | {f['p99_ms']:.2f} ms | {f['typographic_p99_ms']:.2f} ms | "
            f"{f['peak_mib']:.0f} MiB |"
        )
    sizes = list(large.values())
    if len(sizes) > 1:
        lines += ["", f"p99 at the largest size is {sizes[-1]['p99_ms'] / sizes[0]['p99_ms']:.2f}x the smallest's."]
    per_mb_fp = inc["fingerprints"] / mb
    lines += [
        "",
        "### Sizing figures (what the README's sizing guide is made of)",
        "",
        f"- {per_mb_fp:,.0f} fingerprints and {inc['index_bytes'] / mb / 1e3:.0f} KB of index per MB of source "
        f"({100 * inc['index_bytes'] / (mb * 1e6):.0f}%); shards (build state, not shipped) "
        f"{inc['shard_bytes'] / mb / 1e3:.0f} KB per MB.",
        f"- Full build {mb / inc['full_s']:.2f} MB/s on 2 processes: {100e3 / (mb / inc['full_s']) / 3600:.1f} hours "
        "per 100 GB on these 2 cores.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few MB and a small large index (CI)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--mb", type=float, default=500.0)
    parser.add_argument("--dask-mb", type=float, default=60.0)
    parser.add_argument("--fingerprints", default="10000000,100000000")
    parser.add_argument(
        "--parts",
        default="incremental,dask,large",
        help="parts to run; the others are taken from the last full run's figures (.work/company/report.json)",
    )
    args = parser.parse_args()
    if not ecosystems.packages("indexed"):
        print("company: no ecosystem packages (python benchmarks/ecosystems.py fetch); skipped", file=sys.stderr)
        return 0
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("company: the dask extra is not installed (pip install -e '.[dask]'); skipped", file=sys.stderr)
        return 0
    mb, dask_mb, sizes = (3.0, 2.0, [300_000]) if args.smoke else (args.mb, args.dask_mb, [])
    sizes = sizes or [int(n) for n in args.fingerprints.split(",")]
    parts = set(args.parts.split(","))
    saved = WORK / ("report-smoke.json" if args.smoke else "report.json")
    report: dict[str, Any] = json.loads(saved.read_text()) if saved.exists() and parts != set(PARTS) else {}
    missing = set(PARTS) - parts - set(report)
    if missing:
        raise SystemExit(f"company: no saved figures for {', '.join(sorted(missing))}: run those parts too")
    roots = prepare(mb) if parts & {"incremental", "dask"} else []
    if "incremental" in parts:
        report["incremental"] = part_incremental(roots)
    if "dask" in parts:
        report["dask"] = part_dask(roots, dask_mb)
    if "large" in parts:
        report["large"] = part_large(sizes, 200 if args.smoke else 1000)
    saved.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1), file=sys.stderr)
    command = command_line("company.py", args.smoke, args.write)
    if parts != set(PARTS):
        whole = command_line("company.py", args.smoke, True)
        command += f" --parts {args.parts}`; the other parts from the last full run, `{whole}"
    text = f"Command: `{command}` ({time.strftime('%Y-%m-%d')}, 2 cores)\n\n{table(report)}"
    publish("company", "A company's whole code: incremental builds, Dask, large indexes", text, args.write)
    ok = report["incremental"]["identical"] and report["dask"]["identical"]
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
