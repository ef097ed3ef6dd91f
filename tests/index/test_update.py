"""Incremental builds write the index a full build writes, byte for byte, and redo only what changed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leakguard.api import update_index
from leakguard.errors import IndexFormatError
from leakguard.index.build import FileFingerprints
from leakguard.index.shard import delta_path, existing_shards, load_shard, shard_path
from leakguard.index.update import read_shards
from leakguard.options import FingerprintParams

PROGRAM = '''
def settle_{n}(ledger, account, amount):
    """Move amount out of account, keeping the ledger balanced."""
    balance = ledger.balances.get(account, 0) - amount * {n}
    if balance < -ledger.overdraft_limit:
        raise ValueError("overdraft on %s: %d" % (account, balance))
    ledger.balances[account] = balance
    ledger.journal.append((account, -amount, balance, "{n}"))
    for watcher in ledger.watchers:
        watcher.notify(account, balance, {n})
    return balance
'''


def _repo(root: Path, files: int = 6) -> Path:
    shutil.copytree(EXAMPLES / "acme", root)
    for n in range(files):
        (root / f"mod{n}.py").write_text(PROGRAM.format(n=n))
    return root


def _same_as_full(tmp_path: Path, paths: list[Path], out: Path) -> None:
    full = tmp_path / "full"
    shutil.rmtree(full, ignore_errors=True)
    update_index(paths, full, jobs=1)
    assert (out / "index.lgx").read_bytes() == (full / "index.lgx").read_bytes()
    assert [p.name for p in existing_shards(out)] == [p.name for p in existing_shards(full)]


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True, capture_output=True
    )


def _mono(tmp_path: Path, files: int) -> tuple[Path, Path, Path]:
    """A git repository ``mono`` holding two sources, ``one`` and ``two``, committed."""
    mono = tmp_path / "mono"
    one, two = _repo(mono / "one", files=files), _repo(mono / "two", files=files)
    _git(mono, "init", "-q")
    _git(mono, "add", ".")
    _git(mono, "commit", "-q", "-m", "one")
    return mono, one, two


def test_an_update_without_git_compares_digests_and_matches_a_full_build(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    out = tmp_path / "out"
    first = update_index([repo], out, jobs=1)
    assert first.report.full and first.report.added == 11
    (repo / "mod1.py").write_text(PROGRAM.format(n=41))
    (repo / "mod2.py").unlink()
    (repo / "new.py").write_text(PROGRAM.format(n=99))
    again = update_index([repo], out, jobs=1)
    report = again.report
    assert not report.full
    assert (report.added, report.changed, report.removed, report.unchanged) == (1, 1, 1, 9)
    assert report.compared == 10  # every known file read once: no git here
    _same_as_full(tmp_path, [repo], out)


def test_with_git_unchanged_tracked_files_are_not_read(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    out = tmp_path / "out"
    update_index([repo], out, jobs=1)
    (repo / "mod3.py").write_text(PROGRAM.format(n=33))
    _git(repo, "commit", "-q", "-am", "two")
    (repo / "mod4.py").write_text(PROGRAM.format(n=44))  # not committed
    (repo / "untracked.py").write_text(PROGRAM.format(n=55))
    report = update_index([repo], out, jobs=1).report
    assert (report.added, report.changed, report.unchanged) == (1, 2, 9)
    assert report.compared == 2  # only what git names: the other nine are taken as they were
    _same_as_full(tmp_path, [repo], out)


def test_files_git_names_are_fingerprinted_ahead_and_one_still_as_indexed_keeps_its_shard_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import leakguard.index.update as update

    repo = _repo(tmp_path / "repo", files=12)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    (repo / "mod8.py").write_text(PROGRAM.format(n=88))  # modified when indexed...
    out = tmp_path / "out"
    update_index([repo], out, jobs=2)
    for n in range(8):  # committed changes: enough for the workers
        (repo / f"mod{n}.py").write_text(PROGRAM.format(n=100 + n))
    _git(repo, "commit", "-q", "-m", "two", "--", *(f"mod{n}.py" for n in range(8)))
    # ...and still: named (it was modified then), read ahead, and as the shard holds it.
    (repo / "mod9.py").write_text(PROGRAM.format(n=99))  # not committed
    (repo / "untracked.py").write_text(PROGRAM.format(n=55))
    later: list[list[str]] = []
    fingerprint_files = update.fingerprint_files
    monkeypatch.setattr(
        update,
        "fingerprint_files",
        lambda files, *a, **k: later.append([f.relative for f in files]) or fingerprint_files(files, *a, **k),
    )
    before = {f.relative: f for f in read_shards(out, FingerprintParams())["repo"].files}
    again = update_index([repo], out, jobs=2)
    report = again.report
    assert (report.added, report.changed, report.unchanged, report.compared) == (1, 9, 8, 10)
    assert later == [["untracked.py"]]  # the others were fingerprinted ahead
    after = {f.relative: f for f in read_shards(out, FingerprintParams())["repo"].files}
    assert after["mod8.py"].digest == before["mod8.py"].digest and after["mod0.py"].digest != before["mod0.py"].digest
    _same_as_full(tmp_path, [repo], out)


def test_a_file_dirty_at_the_last_build_is_checked_even_when_git_no_longer_names_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    (repo / "mod0.py").write_text(PROGRAM.format(n=70))  # indexed while modified...
    out = tmp_path / "out"
    update_index([repo], out, jobs=1)
    _git(repo, "checkout", "--", "mod0.py")  # ...then put back: git diff names nothing now
    report = update_index([repo], out, jobs=1).report
    assert report.changed == 1
    _same_as_full(tmp_path, [repo], out)


def test_sources_added_and_removed_and_damaged_shards(tmp_path: Path) -> None:
    one, two = _repo(tmp_path / "one"), _repo(tmp_path / "two", files=2)
    out = tmp_path / "out"
    update_index([one], out, jobs=1)
    assert update_index([one, two], out, jobs=1).report.added == 7
    _same_as_full(tmp_path, [one, two], out)
    shard = out / "shards" / "two.lgs"
    shard.write_bytes(shard.read_bytes()[:-100])  # truncated (a disk filled up, a copy cut short)
    assert update_index([one, two], out, jobs=1).report.added == 7  # damaged: built again
    _same_as_full(tmp_path, [one, two], out)
    report = update_index([two], out, jobs=1).report
    assert report.removed == 11
    assert [p.name for p in existing_shards(out)] == ["two.lgs"]
    _same_as_full(tmp_path, [two], out)


def test_other_parameters_mean_a_full_build(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", files=1)
    out = tmp_path / "out"
    update_index([repo], out, jobs=1)
    assert update_index([repo], out, jobs=1, k=9).report.full
    assert update_index([repo], out, jobs=1, k=9).report.unchanged == 6


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from("amd"), st.integers(0, 7)), min_size=1, max_size=6))
def test_any_sequence_of_edits_gives_the_full_build(tmp_path: Path, edits: list[tuple[str, int]]) -> None:
    work = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
    repo = _repo(work / "repo", files=4)
    out = work / "out"
    update_index([repo], out, jobs=1)
    for step, (action, n) in enumerate(edits):
        target = repo / f"mod{n}.py"
        if action == "d":
            target.unlink(missing_ok=True)
        else:
            target.write_text(PROGRAM.format(n=n * 10 + step))
        if any(repo.glob("mod*.py")) or any(repo.rglob("*.go")):
            update_index([repo], out, jobs=1)
    _same_as_full(work, [repo], out)


def test_nothing_left_to_index_is_an_error_and_keeps_the_old_index(tmp_path: Path) -> None:
    from leakguard.errors import InputError

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text(PROGRAM.format(n=1))
    out = tmp_path / "out"
    update_index([repo], out, jobs=1)
    before = (out / "index.lgx").read_bytes()
    (repo / "a.py").unlink()
    with pytest.raises(InputError, match="nothing to index"):
        update_index([repo], out, jobs=1)
    assert (out / "index.lgx").read_bytes() == before


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    from leakguard.errors import InputError
    from leakguard.index.lock import writing

    repo = _repo(tmp_path / "repo", files=1)
    out = tmp_path / "out"
    with writing(out), pytest.raises(InputError, match=r"being written by leakguard \(pid \d+\)"):
        update_index([repo], out, jobs=1)
    update_index([repo], out, jobs=1)  # released when the holder is done
    assert (out / "index.lgx").is_file()


def test_a_new_commit_rewrites_only_the_shards_whose_files_changed(tmp_path: Path) -> None:
    mono, one, two = _mono(tmp_path, files=1)
    out = tmp_path / "out"
    update_index([one, two], out, jobs=1)
    before = {p.name: p.stat().st_ino for p in existing_shards(out)}
    (one / "mod0.py").write_text(PROGRAM.format(n=12))
    _git(mono, "commit", "-q", "-am", "two")
    report = update_index([one, two], out, jobs=1).report
    assert (report.changed, report.compared) == (1, 1)
    after = {p.name: p.stat().st_ino for p in existing_shards(out)}
    assert after["two.lgs"] == before["two.lgs"] and not delta_path(out, "two").exists()
    # one's change is a delta beside its shard (a file of six: under a quarter of its fingerprints)
    assert after["one.lgs"] == before["one.lgs"] and delta_path(out, "one").is_file()
    _same_as_full(tmp_path, [one, two], out)


def test_changes_go_to_a_delta_until_it_holds_a_quarter_of_the_source(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", files=12)
    out = tmp_path / "out"
    update_index([repo], out, jobs=1)
    shard = shard_path(out, "repo")
    first = shard.stat().st_ino
    (repo / "mod1.py").write_text(PROGRAM.format(n=41))
    assert update_index([repo], out, jobs=1).report.changed == 1
    assert shard.stat().st_ino == first and delta_path(out, "repo").is_file()
    _same_as_full(tmp_path, [repo], out)
    (repo / "mod2.py").unlink()
    (repo / "new.py").write_text(PROGRAM.format(n=99))
    update_index([repo], out, jobs=1)
    assert shard.stat().st_ino == first  # the delta is written again, from the same shard
    _same_as_full(tmp_path, [repo], out)
    for n in range(3, 12):
        (repo / f"mod{n}.py").write_text(PROGRAM.format(n=100 + n))
    update_index([repo], out, jobs=1)
    assert shard.stat().st_ino != first and not delta_path(out, "repo").exists()  # compacted
    _same_as_full(tmp_path, [repo], out)


def test_a_delta_left_from_an_older_shard_is_ignored_and_a_damaged_one_rebuilds_its_source(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path / "repo", files=12)
    out = tmp_path / "out"
    update_index([repo], out, jobs=1)
    (repo / "mod1.py").write_text(PROGRAM.format(n=41))
    update_index([repo], out, jobs=1)
    delta = delta_path(out, "repo")
    stale = delta.read_bytes()
    # A crash after a compaction wrote the new shard, before it removed the delta.
    update_index([repo], out, jobs=1, full=True)
    delta.write_bytes(stale)
    shards = read_shards(out, FingerprintParams())
    assert [f.digest for f in shards["repo"].files] == [f.digest for f in load_full(out)]
    _same_as_full(tmp_path, [repo], out)
    # A delta of this shard, damaged: the source is read again in full, and the delta goes.
    (repo / "mod1.py").write_text(PROGRAM.format(n=42))
    update_index([repo], out, jobs=1)
    delta.write_bytes(delta.read_bytes()[:-100])
    with pytest.raises(IndexFormatError, match="truncated"):
        load_shard(shard_path(out, "repo"), FingerprintParams())
    again = update_index([repo], out, jobs=1)
    assert again.report.full and again.report.added == len(load_full(out)) and not delta.exists()
    _same_as_full(tmp_path, [repo], out)


def load_full(out: Path) -> list[FileFingerprints]:
    """The files of the shard of ``repo`` alone (its delta not applied)."""
    from leakguard.index.format import read_container
    from leakguard.index.shard import _files

    container = read_container(out / "shards", filename="repo.lgs")
    return _files(container.header["files"], container.arrays)
