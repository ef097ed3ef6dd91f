"""The ``leakguard`` command: a thin shell over the library.

Exit codes, decided in :func:`main` alone:

* 0: clean (or the command succeeded),
* 1: a leak was found,
* 2: usage error, unusable input, or a missing, corrupt or incompatible index; of several
  sources, one could not be scanned (and none leaks: a leak's exit code wins).

One module per group of commands, all registered with :data:`leakguard.cli.app.cli`.
Heavy modules (the reporting layer, rich, tree-sitter) are imported inside the commands
that need them, so ``leakguard scan`` starts fast.
"""

from __future__ import annotations

import contextlib
import os
import sys

import click

from leakguard.cli import hook, index, public, scan, serve  # noqa: F401 - each registers its commands
from leakguard.cli.app import cli
from leakguard.cli.settings import LeakFound
from leakguard.errors import ConfigError, LeakguardError

EXIT_CLEAN = 0
EXIT_LEAK = 1
EXIT_ERROR = 2

__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_LEAK", "cli", "entry_point", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the one place errors become exit codes)."""
    try:
        cli.main(args=argv, prog_name="leakguard", standalone_mode=False)
    except LeakFound:
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
    """Console-script entry: exit with :func:`main`'s code.

    The process ends without the interpreter's teardown: freeing every module and array
    that numpy loaded costs a cold ``leakguard scan`` 15-35 ms, which a pre-commit hook
    pays on every commit. Output is flushed first; nothing the commands run waits for an
    exit hook (their files are written atomically and their worker pools closed on return).
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # A reader that closed the pipe, or a closed stream: nothing left to say there.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry_point()
