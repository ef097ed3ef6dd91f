"""One writer per index directory: a lock held while a build, an update or a merge writes there.

Two builds into one ``--out`` at once (two CI jobs, a cron job meeting a manual run) would
each read the shards, fingerprint, and write; the last to rename its files would win, and
its shards and index could come from different runs. So a writer takes an exclusive
``flock`` on ``DIR/.lock`` first and a second one is refused at once with a clear message
naming the holder, instead of waiting behind it. The lock is the kernel's: it goes with
the process that held it, however that process ended (``kill -9`` included), so a stale
lock file never blocks anyone. Readers never lock: they only ever see complete files
(every file is written under a temporary name and renamed).

On systems without ``fcntl`` (Windows) no lock is taken.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from leakguard.errors import InputError, WriteError

LOCK_FILE = ".lock"


@contextmanager
def writing(directory: Path) -> Iterator[None]:
    """Hold the write lock of ``directory`` (created if needed); InputError if another writer holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path = directory / LOCK_FILE
    created = not directory.exists()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteError(f"cannot write to {directory}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            raise InputError(
                f"{directory} is being written by {holder}: wait for it to finish (an index directory has one "
                "writer at a time)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"leakguard (pid {os.getpid()})\n".encode(), 0)
        from leakguard.index.format import remove_stale_temporaries

        # What a writer killed mid-write left behind (no other writer can be at work now).
        remove_stale_temporaries(directory)
        remove_stale_temporaries(directory / "shards")
        yield
    except BaseException:
        if created:  # a failed first build leaves no directory behind, as if it had not run
            path.unlink(missing_ok=True)
            for folder in (directory / "shards", directory):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty: nothing written is ever removed
        raise
    finally:
        os.close(fd)  # releases the lock
