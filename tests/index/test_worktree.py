"""Git is asked once per repository, and each source gets the slice under its folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

from leakguard.index.worktree import WorkTrees


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def test_sources_in_one_repository_share_its_answers(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    for name in ("api/a.py", "api/sub/b.py", "apiary/c.py", "web/d.ts", "top.py"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(f"# {name}\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    commit = _git(repo, "rev-parse", "HEAD").strip()
    (repo / "api" / "sub" / "b.py").write_text("changed\n")
    (repo / "apiary" / "c.py").write_text("changed\n")

    trees = WorkTrees()
    assert trees.commit(repo / "api") == trees.commit(repo / "web") == commit
    assert trees.tracked(repo / "api") == ["a.py", "sub/b.py"]  # not apiary/: a folder, not a prefix
    assert trees.tracked(repo / "api" / "sub") == ["b.py"]
    assert trees.changed(repo / "api", commit) == ["sub/b.py"]
    assert trees.changed(repo / "web", commit) == []
    assert trees.changed(repo, commit) == ["api/sub/b.py", "apiary/c.py"]
    assert trees.changed(repo, "0" * 40) is None  # a commit that is not there
    asked = {args[0] for _, args in trees._answers}
    assert asked == {"rev-parse", "ls-files", "diff"}
    assert len(trees._answers) == 4  # rev-parse, ls-files, diff twice (two commits): once per repository


def test_outside_a_repository_git_has_no_answer(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    trees = WorkTrees()
    assert trees.commit(tmp_path / "plain") is None
    assert trees.tracked(tmp_path / "plain") is None
    assert trees.tracked(tmp_path / "missing") is None


def test_questions_asked_ahead_get_the_answers_asked_in_turn_once(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    for name in ("api/a.py", "web/d.ts"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(f"# {name}\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    first = _git(repo, "rev-parse", "HEAD").strip()
    (repo / "api" / "a.py").write_text("changed\n")
    _git(repo, "commit", "-q", "-am", "two")
    (repo / "web" / "d.ts").write_text("dirty\n")

    ahead = WorkTrees()
    ahead.ask_ahead([repo / "api", repo / "web", tmp_path / "elsewhere"], [first, "0" * 40])
    in_turn = WorkTrees()
    for trees in (ahead, in_turn):
        head = trees.commit(repo / "api")
        assert head is not None and head != first
        assert trees.changed(repo / "web", head) == ["d.ts"]
        assert trees.changed(repo / "api", first) == ["a.py"]
        assert trees.changed(repo / "api", "0" * 40) is None
        assert trees.tracked(repo / "web") == ["d.ts"]
        assert trees.commit(tmp_path / "elsewhere") is None
    assert ahead._answers.keys() == in_turn._answers.keys()  # nothing asked that the build does not ask
