"""The ``leakguard`` command: a thin shell over the library.

Exit codes, decided in :func:`main` alone:

* 0: clean (or the command succeeded),
* 1: a leak was found,
* 2: usage error, unusable input, or a missing, corrupt or incompatible index.

Heavy modules (the reporting layer, rich, tree-sitter) are imported inside the commands
that need them, so ``leakguard scan`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leakguard.api import Scanner
    from leakguard.hook import StagedFinding

import click

from leakguard.config import Config, find_config
from leakguard.errors import ConfigError, InputError, LeakguardError
from leakguard.options import DEFAULT_PARAMS, DEFAULT_POLICY

EXIT_CLEAN = 0
EXIT_LEAK = 1
EXIT_ERROR = 2


class _LeakFound(Exception):
    """Raised by a command to make main() exit 1 after output is written."""


def _read_key(key_file: str | None) -> bytes | None:
    if key_file is None:
        return None
    try:
        return Path(key_file).read_bytes().strip()
    except OSError as exc:
        raise InputError(f"cannot read key file {key_file}: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class _Settings:
    """Flags, then environment (click's envvar), then the configuration file, then defaults."""

    scanner: Scanner
    config: Config


def _settings(
    index_dir: str | None, key_file: str | None, threshold: float | None, baseline: str | None = None
) -> _Settings:
    from leakguard.api import Scanner, load_index
    from leakguard.baseline import load_baseline

    config = find_config(Path.cwd())
    index_dir = index_dir or config.index
    if not index_dir:
        raise click.UsageError("no index: pass --index, set LEAKGUARD_INDEX, or set index in [tool.leakguard]")
    key = _read_key(key_file or config.key_file)
    baseline = baseline or config.baseline
    accepted = load_baseline(baseline) if baseline else None
    return _Settings(Scanner(load_index(index_dir, key=key), config.policy(threshold), accepted), config)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="leakguard")
def cli() -> None:
    """Find proprietary source code in outgoing text (prompts, logs, diffs, commits)."""


@cli.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=True))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Directory to write the index to.")
@click.option(
    "--jobs", "-j", default=0, show_default="one per core", type=click.IntRange(min=0), help="Worker processes."
)
@click.option("--k", "k", default=DEFAULT_PARAMS.k, show_default=True, type=int, help="Tokens per k-gram.")
@click.option("--window", default=DEFAULT_PARAMS.window, show_default=True, type=int, help="Winnowing window.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="Secret key to hash with (or LEAKGUARD_KEY).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def index_command(
    paths: tuple[str, ...], out: str, jobs: int, k: int, window: int, key_file: str | None, quiet: bool
) -> None:
    """Fingerprint the repositories at PATHS into an index at --out (no source text is stored)."""
    from leakguard.api import KEY_ENV, build_index
    from leakguard.report.progress import index_progress

    key = _read_key(key_file)
    if key is None:
        key = os.environ.get(KEY_ENV, "").encode()
    with index_progress(not quiet and sys.stderr.isatty()) as progress:
        index = build_index(paths, k=k, window=window, key=key, jobs=jobs, progress=progress)
    target = index.save(out)
    if not quiet:
        stats = index.stats
        click.echo(
            f"indexed {stats['files']} files ({stats['lines']} lines, {stats['skipped_files']} skipped) "
            f"into {target}: {stats['fingerprints']} fingerprints, {stats['units']} units",
            err=True,
        )


def _index_options(function: Callable[..., None]) -> Callable[..., None]:
    """--index, --key-file, --threshold and --baseline, shared by every command that scans."""
    function = click.option(
        "--baseline",
        type=click.Path(dir_okay=False),
        default=None,
        help="File of accepted findings to leave out (see 'leakguard baseline'; or baseline in the config).",
    )(function)
    function = click.option(
        "--threshold",
        type=float,
        default=None,
        help=f"Evidence in tokens at which a match is a leak (default {DEFAULT_POLICY.threshold:g}).",
    )(function)
    function = click.option(
        "--key-file", type=click.Path(dir_okay=False), help="Key the index was built with (or LEAKGUARD_KEY)."
    )(function)
    function = click.option(
        "--index",
        "index_dir",
        default=None,
        type=click.Path(),
        envvar="LEAKGUARD_INDEX",
        help="Index directory (or LEAKGUARD_INDEX, or index in [tool.leakguard]).",
    )(function)
    return function


def _display(source: str) -> str:
    return "<stdin>" if source == "-" else source


def _source_options(function: Callable[..., None]) -> Callable[..., None]:
    """The index options plus the SOURCE argument (a file, or - for standard input)."""
    return click.argument("source", default="-", type=str)(_index_options(function))


@cli.command("scan")
@click.argument("sources", nargs=-1, type=str)
@_index_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default=None,
    help="Output format [default: text, or format in [tool.leakguard]].",
)
@click.option("--quiet", "-q", is_flag=True, help="Text format: print only what leaks, one line each.")
@click.option("--color/--no-color", default=None, help="Force or disable colour in text output.")
def scan_command(
    sources: tuple[str, ...],
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
    output_format: str | None,
    quiet: bool,
    color: bool | None,
) -> None:
    """Scan SOURCES (files, directories of files, or - for standard input) for indexed code.

    With one file or standard input, each finding is shown with the scanned lines; with
    several, or a directory (a folder of logs), a summary table lists the sources that leak.
    Exit 1 if anything leaks.
    """
    from leakguard import __version__
    from leakguard.inputs import expand, scan_source

    settings = _settings(index_dir, key_file, threshold, baseline)
    output_format = output_format or settings.config.format or "text"
    expanded = expand(sources or ("-",))
    outcomes = [scan_source(settings.scanner, source) for source in expanded]
    single = len(expanded) == 1 and not expanded[0].walked
    if single and outcomes[0].result is not None:
        name, result = outcomes[0].source, outcomes[0].result
        if output_format == "json":
            from leakguard.report.json import render_json

            click.echo(render_json(result))
        elif output_format == "sarif":
            from leakguard.report.sarif import render_sarif

            click.echo(render_sarif(result, name, __version__))
        else:
            from leakguard.report.text import render_text

            render_text(result, name, sys.stdout, color=color, quiet=quiet)
    elif output_format == "json":
        from leakguard.report.json import render_json_many

        click.echo(render_json_many(outcomes))
    elif output_format == "sarif":
        from leakguard.report.sarif import render_sarif_many

        scanned = [(o.source, o.result) for o in outcomes if o.result is not None]
        click.echo(render_sarif_many(scanned, __version__))
    else:
        from leakguard.report.text import render_summary

        render_summary(outcomes, sys.stdout, color=color, quiet=quiet)
    if any(o.result is not None and o.result.is_leak for o in outcomes):
        raise _LeakFound


@cli.command("redact")
@_source_options
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

    scanner = _settings(index_dir, key_file, threshold, baseline).scanner
    with open_source(source) as stream:
        # Bytes out, so everything outside the findings is written back byte for byte.
        out = sys.stdout.buffer
        result = redact_stream(
            scanner.index,
            stream,
            lambda s: out.write(s.encode("utf-8")),
            scanner.policy,
            template,
            _display(source),
            scanner.baseline,
        )
    out.flush()
    if result.is_leak:
        raise _LeakFound


@cli.command("explain")
@_source_options
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

    outcome = scan_source(_settings(index_dir, key_file, threshold, baseline).scanner, Source(source))
    assert outcome.result is not None  # only directory walks skip sources
    render_explain(outcome.result, outcome.source, sys.stdout, source_root, color)
    if outcome.result.is_leak:
        raise _LeakFound


@cli.command("hook")
@click.argument("filenames", nargs=-1, type=click.Path())
@_index_options
def hook_command(
    filenames: tuple[str, ...],
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
) -> None:
    """Pre-commit hook: refuse a commit whose added lines copy indexed code. Exit 1 on a leak.

    Scans the lines the staged changes add (of FILENAMES only, when given). A line with
    the comment marker "leakguard: allow" accepts a finding that touches it; so does an
    entry of the --baseline file.
    """
    scanner = _settings(index_dir, key_file, threshold, baseline).scanner
    findings = _staged_findings(scanner, filenames)
    for item in findings:
        source = item.finding
        click.echo(
            f"{item.path}:{item.start_line}-{item.end_line}: matches indexed {source.path} lines "
            f"{source.start_line}-{source.end_line} (score {source.score:.2f}); "
            f"remove it, or mark the line '# leakguard: allow' if it is public"
        )
    if findings:
        raise _LeakFound


def _staged_findings(scanner: Scanner, filenames: tuple[str, ...]) -> list[StagedFinding]:
    from leakguard.hook import scan_added, staged_additions

    added = staged_additions(Path.cwd())
    if filenames:
        wanted = {Path(name).as_posix() for name in filenames}
        added = [entry for entry in added if entry.path in wanted]
    return scan_added(scanner, added)


@cli.command("baseline")
@click.argument("sources", nargs=-1, type=str)
@click.option("--staged", is_flag=True, help="Accept what the pre-commit hook reports for the staged changes.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="Baseline file to update.")
@_index_options
def baseline_command(
    sources: tuple[str, ...],
    staged: bool,
    out: str | None,
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
) -> None:
    """Accept the findings in SOURCES (or, with --staged, in the staged changes) after review.

    Adds them to the baseline file (--out, else the configured baseline, else
    .leakguard-baseline.json), which stores hashes and line numbers, never code. Commit it;
    scans given that file leave these findings out.
    """
    from leakguard.baseline import DEFAULT_BASELINE, accepted, load_baseline, save_baseline
    from leakguard.inputs import expand, scan_source

    if not sources and not staged:
        raise click.UsageError("name the files to accept, or pass --staged")
    settings = _settings(index_dir, key_file, threshold)  # no baseline: record everything found
    target = Path(out or baseline or settings.config.baseline or DEFAULT_BASELINE)
    entries = []
    if staged:
        entries += [item.accepted() for item in _staged_findings(settings.scanner, ())]
    for source in expand(sources):
        result = scan_source(settings.scanner, source).result
        if result is None:
            continue  # a binary file met while walking a directory
        if result.findings and not result.text:
            raise InputError(f"{source.name}: too large to record (over 8 MiB)")
        entries += [accepted(f, result.text, source.name, f.text_start_line) for f in result.findings]
    current = load_baseline(target)
    updated = current.merged(entries)
    save_baseline(updated, target)
    added = len(updated.entries) - len(current.entries)
    total = len(updated.entries)
    click.echo(f"{target}: {added} finding{'s' if added != 1 else ''} accepted, {total} in all", err=True)


@cli.command("serve")
@_index_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--max-bytes", default=1 << 20, show_default=True, type=click.IntRange(min=1), help="Largest request body."
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="File holding a bearer token every request must send (or LEAKGUARD_TOKEN).",
)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(min=1), help="Scans run at once.")
def serve_command(
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
    host: str,
    port: int,
    max_bytes: int,
    token_file: str | None,
    threads: int,
) -> None:
    """Serve POST /v1/scan, POST /v1/redact and GET /healthz over HTTP (needs leakguard[serve])."""
    try:
        from leakguard.service import serve
    except ImportError as exc:
        raise ConfigError(f"leakguard serve needs the serve extra: pip install 'leakguard[serve]' ({exc})") from exc
    token = os.environ.get("LEAKGUARD_TOKEN")
    if token_file is not None:
        token = (_read_key(token_file) or b"").decode("utf-8", "replace")
    scanner = _settings(index_dir, key_file, threshold, baseline).scanner
    click.echo(f"leakguard: serving {scanner.index.n_files} indexed files on http://{host}:{port}", err=True)
    serve(scanner, host, port, max_bytes=max_bytes, token=token or None, threads=threads)


@cli.command("info")
@click.option("--index", "index_dir", required=True, type=click.Path(), envvar="LEAKGUARD_INDEX")
@click.option("--verify", is_flag=True, help="Also check every section's checksum.")
def info_command(index_dir: str, verify: bool) -> None:
    """Show an index's parameters and statistics."""
    import json

    from leakguard.index.format import read_container

    container = read_container(Path(index_dir), verify=verify)
    header = {key: value for key, value in container.header.items() if key != "sections"}
    click.echo(json.dumps(header, indent=2, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the one place errors become exit codes)."""
    try:
        cli.main(args=argv, prog_name="leakguard", standalone_mode=False)
    except _LeakFound:
        return EXIT_LEAK
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        click.echo("leakguard: aborted", err=True)
        return EXIT_ERROR
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except (LeakguardError, ConfigError) as exc:
        click.echo(f"leakguard: error: {exc}", err=True)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not bad input: still one line, traceback on request
        if os.environ.get("LEAKGUARD_DEBUG"):
            raise
        click.echo(
            f"leakguard: internal error: {type(exc).__name__}: {exc} (set LEAKGUARD_DEBUG=1 for details)", err=True
        )
        return EXIT_ERROR
    return EXIT_CLEAN


def entry_point() -> None:
    """Console-script entry: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
