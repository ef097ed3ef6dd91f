"""What git says about the sources of a build: their commit, and which files changed since one.

Sources are often folders of one repository (a monorepo's projects, one shard each) as
well as repositories of their own, so git is asked once per repository, not once per
source: :class:`WorkTrees` finds each source's repository by looking for ``.git`` above
it (as git does), runs ``git rev-parse``, ``git diff`` and ``git ls-files`` there once,
keeps the sorted answers, and gives each source the slice under its folder (a bisection,
not a scan of every path). Every path it returns is relative to the source's root.
Anything git cannot answer (no repository, a commit no longer there, git missing) is
None, and the caller compares file digests instead.
"""

from __future__ import annotations

import subprocess
from bisect import bisect_left
from pathlib import Path


class WorkTrees:
    """Git's view of the repositories holding a build's sources, asked once per repository."""

    def __init__(self) -> None:
        self._tops: dict[Path, Path | None] = {}
        self._wheres: dict[Path, tuple[Path, str] | None] = {}
        self._answers: dict[tuple[Path, tuple[str, ...]], list[str] | None] = {}

    def commit(self, root: Path) -> str | None:
        """The commit checked out in ``root``'s repository (None outside one, or before a first commit)."""
        where = self._where(root)
        if where is None:
            return None
        head = self._ask(where[0], ("rev-parse", "--verify", "-q", "HEAD^{commit}"))
        return head[0].strip() if head else None

    def changed(self, root: Path, commit: str) -> list[str] | None:
        """Files under ``root`` whose working-tree content differs from ``commit`` (tracked ones)."""
        return self._under(root, ("diff", "--name-only", "--no-renames", "-z", commit))

    def tracked(self, root: Path) -> list[str] | None:
        """Files under ``root`` that git tracks."""
        return self._under(root, ("ls-files", "-z", "--cached"))

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
        if key not in self._answers:
            try:
                done = subprocess.run(["git", "-C", str(top), *args], capture_output=True, timeout=600, check=False)
            except (OSError, subprocess.SubprocessError):
                self._answers[key] = None
            else:
                output = done.stdout.decode("utf-8", "surrogateescape").split("\0")
                self._answers[key] = sorted(item for item in output if item) if done.returncode == 0 else None
        return self._answers[key]
