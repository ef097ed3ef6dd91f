from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES

import leakguard
from leakguard.baseline import Baseline, accepted, finding_hash, load_baseline, save_baseline
from leakguard.cli import main

LEAK = (EXAMPLES / "prompts" / "leak_verbatim.md").read_text()


def test_hash_ignores_whitespace_and_position_but_not_edits(demo_index: leakguard.Index) -> None:
    (finding,) = demo_index.scan(LEAK).findings
    moved = "Another preamble line.\n\n" + LEAK.replace("    ", "\t")
    (moved_finding,) = demo_index.scan(moved).findings
    assert finding_hash(finding, LEAK) == finding_hash(moved_finding, moved)
    edited = LEAK.replace("basis_points", "bp")
    edited_findings = demo_index.scan(edited).findings
    assert edited_findings and finding_hash(edited_findings[0], edited) != finding_hash(finding, LEAK)


def test_accepted_findings_are_left_out_and_the_verdict_follows(demo_index: leakguard.Index, tmp_path: Path) -> None:
    result = demo_index.scan(LEAK)
    entries = [accepted(f, LEAK, "prompt.md", 3) for f in result.findings]
    path = save_baseline(Baseline().merged(entries), tmp_path / "b.json")
    stored = json.loads(path.read_text())
    assert stored["version"] == 1 and "def " not in path.read_text()  # hashes and numbers, never code
    scanner = leakguard.Scanner(demo_index, baseline=load_baseline(path))
    filtered = scanner.scan(LEAK)
    assert not filtered.is_leak and filtered.findings == []
    other = (EXAMPLES / "prompts" / "leak_renamed.txt").read_text()
    assert scanner.scan(other).is_leak  # only what was accepted


def test_missing_baseline_is_empty_and_a_malformed_one_is_an_error(tmp_path: Path) -> None:
    assert load_baseline(tmp_path / "absent.json").entries == ()
    (tmp_path / "bad.json").write_text('{"version": 1, "findings": [{"hash": "x"}]}')
    with pytest.raises(leakguard.ConfigError, match="entry 1"):
        load_baseline(tmp_path / "bad.json")


def test_baseline_command_then_scan_is_clean(
    demo_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    prompt = tmp_path / "prompt.md"
    prompt.write_text(LEAK)
    index = ["--index", str(demo_index_dir)]
    assert main(["scan", str(prompt), *index, "--quiet"]) == 1
    assert main(["baseline", str(prompt), *index]) == 0
    assert "1 finding accepted" in capsys.readouterr().err
    assert main(["scan", str(prompt), *index, "--baseline", ".leakguard-baseline.json"]) == 0
    capsys.readouterr()
    assert main(["redact", str(prompt), *index, "--baseline", ".leakguard-baseline.json"]) == 0
    assert capsys.readouterr().out == LEAK  # accepted code is not redacted either
    assert main(["baseline", str(prompt), *index]) == 0
    assert "0 findings accepted, 1 in all" in capsys.readouterr().err
