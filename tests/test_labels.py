"""Sources carry labels from the configuration; findings carry them; the policy warns on some."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, check_report

from leakguard.api import Scanner, update_index
from leakguard.config import parse_config
from leakguard.errors import ConfigError
from leakguard.options import ScanPolicy

LABELS = {"pay": {"sensitivity": "secret", "team": "payments"}, "web": {"sensitivity": "internal"}}


@pytest.fixture()
def labelled(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "acme" / "payments", tmp_path / "pay")
    shutil.copytree(EXAMPLES / "acme" / "web", tmp_path / "web")
    update_index([tmp_path / "pay", tmp_path / "web"], tmp_path / "idx", jobs=1, labels=LABELS)
    return tmp_path


def test_findings_carry_their_sources_labels_and_the_policy_decides(labelled: Path) -> None:
    secret = (EXAMPLES / "acme" / "payments" / "ledger.py").read_text()
    internal = (EXAMPLES / "acme" / "web" / "cart.ts").read_text()
    plain = Scanner.open(labelled / "idx", cache_chars=0)
    result = plain.scan(secret + "\n" + internal)
    assert result.is_leak
    assert {f.path.split("/")[0]: f.labels for f in result.findings} == {
        "pay": ("sensitivity=secret", "team=payments"),
        "web": ("sensitivity=internal",),
    }
    assert not any(f.warn for f in result.findings)

    warned = Scanner.open(labelled / "idx", policy=ScanPolicy(warn_labels=("sensitivity=internal",)), cache_chars=0)
    only_internal = warned.scan(internal)
    assert only_internal.findings and not only_internal.is_leak  # reported, not a leak
    assert all(f.warn for f in only_internal.findings)
    assert warned.redact(internal).text == internal  # a warning is not redacted
    both = warned.scan(secret + "\n" + internal)
    assert both.is_leak
    redacted = warned.redact(secret + "\n" + internal).text
    assert "balance" not in redacted.split("\n", 3)[0] and internal.strip() in redacted
    payload = {"findings": [f.to_json() for f in both.findings]}
    assert {f["action"] for f in payload["findings"]} == {"block", "warn"}
    check_report({**both.to_json()}, "result")


def test_cli_reports_labels_and_warnings(labelled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from leakguard.cli.app import cli

    (labelled / "leakguard.toml").write_text('warn_labels = ["sensitivity=internal"]\n')
    monkeypatch.chdir(labelled)
    cart = str(EXAMPLES / "acme" / "web" / "cart.ts")
    done = CliRunner().invoke(cli, ["scan", "--index", "idx", cart, "--no-color"])
    assert done.exit_code == 0, done.output  # a warning does not fail the scan
    assert "WARNING" in done.output and "sensitivity=internal; warning only" in done.output
    done = CliRunner().invoke(cli, ["scan", "--index", "idx", cart, "--format", "sarif"])
    assert json.loads(done.output)["runs"][0]["results"][0]["level"] == "warning"
    ledger = str(EXAMPLES / "acme" / "payments" / "ledger.py")
    done = CliRunner().invoke(cli, ["scan", "--index", "idx", ledger, "--format", "json"])
    assert done.exit_code == 1
    finding = json.loads(done.output)["sources"][0]["findings"][0]
    assert finding["labels"] == {"sensitivity": "secret", "team": "payments"} and finding["action"] == "block"


def test_label_configuration_is_checked(tmp_path: Path) -> None:
    where = tmp_path / "leakguard.toml"
    config = parse_config({"labels": {"pay": {"team": "x"}}, "warn_labels": ["team=x"]}, where)
    assert config.labels == {"pay": {"team": "x"}} and config.policy().warn_labels == ("team=x",)
    with pytest.raises(ConfigError, match=r"labels\.pay must be a table of strings"):
        parse_config({"labels": {"pay": {"team": 3}}}, where)
    with pytest.raises(ConfigError, match="warn_labels must be a list"):
        parse_config({"warn_labels": ["secret"]}, where)
    with pytest.raises(ConfigError, match="labels must be a table"):
        parse_config({"labels": ["pay"]}, where)


def test_labels_for_a_source_not_indexed_are_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from leakguard.cli import main

    shutil.copytree(EXAMPLES / "acme" / "payments", tmp_path / "pay")
    (tmp_path / "leakguard.toml").write_text('[labels]\npayments = { team = "x" }\n')
    monkeypatch.chdir(tmp_path)
    assert main(["index", "pay", "--out", "idx"]) == 0
    err = capsys.readouterr().err
    assert "labels for 'payments'" in err and "(sources: pay)" in err
