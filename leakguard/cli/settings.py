"""What every command shares: the --index family of options and the settings they resolve to.

Settings come from flags, then the environment (click's envvar), then the configuration
file (:mod:`leakguard.config`), then defaults; they are resolved once per command into a
:class:`~leakguard.api.Scanner`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from leakguard.cache import DEFAULT_CACHE_CHARS
from leakguard.config import Config, find_config
from leakguard.options import DEFAULT_POLICY

if TYPE_CHECKING:
    from leakguard.api import Scanner


class LeakFound(Exception):
    """Raised by a command to make main() exit 1 after output is written."""


def read_key(key_file: str | None) -> bytes | None:
    """The key in ``key_file``, or None when no file is given."""
    from leakguard.keys import read_key_file

    return None if key_file is None else read_key_file(key_file)


def key_or_environment(key_file: str | None) -> bytes:
    """The key for commands that build: ``key_file``, the environment, the configuration, else no key."""
    from leakguard.keys import resolve_key

    config = find_config(Path.cwd())
    return resolve_key(key_file, config.key_file, config.key_command) or b""


@dataclass(frozen=True)
class Settings:
    """Flags, then environment (click's envvar), then the configuration file, then defaults."""

    scanner: Scanner
    config: Config


def resolve_settings(
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None = None,
    cache_chars: int = DEFAULT_CACHE_CHARS,
    use_baseline: bool = True,
) -> Settings:
    """The Scanner and configuration a command runs with (``use_baseline`` as for Scanner.open)."""
    from leakguard.api import Scanner

    config = find_config(Path.cwd())
    scanner = Scanner.open(
        index_dir,
        key=read_key(key_file),
        threshold=threshold,
        baseline=baseline,
        config=config,
        cache_chars=cache_chars,
        use_baseline=use_baseline,
    )
    return Settings(scanner, config)


def index_options(function: Callable[..., None]) -> Callable[..., None]:
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


def display(source: str) -> str:
    return "<stdin>" if source == "-" else source


def source_options(function: Callable[..., None]) -> Callable[..., None]:
    """The index options plus the SOURCE argument (a file, or - for standard input)."""
    return click.argument("source", default="-", type=str)(index_options(function))
