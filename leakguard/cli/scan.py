"""``leakguard scan``, ``redact`` and ``explain``: the commands that read text."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from leakguard.cli.app import cli
from leakguard.cli.settings import (
    LeakFound,
    Settings,
    display,
    index_options,
    key_or_environment,
    resolve_settings,
    source_options,
)

if TYPE_CHECKING:
    from leakguard.inputs import Outcome, Source


@cli.command("scan")
@click.argument("sources", nargs=-1, type=str)
@index_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default=None,
    help="Output format [default: text, or format in [tool.leakguard]].",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Text format: one line per finding (SOURCE:LINE: matches PATH lines A-B), nothing when clean.",
)
@click.option("--color/--no-color", default=None, help="Force or disable colour in text output.")
@click.option(
    "--jobs",
    "-j",
    default=0,
    show_default="one per core",
    type=click.IntRange(min=0),
    help="Worker processes for several sources (a directory of logs; Linux).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Scan several sources in local processes, or on a Dask cluster that sees the same files and index "
    "(needs leakguard[dask] and --scheduler).",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
def scan_command(
    sources: tuple[str, ...],
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
    output_format: str | None,
    quiet: bool,
    color: bool | None,
    jobs: int,
    engine: str,
    scheduler: str | None,
) -> None:
    """Scan SOURCES (files, directories of files, or - for standard input) for indexed code.

    With one file or standard input, each finding is shown with the scanned lines; with
    several, or a directory (a folder of logs), a summary table lists the sources that leak.
    A source that cannot be read is reported and the others are still scanned. Exit 1 if
    anything leaks, else 2 if a source could not be scanned, else 0.
    """
    from leakguard import __version__
    from leakguard.errors import InputError
    from leakguard.inputs import expand, scan_sources

    settings = resolve_settings(index_dir, key_file, threshold, baseline)
    output_format = output_format or settings.config.format or "text"
    expanded = expand(sources or ("-",))
    single = len(expanded) == 1 and not expanded[0].walked
    if engine == "dask":
        outcomes = _scan_on_dask(settings, expanded, index_dir, baseline, scheduler)
    else:
        # Several sources are summarised, never quoted: keep their findings, not their text.
        outcomes = scan_sources(settings.scanner, expanded, keep_text=single, jobs=jobs)
    failed = [o for o in outcomes if o.error is not None]
    if single and failed:
        raise InputError(f"{failed[0].source}: {failed[0].error}")
    if output_format == "json":
        from leakguard.report.json import render_json

        click.echo(render_json(outcomes, __version__))
    elif output_format == "sarif":
        from leakguard.report.sarif import render_sarif

        click.echo(render_sarif(outcomes, __version__))
    elif quiet:
        from leakguard.report.text import render_lines

        render_lines(outcomes, sys.stdout, sys.stderr)
    elif single:
        from leakguard.report.text import render_text

        assert outcomes[0].result is not None  # a named file is scanned or fails
        render_text(outcomes[0].result, outcomes[0].source, sys.stdout, color=color)
    else:
        from leakguard.report.text import render_summary

        render_summary(outcomes, sys.stdout, color=color)
    if any(o.is_leak for o in outcomes):
        raise LeakFound
    if failed:
        count = len(failed)
        raise InputError(f"{count} of {len(outcomes)} sources could not be scanned (see the report)")


def _scan_on_dask(
    settings: Settings, sources: list[Source], index_dir: str | None, baseline: str | None, scheduler: str | None
) -> list[Outcome]:
    from leakguard.cluster import scan_on_dask
    from leakguard.errors import ConfigError

    if not scheduler:
        raise ConfigError("--engine dask needs --scheduler ADDRESS (the Dask scheduler to run on)")
    if any(source.name == "-" for source in sources):
        raise ConfigError("--engine dask scans files, not standard input")
    location = index_dir or settings.config.index
    assert location is not None  # resolve_settings opened it, so it was named somewhere
    scanner = settings.scanner
    named = baseline or settings.config.baseline
    return scan_on_dask(sources, location, scanner.index.key, scanner.policy, named, scheduler)


@cli.command("redact")
@source_options
@click.option("--template", default=None, help="Placeholder, with {path}, {lines}, {start_line}, {end_line}.")
def redact_command(
    source: str,
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
    template: str | None,
) -> None:
    """Print SOURCE with every match replaced by a placeholder. Exit 1 if anything was redacted."""
    from leakguard.inputs import open_source
    from leakguard.stream import redact_stream

    scanner = resolve_settings(index_dir, key_file, threshold, baseline).scanner
    with open_source(source) as stream:
        # Bytes out, so everything outside the findings is written back byte for byte.
        out = sys.stdout.buffer
        result = redact_stream(
            scanner.index,
            stream,
            lambda s: out.write(s.encode("utf-8")),
            scanner.policy,
            template,
            display(source),
            scanner.baseline,
        )
    out.flush()
    if result.is_leak:
        raise LeakFound


@cli.command("explain")
@source_options
@click.option(
    "--source-root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Checkout of the indexed repository, to show the matching source lines.",
)
@click.option("--color/--no-color", default=None, help="Force or disable colour.")
def explain_command(
    source: str,
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
    source_root: Path | None,
    color: bool | None,
) -> None:
    """Show each match in SOURCE beside the indexed file and lines it came from. Exit 1 on a leak."""
    from leakguard.inputs import Source, scan_source
    from leakguard.report.explain import render_explain

    settings = resolve_settings(index_dir, key_file, threshold, baseline)
    scanner = settings.scanner
    outcome = scan_source(scanner, Source(source))
    assert outcome.result is not None  # only directory walks skip sources
    paths: dict[str, str] = {}
    where = index_dir or settings.config.index  # the one Scanner.open read (--index takes LEAKGUARD_INDEX)
    if scanner.index.stats.get("paths") == "hashed" and where and os.pathsep not in where:
        from leakguard.index.pathnames import build_paths

        # Hashed names read back from the build's shards, when this is the build directory.
        paths = build_paths(Path(where), [f.path for f in outcome.result.findings], key_or_environment(key_file))
    render_explain(outcome.result, outcome.source, sys.stdout, source_root, color, scanner.index, paths)
    if outcome.result.is_leak:
        raise LeakFound
