from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

import leakguard
from leakguard.hook import parse_diff, scan_added, scan_files

LEDGER = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text().splitlines()


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    git(path, "config", "user.email", "dev@example.com")
    git(path, "config", "user.name", "Dev")
    (path / "app.py").write_text("import os\n\nprint(os.getcwd())\n")
    git(path, "add", "app.py")
    git(path, "commit", "-qm", "start")
    return path


def renamed_copy() -> str:
    body = "\n".join(LEDGER[45:55])  # split_fee, 10 lines
    for old, new in (
        ("gross_minor", "amount"),
        ("fee_basis_points", "bps"),
        ("minimum_fee_minor", "floor"),
        ("fee_minor", "cut"),
        ("split_fee", "divide"),
    ):
        body = body.replace(old, new)
    return body + "\n"


def test_parse_diff_keeps_added_lines_and_numbers() -> None:
    diff = "+++ b/a.py\n@@ -3,0 +4,2 @@\n+x = 1\n+y = 2\n@@ -9 +11 @@\n-old\n+z = 3\n+++ /dev/null\n"
    (added,) = parse_diff(diff)
    assert added.path == "a.py" and added.lines == ("x = 1", "y = 2", "z = 3") and added.numbers == (4, 5, 11)
    (removed_only,) = parse_diff("+++ b/b.py\n@@ -3 +2,0 @@\n-gone\n")  # staged, though it adds nothing
    assert removed_only.path == "b.py" and removed_only.lines == ()


def test_files_without_staged_changes_are_scanned_whole(
    repo: Path, demo_index: leakguard.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "old.py").write_text("import os\n\n" + renamed_copy())
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + renamed_copy().encode())
    (repo / "allowed.py").write_text("# leakguard: allow\n".join(renamed_copy().split("\n", 1)))
    monkeypatch.chdir(repo)
    (finding,) = scan_files(leakguard.Scanner(demo_index), ["old.py", "logo.png", "allowed.py", "gone.py"])
    assert finding.path == "old.py" and finding.start_line == 3 and finding.finding.path == "payments/ledger.py"


def test_hook_names_the_file_and_line(repo: Path, demo_index: leakguard.Index) -> None:
    (repo / "app.py").write_text("import os\n\nprint(os.getcwd())\n\n" + renamed_copy())
    git(repo, "add", "app.py")
    from leakguard.hook import staged_additions

    (finding,) = scan_added(leakguard.Scanner(demo_index), staged_additions(repo))
    assert finding.path == "app.py" and finding.start_line >= 5 and finding.finding.path == "payments/ledger.py"


def test_allow_marker_accepts_a_finding(repo: Path, demo_index: leakguard.Index) -> None:
    first, rest = renamed_copy().split("\n", 1)
    code = first + "  # leakguard: allow (vendored from our public SDK)\n" + rest
    (repo / "lib.py").write_text(code)
    git(repo, "add", "lib.py")
    from leakguard.hook import staged_additions

    assert scan_added(leakguard.Scanner(demo_index), staged_additions(repo)) == []


def test_baseline_staged_accepts_what_the_hook_reported(
    repo: Path, demo_index_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from leakguard.cli import main

    (repo / "sdk.py").write_text(renamed_copy())
    git(repo, "add", "sdk.py")
    monkeypatch.chdir(repo)
    args = ["--index", str(demo_index_dir), "--baseline", ".leakguard-baseline.json"]
    assert main(["hook", *args]) == 2  # a baseline that does not exist is a mistake, not an empty one
    assert "baseline file not found" in capsys.readouterr().err
    assert main(["baseline", "--index", str(demo_index_dir), "--out", ".leakguard-baseline.json"]) == 0  # empty
    assert '"findings": []' in (repo / ".leakguard-baseline.json").read_text()
    assert main(["hook", *args]) == 1
    assert main(["baseline", "--staged", *args]) == 0
    assert main(["hook", *args]) == 0
    stored = (repo / ".leakguard-baseline.json").read_text()
    assert '"path": "sdk.py"' in stored and "payments/ledger.py" in stored and "amount" not in stored
    (repo / "other.py").write_text(renamed_copy().replace("cut", "share"))  # an edited copy is a new finding
    git(repo, "add", "other.py")
    assert main(["hook", *args]) == 1
    assert "other.py:1-" in capsys.readouterr().out


@pytest.mark.skipif(
    shutil.which("pre-commit") is None and not (Path(sys.executable).parent / "pre-commit").exists(),
    reason="pre-commit is not installed",
)
def test_real_pre_commit_refuses_a_leak_and_accepts_clean_code(
    repo: Path, demo_index_dir: Path, tmp_path: Path
) -> None:
    """End to end with the pre-commit framework, installing this repository as the hook."""
    source = tmp_path / "leakguard-src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".corpus", ".git", "benchmarks", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"
        ),
    )
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "hook")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {source}\n  rev: {git(source, 'rev-parse', 'HEAD').strip()}\n"
        f"  hooks:\n  - id: leakguard\n    args: [--index, {demo_index_dir}]\n"
    )
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    subprocess.run([pre_commit, "install"], cwd=repo, check=True, env=env, capture_output=True)
    (repo / "clean.py").write_text("def greet(name):\n    return 'hello ' + name\n")
    git(repo, "add", "clean.py", ".pre-commit-config.yaml")
    ok = subprocess.run(["git", "commit", "-qm", "clean"], cwd=repo, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (repo / "leak.py").write_text(renamed_copy())
    git(repo, "add", "leak.py")
    refused = subprocess.run(["git", "commit", "-qm", "leak"], cwd=repo, env=env, capture_output=True, text=True)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "leak.py:1-" in output and "payments/ledger.py" in output
    # Committed past the hook: what CI's `pre-commit run --all-files` is for.
    subprocess.run(["git", "commit", "-qm", "leak", "--no-verify"], cwd=repo, env=env, check=True, capture_output=True)
    pre_commit_run = [pre_commit, "run", "--all-files"]
    checked = subprocess.run(pre_commit_run, cwd=repo, env=env, capture_output=True, text=True)
    assert checked.returncode != 0, checked.stdout + checked.stderr
    assert "leak.py:1-" in checked.stdout and "clean.py" not in checked.stdout
    files = subprocess.run([*pre_commit_run[:2], "--files", "clean.py"], cwd=repo, env=env, capture_output=True)
    assert files.returncode == 0, files.stdout


def test_the_hook_refuses_a_commit_it_cannot_scan_unless_told_to_fail_open(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from leakguard.cli import main

    monkeypatch.chdir(repo)
    monkeypatch.delenv("LEAKGUARD_FAIL_OPEN", raising=False)
    (repo / "new.py").write_text("\n".join(LEDGER[45:55]) + "\n")
    git(repo, "add", "new.py")
    corrupt = tmp_path / "corrupt-index"
    corrupt.mkdir()
    (corrupt / "index.lgx").write_bytes(b"LEAKGRD\x00" + b"\xff" * 100)
    for index in (str(tmp_path / "missing"), str(corrupt)):
        assert main(["hook", "--index", index]) == 2
        err = capsys.readouterr().err
        assert "could not scan the staged changes" in err and "commit refused" in err and "FAIL_OPEN" in err
        assert main(["hook", "--index", index, "--fail-open"]) == 0
        assert "let through unscanned (fail-open)" in capsys.readouterr().err
    monkeypatch.setenv("LEAKGUARD_FAIL_OPEN", "1")
    assert main(["hook", "--index", str(corrupt)]) == 0
