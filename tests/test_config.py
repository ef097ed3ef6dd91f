from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES

from leakguard.cli import main
from leakguard.config import Config, find_config
from leakguard.errors import ConfigError

PROMPT = str(EXAMPLES / "prompts" / "leak_verbatim.md")


def write_pyproject(directory: Path, body: str) -> None:
    (directory / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.leakguard]\n{body}\n")


def test_settings_come_from_the_nearest_pyproject(
    tmp_path: Path, demo_index_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_pyproject(tmp_path, f'index = "{demo_index_dir}"\nformat = "json"\nthreshold = 25\n')
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    monkeypatch.delenv("LEAKGUARD_INDEX", raising=False)
    config = find_config(Path.cwd())
    assert config.threshold == 25 and config.index == str(demo_index_dir.resolve())
    assert main(["scan", PROMPT]) == 1
    assert json.loads(capsys.readouterr().out)["is_leak"] is True
    assert main(["scan", PROMPT, "--threshold", "100000"]) == 0  # the flag wins
    capsys.readouterr()


def test_leakguard_toml_with_relative_index(
    tmp_path: Path, demo_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = 'index = "idx"\nredaction_template = "<cut {path}>"\nnear_duplicates = false\n'
    (tmp_path / "leakguard.toml").write_text(settings)
    (tmp_path / "idx").symlink_to(demo_index_dir)
    monkeypatch.chdir(tmp_path)
    config = find_config(tmp_path)
    assert config.index == str((tmp_path / "idx").resolve())
    assert config.policy().redaction_template == "<cut {path}>"
    assert config.policy().near_duplicates is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("colour = 'red'", "unknown setting"),
        ("threshold = -3", "threshold must be positive"),
        ("format = 'yaml'", "format must be one of"),
        ("near_duplicates = 'no'", "near_duplicates must be true or false"),
    ],
)
def test_bad_configuration_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    write_pyproject(tmp_path, body)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=message):
        find_config(tmp_path)
    assert main(["scan", PROMPT, "--index", "x"]) == 2
    err = capsys.readouterr().err
    assert message in err and "pyproject.toml" in err and len(err.strip().splitlines()) == 1


def test_no_configuration_and_no_index_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEAKGUARD_INDEX", raising=False)
    assert find_config(tmp_path) == Config()
    assert main(["scan", PROMPT]) == 2
    assert "no index" in capsys.readouterr().err


def test_allow_list_in_the_config_applies_when_indexing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "thirdparty").mkdir(parents=True)
    shutil.copyfile(EXAMPLES / "acme" / "payments" / "ledger.py", repo / "ledger.py")
    shutil.copyfile(EXAMPLES / "acme" / "billing" / "invoice.go", repo / "thirdparty" / "invoice.go")
    monkeypatch.chdir(tmp_path)
    go_prompt = str(EXAMPLES / "prompts" / "leak_reformatted.md")
    index = ["--index", "idx", "--quiet"]
    assert main(["index", "repo", "--out", "idx", "-q", "-j", "1"]) == 0
    assert main(["scan", go_prompt, *index]) == 1  # indexed like the rest
    (tmp_path / "leakguard.toml").write_text('allow = ["repo/thirdparty"]\n')
    assert find_config(tmp_path).allow == (str((repo / "thirdparty").resolve()),)
    assert main(["index", "repo", "--out", "idx", "-q", "-j", "1"]) == 0
    assert main(["scan", go_prompt, *index]) == 0  # now public: left out
    assert main(["scan", PROMPT, *index]) == 1
    (tmp_path / "leakguard.toml").write_text('allow = "repo/vendor"\n')
    with pytest.raises(ConfigError, match="allow must be a list"):
        find_config(tmp_path)
