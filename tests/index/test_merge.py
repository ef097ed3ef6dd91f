"""Shards built apart merge into the index one build of everything writes; misuse gets clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES

from leakguard.api import update_index
from leakguard.cli import main
from leakguard.errors import IncompatibleIndexError, IndexFormatError, InputError
from leakguard.index.merge import merge_directories


def _two(tmp_path: Path) -> tuple[Path, Path]:
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(EXAMPLES / "acme" / "payments", one)
    shutil.copytree(EXAMPLES / "acme" / "billing", two)
    return one, two


def test_merging_separate_builds_gives_the_build_of_both(tmp_path: Path) -> None:
    one, two = _two(tmp_path)
    update_index([one], tmp_path / "a", jobs=1)
    update_index([two], tmp_path / "b", jobs=1)
    merged = merge_directories([tmp_path / "a", tmp_path / "b"], tmp_path / "merged")
    update_index([one, two], tmp_path / "both", jobs=1)
    assert (tmp_path / "merged" / "index.lgx").read_bytes() == (tmp_path / "both" / "index.lgx").read_bytes()
    assert [s["name"] for s in merged.stats["sources"]] == ["one", "two"]
    assert merged.paths == ["one/ledger.py", "two/invoice.go"]
    # the merged directory keeps the shards: it can be updated in place from now on
    report = update_index([one, two], tmp_path / "merged", jobs=1).report
    assert (report.added, report.unchanged) == (0, 2)


def test_merge_keeps_each_directorys_labels(tmp_path: Path) -> None:
    one, two = _two(tmp_path)
    update_index([one], tmp_path / "a", jobs=1, labels={"one": {"team": "ledger"}})
    update_index([two], tmp_path / "b", jobs=1)
    merged = merge_directories([tmp_path / "a", tmp_path / "b"], tmp_path / "merged")
    assert [s["labels"] for s in merged.stats["sources"]] == [{"team": "ledger"}, {}]


def test_merge_refuses_what_cannot_merge(tmp_path: Path) -> None:
    one, two = _two(tmp_path)
    update_index([one], tmp_path / "a", jobs=1)
    update_index([one], tmp_path / "again", jobs=1)
    update_index([two], tmp_path / "k9", jobs=1, k=9)
    with pytest.raises(InputError, match="two shards are named 'one'"):
        merge_directories([tmp_path / "a", tmp_path / "again"], tmp_path / "out")
    with pytest.raises(IncompatibleIndexError, match="other parameters"):
        merge_directories([tmp_path / "a", tmp_path / "k9"], tmp_path / "out")
    (tmp_path / "plain").mkdir()
    with pytest.raises(IndexFormatError, match="holds no shards"):
        merge_directories([tmp_path / "plain"], tmp_path / "out")
    assert not (tmp_path / "out" / "index.lgx").exists()


def test_cli_merge_and_incremental_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, two = _two(tmp_path)

    def run(*args: str) -> tuple[int, str]:
        code = main(list(args))
        return code, capsys.readouterr().err

    assert run("index", str(one), "--out", str(tmp_path / "a"))[0] == 0
    assert "0 added, 0 changed, 0 removed, 1 unchanged" in run("index", str(one), "--out", str(tmp_path / "a"))[1]
    run("index", str(two), "--out", str(tmp_path / "b"), "-q")
    code, err = run("merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "m"))
    assert code == 0 and "merged one, two" in err, err
    code, err = run("merge", str(tmp_path / "a"), str(tmp_path / "a"), "--out", str(tmp_path / "x"))
    assert code == 2 and "two shards are named 'one'" in err
    code, err = run("index", str(one), "--out", str(tmp_path / "d"), "--engine", "dask")
    assert code == 2 and "--scheduler" in err


def test_several_directories_open_together_as_their_merge(tmp_path: Path) -> None:
    import os

    from leakguard.api import load_index

    one, two = _two(tmp_path)
    update_index([one], tmp_path / "a", jobs=1)
    update_index([two], tmp_path / "b", jobs=1)
    both = update_index([one, two], tmp_path / "both", jobs=1).index
    opened = load_index(f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}")
    assert opened.paths == both.paths and opened.stats == both.stats
    for name, array in both.arrays.items():
        assert opened.arrays[name].tobytes() == array.tobytes(), name
    text = (EXAMPLES / "acme" / "billing" / "invoice.go").read_text()
    assert opened.scan(text).findings == both.scan(text).findings
