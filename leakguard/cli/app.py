"""The ``leakguard`` command group every command module registers with."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="leakguard")
def cli() -> None:
    """Find proprietary source code in outgoing text (prompts, logs, diffs, commits)."""
