"""Typed errors raised by the library.

The library never prints and never exits: it raises one of these, and the CLI maps
them to exit codes in one place (:mod:`leakguard.cli`).
"""

from __future__ import annotations


class LeakguardError(Exception):
    """Base class of every error leakguard raises on purpose."""


class InputError(LeakguardError):
    """The text or file given to scan cannot be used (binary, undecodable, unreadable)."""


class IndexFormatError(LeakguardError):
    """An index is missing, truncated, corrupt or of an unsupported format version."""


class IncompatibleIndexError(LeakguardError):
    """Two indexes, or an index and the options given, use different parameters or keys."""


class ConfigError(LeakguardError):
    """A configuration value or option is invalid."""


class WriteError(LeakguardError):
    """An index, shard or baseline could not be written (disk full, read-only, no permission);
    the previous file, if any, is left as it was."""
