"""Hashed paths: the index stores no file name, findings carry the hashed one, the security team
reads it back from the build's shards with the key, and the choice sticks across updates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES

from leakguard.api import Scanner, load_index, update_index
from leakguard.cli import main
from leakguard.index.merge import merge_directories, shards_of
from leakguard.index.pathnames import MARK, hashed_name, resolve

KEY = b"k" * 32
LEAK = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()


def _two(tmp_path: Path) -> tuple[Path, Path]:
    one, two = tmp_path / "payments-service", tmp_path / "billing"
    shutil.copytree(EXAMPLES / "acme" / "payments", one)
    shutil.copytree(EXAMPLES / "acme" / "billing", two)
    return one, two


def test_names_are_keyed_hashes() -> None:
    name = hashed_name("payments/ledger.py", KEY)
    assert name.startswith(MARK) and len(name) == 21
    assert name == hashed_name("payments/ledger.py", KEY)
    assert name != hashed_name("payments/ledger.py", b"other")
    assert name != hashed_name("payments/ledger.pyc", KEY)
    assert hashed_name("x", b"long" * 40) != hashed_name("x", b"long" * 41)  # keys past 64 bytes count whole


def test_the_index_keeps_no_name_and_findings_carry_the_hash(tmp_path: Path) -> None:
    one, two = _two(tmp_path)
    done = update_index([one, two], tmp_path / "idx", key=KEY, jobs=1, labels={"billing": {"team": "b"}},
                        hash_paths=True)  # fmt: skip
    assert done.index.stats["paths"] == "hashed"
    data = (tmp_path / "idx" / "index.lgx").read_bytes()
    assert b"ledger" not in data and b"invoice" not in data
    finding = Scanner(load_index(tmp_path / "idx", key=KEY)).scan(LEAK).findings[0]
    assert finding.path == "payments-service/" + hashed_name("ledger.py", KEY)
    assert finding.start_line == 3  # lines stay readable
    shards, _ = shards_of([tmp_path / "idx"])
    assert resolve([finding.path, "billing/~0000"], shards, KEY) == {finding.path: "payments-service/ledger.py"}
    assert resolve([finding.path], shards, b"wrong key") == {}
    # labels hang on the source's name, which stays readable
    bill = Scanner(load_index(tmp_path / "idx", key=KEY)).scan((two / "invoice.go").read_text()).findings
    assert bill and bill[0].labels == ("team=b",)


def test_the_choice_sticks_across_updates_and_merges(tmp_path: Path) -> None:
    one, two = _two(tmp_path)
    update_index([one], tmp_path / "a", jobs=1, hash_paths=True)
    (one / "extra.py").write_text("def extra(value):\n    return value * 2 + 1\n")
    again = update_index([one], tmp_path / "a", jobs=1)
    assert again.index.stats["paths"] == "hashed" and (again.report.added, again.report.unchanged) == (1, 1)
    update_index([two], tmp_path / "b", jobs=1)
    merged = merge_directories([tmp_path / "a", tmp_path / "b"], tmp_path / "m")
    assert merged.stats["paths"] == "hashed" and all(MARK in path for path in merged.paths)
    assert load_index([tmp_path / "a", tmp_path / "b"]).paths == merged.paths
    readable = update_index([one], tmp_path / "a", jobs=1, hash_paths=False)
    assert "paths" not in readable.index.stats and readable.index.paths == ["extra.py", "ledger.py"]


def test_cli_index_scan_and_resolve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one, _ = _two(tmp_path)
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY)
    out = str(tmp_path / "idx")
    assert main(["index", str(one), "--out", out, "--key-file", str(key_file), "--hash-paths", "-q"]) == 0
    ledger = str(one / "ledger.py")
    assert main(["scan", "--index", out, "--key-file", str(key_file), "--format", "json", ledger]) == 1
    name = hashed_name("ledger.py", KEY)
    assert f'"path": "{name}"' in capsys.readouterr().out
    assert main(["resolve", name, "--index", out, "--key-file", str(key_file)]) == 0
    assert capsys.readouterr().out == f"{name}\tledger.py\n"
    assert main(["resolve", name, MARK + "0" * 20, "--index", out, "--key-file", str(key_file)]) == 2
    assert "no file of" in capsys.readouterr().err


def test_explain_shows_the_readable_path_from_the_build_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, _ = _two(tmp_path)
    out = str(tmp_path / "idx")
    assert main(["index", str(one), "--out", out, "--hash-paths", "-q"]) == 0
    ledger = str(one / "ledger.py")
    assert main(["explain", ledger, "--index", out, "--source-root", str(one), "--no-color"]) == 1
    shown = capsys.readouterr().out
    assert "ledger.py lines 3-" in shown and "def split_fee" in shown and MARK not in shown
    (tmp_path / "shipped").mkdir()
    shutil.copy(Path(out) / "index.lgx", tmp_path / "shipped" / "index.lgx")
    assert main(["explain", ledger, "--index", str(tmp_path / "shipped"), "--no-color"]) == 1
    assert hashed_name("ledger.py", b"") in capsys.readouterr().out  # no shards: the name as stored
