"""Where an index's secret key comes from: a file, the environment, or a command that prints it.

A keyed index is useless without its key, so the key must not travel with the index. It
can be kept in a file (``--key-file``, ``key_file`` in the configuration), in
``LEAKGUARD_KEY``, or behind a command that prints it (``LEAKGUARD_KEY_COMMAND``,
``key_command`` in the configuration), as git's credential helpers do: a secrets manager's
CLI (``vault kv get -field=key secret/leakguard``), a keychain, ``pass``. The command runs
through the shell once per process; its standard output, without surrounding whitespace,
is the key. Order: a key file given, then ``LEAKGUARD_KEY``, then ``LEAKGUARD_KEY_COMMAND``,
then the configuration's ``key_file``, then its ``key_command``.
"""

from __future__ import annotations

import os
from pathlib import Path

from leakguard.errors import ConfigError

KEY_ENV = "LEAKGUARD_KEY"
KEY_COMMAND_ENV = "LEAKGUARD_KEY_COMMAND"
#: Seconds a key command may take (a secrets manager asking for a login would hang a hook).
COMMAND_TIMEOUT = 30


def read_key_file(path: str | Path) -> bytes:
    """The secret key kept in a file (surrounding whitespace, such as a final newline, dropped)."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror or exc}") from exc
    if not key:
        raise ConfigError(f"key file {path} is empty")
    return key


def run_key_command(command: str) -> bytes:
    """The key a command prints (through the shell); ConfigError naming why when it fails."""
    import subprocess  # only when a command is configured: a cold scan does without it

    try:
        done = subprocess.run(command, shell=True, capture_output=True, timeout=COMMAND_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(f"key command took over {COMMAND_TIMEOUT} s: {command}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot run key command {command!r}: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = f": {said[-1]}" if said else ""
        raise ConfigError(f"key command failed (exit {done.returncode}){reason}: {command}")
    key = done.stdout.strip()
    if not key:
        raise ConfigError(f"key command printed nothing: {command}")
    return key


def environment_key() -> bytes | None:
    """``LEAKGUARD_KEY``, else what ``LEAKGUARD_KEY_COMMAND`` prints, else None."""
    value = os.environ.get(KEY_ENV, "")
    if value:
        return value.encode()
    command = os.environ.get(KEY_COMMAND_ENV, "").strip()
    return run_key_command(command) if command else None


def resolve_key(
    key_file: str | Path | None = None, config_key_file: str | None = None, config_key_command: str | None = None
) -> bytes | None:
    """The key, from the first source that has one (see the module's docstring); None when none does."""
    if key_file is not None:
        return read_key_file(key_file)
    found = environment_key()
    if found is not None:
        return found
    if config_key_file:
        return read_key_file(config_key_file)
    if config_key_command:
        return run_key_command(config_key_command)
    return None
