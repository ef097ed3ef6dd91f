"""``leakguard public`` and ``leakguard allow``: telling the index what is public code."""

from __future__ import annotations

from pathlib import Path

import click

from leakguard.cli.app import cli
from leakguard.cli.settings import key_or_environment
from leakguard.options import DEFAULT_PARAMS


@cli.command("public")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Directory to write the set to.")
@click.option(
    "--min-packages",
    type=click.IntRange(min=1),
    default=None,
    help="Idiom set: keep only shapes found in at least this many of PATHS (each one package).",
)
@click.option(
    "--background",
    is_flag=True,
    help="Background model: PATHS are public packages (each one package); write background-shapes/, "
    "background-code/ (what at least --min-packages of them share, default 3) and background-names/ "
    "(names and values 1% of them use) under --out.",
)
@click.option("--k", "k", default=DEFAULT_PARAMS.k, show_default=True, type=int, help="Tokens per k-gram.")
@click.option("--window", default=DEFAULT_PARAMS.window, show_default=True, type=int, help="Winnowing window.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="The key of the indexes it will apply to.")
@click.option("--jobs", "-j", default=0, show_default="one per core", type=click.IntRange(min=0))
def public_command(
    paths: tuple[str, ...],
    out: str,
    min_packages: int | None,
    background: bool,
    k: int,
    window: int,
    key_file: str | None,
    jobs: int,
) -> None:
    """Fingerprint public code at PATHS into a public set at --out (for 'allow' and 'index --allow')."""
    from leakguard.index.public import exact_set, idiom_set
    from leakguard.normalise.alphabet import key_id
    from leakguard.options import FingerprintParams

    key = key_or_environment(key_file)
    params = FingerprintParams(k=k, window=window, key_id=key_id(key))
    if background:
        from leakguard.index.background import background_sets

        roots = [Path(p) for p in paths]
        made_sets = background_sets(roots, params, min_packages or 3, key, jobs)
        for name, made in zip(("background-shapes", "background-code", "background-names"), made_sets, strict=True):
            target = made.save(Path(out) / name)
            click.echo(f"{made.kind} set of {made.hashes.shape[0]} fingerprints from {len(roots)} packages "
                       f"written to {target}", err=True)  # fmt: skip
        return
    exact = min_packages is None
    public = exact_set(paths, params, key) if exact else idiom_set(paths, params, min_packages or 1, key)
    target = public.save(out)
    click.echo(f"{public.kind} set of {public.hashes.shape[0]} fingerprints written to {target}", err=True)


@cli.command("allow")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--index", "index_dir", required=True, type=click.Path(), envvar="LEAKGUARD_INDEX", help="Index to update."
)
@click.option("--key-file", type=click.Path(dir_okay=False), help="Key the index was built with (or LEAKGUARD_KEY).")
def allow_command(paths: tuple[str, ...], index_dir: str, key_file: str | None) -> None:
    """Take public code at PATHS (source, or public sets) out of the index, in place.

    Copies of that code (same shape and same names) stop being reported; proprietary code
    that merely looks like it is kept. An idiom set's shapes stay, counting only where the
    names match too.
    """
    from leakguard.api import load_index
    from leakguard.index.public import public_code

    key = key_or_environment(key_file)
    index = load_index(index_dir, key=key)
    before = index.stats["fingerprints"]
    marked_before = int(index.stats.get("public_marked", 0))
    for item in paths:
        index = index.without(public_code(item, index.params, key))
    index.save(Path(index_dir))
    removed = before - index.stats["fingerprints"]
    marked = int(index.stats.get("public_marked", 0)) - marked_before
    message = f"{index_dir}: {removed} of {before} fingerprints were public code and are gone"
    if marked:
        message += f"; {marked} are public idioms and count only with their names"
    click.echo(message, err=True)
