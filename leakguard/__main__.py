"""``python -m leakguard`` runs the CLI."""

from leakguard.cli import entry_point

entry_point()
