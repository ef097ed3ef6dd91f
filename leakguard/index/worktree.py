"""What git says about the sources of a build: their commit, and which files changed since one.

Sources are often folders of one repository (a monorepo's projects, one shard each) as
well as repositories of their own, so git is asked once per repository, not once per
source: :class:`WorkTrees` finds each source's repository by looking for ``.git`` above
it (as git does), runs ``git rev-parse``, ``git diff`` and ``git ls-files`` there once,
keeps the sorted answers, and gives each source the slice under its folder (a bisection,
not a scan of every path). Every path it returns is relative to the source's root.
Anything git cannot answer (no repository, a commit no longer there, git missing) is
None, and the caller compares file digests instead.

An incremental build knows which questions it will ask before it asks them: :meth:`WorkTrees.ask_ahead`
puts them to git on a thread of its own while the build reads its shards (git on a large
monorepo takes a few tenths of a second, which the thread spends waiting on git, not
holding Python's lock). Each question is still asked once: whoever asks it first runs it,
and the other waits for that answer.
"""

from __future__ import annotations

import subprocess
import threading
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path


class WorkTrees:
    """Git's view of the repositories holding a build's sources, asked once per repository."""

    def __init__(self) -> None:
        self._tops: dict[Path, Path | None] = {}
        self._wheres: dict[Path, tuple[Path, str] | None] = {}
        self._answers: dict[tuple[Path, tuple[str, ...]], Future[list[str] | None]] = {}
        self._lock = threading.Lock()
        self._asking: threading.Thread | None = None

    def ask_ahead(self, roots: Sequence[Path], commits: Iterable[str]) -> None:
        """Start asking, on a thread, what :meth:`commit`, :meth:`changed` (against the
        checked-out commit and each of ``commits``) and :meth:`tracked` will ask for
        ``roots``; the calls then take the answers as they come."""
        tops = {where[0] for where in map(self._where, roots) if where is not None}
        wanted = sorted(set(commits))

        def ask() -> None:
            try:
                for top in sorted(tops):
                    head = self._ask(top, _HEAD)
                    self._ask(top, _TRACKED)
                    for commit in ([head[0].strip()] if head else []) + wanted:
                        self._ask(top, _diff(commit))
            except Exception:  # whoever asks the same question meets the same error
                pass

        if tops:
            self._asking = threading.Thread(target=ask, name="leakguard-git", daemon=True)
            self._asking.start()

    def wait(self) -> None:
        """Until the questions asked ahead have their answers (before forking workers: a
        child process should not start while another thread of this one runs git)."""
        if self._asking is not None:
            self._asking.join()

    def commit(self, root: Path) -> str | None:
        """The commit checked out in ``root``'s repository (None outside one, or before a first commit)."""
        where = self._where(root)
        if where is None:
            return None
        head = self._ask(where[0], _HEAD)
        return head[0].strip() if head else None

    def changed(self, root: Path, commit: str) -> list[str] | None:
        """Files under ``root`` whose working-tree content differs from ``commit`` (tracked ones)."""
        return self._under(root, _diff(commit))

    def tracked(self, root: Path) -> list[str] | None:
        """Files under ``root`` that git tracks."""
        return self._under(root, _TRACKED)

    def _under(self, root: Path, args: tuple[str, ...]) -> list[str] | None:
        where = self._where(root)
        if where is None:
            return None
        top, prefix = where
        answer = self._ask(top, args)
        if answer is None:
            return None
        if not prefix:
            return answer
        first = bisect_left(answer, prefix)
        last = bisect_left(answer, prefix[:-1] + chr(ord("/") + 1))  # past every "prefix/..."
        return [path[len(prefix) :] for path in answer[first:last]]

    def _where(self, root: Path) -> tuple[Path, str] | None:
        """``root``'s repository top and its folder there (``""`` or ``"a/b/"``), found once."""
        if root not in self._wheres:
            self._wheres[root] = self._find(root)
        return self._wheres[root]

    def _find(self, root: Path) -> tuple[Path, str] | None:
        if not root.is_dir():
            return None
        for folder in (root, *root.parents):
            if folder in self._tops:
                top = self._tops[folder]
                break
            if (folder / ".git").exists():
                top = folder
                break
        else:
            top = None
        for folder in (root, *root.parents):  # remember the answer for the sources beside this one
            self._tops[folder] = top
            if folder == top:
                break
        if top is None:
            return None
        relative = root.relative_to(top).as_posix()
        return top, "" if relative == "." else relative + "/"

    def _ask(self, top: Path, args: tuple[str, ...]) -> list[str] | None:
        """A git command's NUL-separated output in ``top``, sorted (None if it fails), asked once."""
        key = (top, args)
        with self._lock:
            answer = self._answers.get(key)
            mine = answer is None
            if answer is None:
                answer = self._answers[key] = Future()
        if mine:
            try:
                answer.set_result(_run_git(top, args))
            except BaseException as exc:  # whoever waits for this answer gets the error too
                answer.set_exception(exc)
                raise
        return answer.result()


_HEAD = ("rev-parse", "--verify", "-q", "HEAD^{commit}")
_TRACKED = ("ls-files", "-z", "--cached")


def _diff(commit: str) -> tuple[str, ...]:
    return ("diff", "--name-only", "--no-renames", "-z", commit)


def _run_git(top: Path, args: tuple[str, ...]) -> list[str] | None:
    try:
        done = subprocess.run(["git", "-C", str(top), *args], capture_output=True, timeout=600, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    output = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted(item for item in output if item) if done.returncode == 0 else None
