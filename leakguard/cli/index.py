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
    quiet: bool,
) -> None:
    """Fingerprint the repositories at PATHS into an index at --out (no source text is stored)."""
    from leakguard.api import build_index
    from leakguard.config import find_config
    from leakguard.index.public import public_code
    from leakguard.report.progress import index_progress

    key = key_or_environment(key_file)
    with index_progress(not quiet and sys.stderr.isatty()) as progress:
        index = build_index(paths, k=k, window=window, key=key, jobs=jobs, progress=progress, public=not no_public)
    for item in (*allowed, *find_config(Path.cwd()).allow):
        index = index.without(public_code(item, index.params, key))
    target = index.save(out)
    if not quiet:
        stats = index.stats
        click.echo(
            f"indexed {stats['files']} files ({stats['lines']} lines, {stats['skipped_files']} skipped) "
            f"into {target}: {stats['fingerprints']} fingerprints, {stats['units']} units",
            err=True,
        )
        for reason in stats.get("public_skipped", []):
            click.echo(f"warning: public set not applied: {reason}", err=True)


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
