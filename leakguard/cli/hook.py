"""``leakguard hook`` (pre-commit) and ``leakguard baseline`` (accepting reviewed findings)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from leakguard.cli.app import cli
from leakguard.cli.settings import LeakFound, index_options, resolve_settings
from leakguard.errors import InputError

if TYPE_CHECKING:
    from leakguard.api import Scanner
    from leakguard.hook import StagedFinding


@cli.command("hook")
@click.argument("filenames", nargs=-1, type=click.Path())
@index_options
@click.option(
    "--fail-open",
    is_flag=True,
    default=None,
    help="Let the commit through, with a warning, when the staged changes cannot be scanned "
    "(or LEAKGUARD_FAIL_OPEN=1); by default it is refused.",
)
def hook_command(
    filenames: tuple[str, ...],
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
    fail_open: bool | None,
) -> None:
    """Pre-commit hook: refuse a commit whose added lines copy indexed code. Exit 1 on a leak.

    Scans the lines the staged changes add (of FILENAMES only, when given). A file named
    that has no staged change is scanned whole: 'pre-commit run --all-files' (or --files)
    checks what is committed. A line with the comment marker "leakguard: allow" accepts a
    finding that touches it; so does an entry of the --baseline file.

    When the changes cannot be scanned (no index, a corrupt one, an internal error) the
    commit is refused, exit 2, with the reason; --fail-open lets it through with a warning.
    """
    from leakguard.failsafe import Failsafe, ScanFailed, attempt

    failsafe = Failsafe.resolve(fail_open)
    try:
        findings = attempt(
            lambda: _staged_findings(_scanner(index_dir, key_file, threshold, baseline), filenames), failsafe
        )
    except ScanFailed as exc:
        message = failsafe.explain(str(exc), "the staged changes", refused="commit refused")
        if not failsafe.fail_open:
            raise ScanFailed(message) from exc
        click.echo(f"leakguard: warning: {message}", err=True)
        return
    for item in findings:
        source = item.finding
        click.echo(
            f"{item.path}:{item.start_line}-{item.end_line}: matches indexed {source.path} lines "
            f"{source.start_line}-{source.end_line} (score {source.score:.2f}); "
            f"remove it, or mark the line '# leakguard: allow' if it is public"
        )
    if findings:
        raise LeakFound


def _scanner(index_dir: str | None, key_file: str | None, threshold: float | None, baseline: str | None) -> Scanner:
    return resolve_settings(index_dir, key_file, threshold, baseline).scanner


def _staged_findings(scanner: Scanner, filenames: tuple[str, ...]) -> list[StagedFinding]:
    """The staged lines of the files named (all staged files when none is), and the files
    named that have no staged change, whole. Outside a repository only named files are scanned."""
    from leakguard.hook import NotARepository, scan_added, scan_files, staged_additions

    try:
        added = staged_additions(Path.cwd())
    except NotARepository:
        if not filenames:
            raise
        added = []
    if not filenames:
        return scan_added(scanner, added)
    wanted = {Path(name).as_posix() for name in filenames}
    staged = {entry.path for entry in added}
    whole = [name for name in filenames if Path(name).as_posix() not in staged]
    return scan_added(scanner, [entry for entry in added if entry.path in wanted]) + scan_files(scanner, whole)


@cli.command("baseline")
@click.argument("sources", nargs=-1, type=str)
@click.option("--staged", is_flag=True, help="Accept what the pre-commit hook reports for the staged changes.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="Baseline file to update.")
@index_options
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
    scans given that file leave these findings out. With neither SOURCES nor --staged, the
    file is created empty if it does not exist (scans refuse a baseline that is missing).
    """
    from leakguard.baseline import DEFAULT_BASELINE, accepted, load_baseline, save_baseline
    from leakguard.inputs import expand, scan_source

    # No baseline: record everything found (the file to update need not exist yet).
    settings = resolve_settings(index_dir, key_file, threshold, use_baseline=False)
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
