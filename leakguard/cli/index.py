"""``leakguard index`` and ``leakguard info``: build an index, and describe one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from leakguard.cli.app import cli
from leakguard.cli.settings import key_or_environment
from leakguard.options import DEFAULT_PARAMS


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=True))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Directory to write the index to.")
@click.option(
    "--jobs", "-j", default=0, show_default="one per core", type=click.IntRange(min=0), help="Worker processes."
)
@click.option("--k", "k", default=DEFAULT_PARAMS.k, show_default=True, type=int, help="Tokens per k-gram.")
@click.option("--window", default=DEFAULT_PARAMS.window, show_default=True, type=int, help="Winnowing window.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="Secret key to hash with (or LEAKGUARD_KEY).")
@click.option(
    "--allow",
    "allowed",
    multiple=True,
    type=click.Path(exists=True),
    help="Public code, or a public set (fingerprints/public), to leave out of the index. Repeatable; "
    "adds to allow in [tool.leakguard].",
)
@click.option(
    "--no-public",
    is_flag=True,
    help="Do not apply the shipped public sets (the background model of public code, licence texts).",
)
@click.option(
    "--full", is_flag=True, help="Fingerprint every file again, ignoring what an earlier build at --out kept."
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Fingerprint in local processes, or on a Dask cluster (needs leakguard[dask] and --scheduler).",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
@click.option(
    "--hash-paths/--readable-paths",
    "hash_paths",
    default=None,
    help="Store file paths hashed (keyed with --key-file), so the index does not tell them; "
    "'leakguard resolve' reads them back from --out/shards. Default: as the index at --out does.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def index_command(
    paths: tuple[str, ...],
    out: str,
    jobs: int,
    k: int,
    window: int,
    key_file: str | None,
    allowed: tuple[str, ...],
    no_public: bool,
    full: bool,
    engine: str,
    scheduler: str | None,
    hash_paths: bool | None,
    quiet: bool,
) -> None:
    """Fingerprint the repositories at PATHS into an index at --out (no source text is stored).

    Run again with the same --out, only the files changed since (by git, or by content)
    are fingerprinted again; the index written is the one a full build writes. Beside
    index.lgx, --out/shards/ keeps each repository's fingerprints for that: build state,
    not needed to scan (ship index.lgx alone).
    """
    from leakguard.api import update_index
    from leakguard.config import find_config
    from leakguard.errors import ConfigError
    from leakguard.report.progress import index_progress

    if engine == "dask" and not scheduler:
        raise ConfigError("--engine dask needs --scheduler ADDRESS (the Dask scheduler to run on)")
    key = key_or_environment(key_file)
    config = find_config(Path.cwd())
    with index_progress(not quiet and sys.stderr.isatty()) as progress:
        done = update_index(
            paths,
            out,
            k=k,
            window=window,
            key=key,
            jobs=jobs,
            progress=progress,
            public=not no_public,
            allowed=(*allowed, *config.allow),
            labels=config.labels,
            full=full,
            scheduler=scheduler if engine == "dask" else None,
            hash_paths=hash_paths,
        )
    if not quiet:
        stats, report = done.index.stats, done.report
        click.echo(
            f"indexed {stats['files']} files ({stats['lines']} lines, {stats['skipped_files']} skipped) "
            f"into {done.path}: {stats['fingerprints']} fingerprints, {stats['units']} units",
            err=True,
        )
        named = {source["name"] for source in stats["sources"]}
        for unknown in sorted(set(config.labels) - named):
            click.echo(
                f"warning: labels for {unknown!r} in {config.source}, but no source of that name was indexed "
                f"(sources: {', '.join(sorted(named))})",
                err=True,
            )
        if not report.full:
            click.echo(
                f"updated: {report.added} added, {report.changed} changed, {report.removed} removed, "
                f"{report.unchanged} unchanged",
                err=True,
            )
        for reason in stats.get("public_skipped", []):
            click.echo(f"warning: public set not applied: {reason}", err=True)


@cli.command("merge")
@click.argument("indexes", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Directory to write the index to.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="Secret key the indexes were built with.")
@click.option("--no-public", is_flag=True, help="Do not apply the shipped public sets.")
@click.option(
    "--hash-paths/--readable-paths",
    "hash_paths",
    default=None,
    help="Store file paths hashed. Default: hashed when any of INDEXES stores them hashed.",
)
@click.option("--quiet", "-q", is_flag=True, help="No summary.")
def merge_command(
    indexes: tuple[str, ...], out: str, key_file: str | None, no_public: bool, hash_paths: bool | None, quiet: bool
) -> None:
    """Merge the index directories INDEXES (their shards) into one index at --out.

    The result is the index one build of all their repositories would write; the
    repositories must have different folder names."""
    from leakguard.index.merge import merge_directories

    key = key_or_environment(key_file)
    index = merge_directories(indexes, out, key, public=not no_public, hash_paths=hash_paths)
    if not quiet:
        stats = index.stats
        names = ", ".join(source["name"] for source in stats["sources"])
        click.echo(f"merged {names} into {out}: {stats['files']} files, {stats['fingerprints']} fingerprints", err=True)


@cli.command("resolve")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--index",
    "index_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="The build directory of the index (its shards/ folder holds the paths).",
)
@click.option("--key-file", type=click.Path(dir_okay=False), help="Secret key the index was built with.")
def resolve_command(names: tuple[str, ...], index_dir: str, key_file: str | None) -> None:
    """Turn hashed file names of findings (source/~hash) back into paths: one 'NAME<TAB>PATH'
    line each. NAMES '-' reads names from standard input, one a line.

    Needs the shards an index build keeps (--out/shards/, never shipped) and its key. A name
    no indexed file has is reported on standard error, and the exit status is 2."""
    from leakguard.errors import InputError
    from leakguard.index.merge import shards_of
    from leakguard.index.pathnames import resolve

    wanted = [line.strip() for name in names for line in (sys.stdin if name == "-" else [name]) if line.strip()]
    shards, _ = shards_of([index_dir])
    found = resolve(wanted, shards, key_or_environment(key_file))
    for name in wanted:
        if name in found:
            click.echo(f"{name}\t{found[name]}")
        else:
            click.echo(f"leakguard: {name}: no file of {index_dir} has this name", err=True)
    if len(found) < len(set(wanted)):
        raise InputError(f"{len(set(wanted)) - len(found)} names not resolved (another key, or another index?)")


@cli.command("info")
@click.option("--index", "index_dir", required=True, type=click.Path(), envvar="LEAKGUARD_INDEX")
@click.option("--verify", is_flag=True, help="Also check every section's checksum.")
def info_command(index_dir: str, verify: bool) -> None:
    """Show an index's parameters, statistics and size (bytes on disk, and of each part)."""

    from leakguard.index.format import container_file, read_container
    from leakguard.index.store import part_bytes

    container = read_container(Path(index_dir), verify=verify)
    header = {key: value for key, value in container.header.items() if key != "sections"}
    size = container_file(Path(index_dir)).stat().st_size
    header["size"] = {"bytes": size, "parts": part_bytes(container.arrays)}
    click.echo(json.dumps(header, indent=2, sort_keys=True))
