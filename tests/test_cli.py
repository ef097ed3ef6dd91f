from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from leakguard.cli import main

PROMPTS = EXAMPLES / "prompts"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_scan_exit_codes_and_json(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["scan", str(PROMPTS / "leak_verbatim.md"), "--index", str(demo_index_dir), "--format", "json"], capsys
    )
    assert code == 1
    payload = json.loads(out)
    assert set(payload) == {"is_leak", "score", "findings"}
    assert payload["is_leak"] is True
    finding = payload["findings"][0]
    assert {"path", "start_line", "end_line", "start", "end", "score", "matched_tokens"} <= set(finding)
    assert finding["path"] == "payments/ledger.py"
    code, out, _ = run(
        ["scan", str(PROMPTS / "clean_question.md"), "--index", str(demo_index_dir), "--format", "json"], capsys
    )
    assert code == 0 and json.loads(out)["is_leak"] is False


def test_info_shows_parameters_statistics_and_size(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["info", "--index", str(demo_index_dir), "--verify"], capsys)
    assert code == 0
    info = json.loads(out)
    assert info["format_version"] == 5 and info["params"]["k"] > 0 and info["stats"]["files"] > 0
    assert "sections" not in info  # the section table is for readers, not people
    size = info["size"]
    assert size["bytes"] == (demo_index_dir / "index.lgx").stat().st_size
    assert set(size["parts"]) == {"postings", "hash_table", "line_hashes", "minhash", "files"}
    assert all(part > 0 for part in size["parts"].values())
    assert sum(size["parts"].values()) < size["bytes"]  # the rest is the header and alignment


def test_text_report_highlights_scanned_lines(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["scan", str(PROMPTS / "leak_renamed.txt"), "--index", str(demo_index_dir), "--no-color"], capsys
    )
    assert code == 1
    assert "LEAK" in out and "risk/FraudScorer.java" in out
    assert "> " in out and "double r = riskByCountry" in out
    assert "double risk = countryRisk" not in out  # indexed source is never printed


def test_sarif_output(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["scan", str(PROMPTS / "leak_reformatted.md"), "--index", str(demo_index_dir), "--format", "sarif"], capsys
    )
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "LG001"
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "billing/invoice.go"


def test_redact_command(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["redact", str(PROMPTS / "leak_verbatim.md"), "--index", str(demo_index_dir)], capsys)
    assert code == 1
    assert "lines of payments/ledger.py removed]" in out
    assert out.startswith("Hi! Our settlement job")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\x00\x01binary", "binary"), (b"caf\xe9 au lait", "UTF-8")],
)
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path, demo_index_dir: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    target = tmp_path / "input.txt"
    target.write_bytes(content)
    code, out, err = run(["scan", str(target), "--index", str(demo_index_dir)], capsys)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_index_and_usage_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "index.lgx").write_bytes(b"LEAKGRD\x00" + b"\xff" * 40)
    code, _, err = run(["scan", str(PROMPTS / "clean_code.py"), "--index", str(tmp_path)], capsys)
    assert code == 2 and "leakguard: error:" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(["scan", str(PROMPTS / "clean_code.py"), "--index", str(tmp_path / "missing")], capsys)
    assert code == 2 and "no index" in err
    code, _, _ = run(["scan", "--format", "yaml", "--index", "x"], capsys)
    assert code == 2
    code, _, err = run(["scan", str(tmp_path / "nope.txt"), "--index", str(tmp_path)], capsys)
    assert code == 2


def test_index_command_and_stdin(tmp_path: Path) -> None:
    out_dir = tmp_path / "idx"
    subprocess.run(
        [sys.executable, "-m", "leakguard", "index", str(EXAMPLES / "acme"), "--out", str(out_dir), "-q"], check=True
    )
    assert (out_dir / "index.lgx").is_file() and (out_dir / "manifest.json").is_file()
    prompt = (PROMPTS / "leak_reformatted.md").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "leakguard", "scan", "-", "--index", str(out_dir), "-q"],
        input=prompt,
        capture_output=True,
    )
    assert done.returncode == 1 and b"LEAK" in done.stdout


def test_import_stays_light() -> None:
    code = (
        "import sys, leakguard; print(sorted(m for m in ('click', 'rich', 'tree_sitter', 'datasketch') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_scanning_loads_neither_the_builder_nor_the_writers(demo_index_dir: Path) -> None:
    # What a cold `leakguard scan` pays for: parsers, the process pool and the atomic
    # writers' imports belong to building and saving, not to opening and scanning.
    code = (
        "import sys, leakguard; index = leakguard.load_index(sys.argv[1]); "
        "assert index.scan(open(sys.argv[2]).read()).is_leak; "
        "print(sorted(m for m in ('tree_sitter', 'multiprocessing', 'concurrent.futures', 'tempfile', "
        "'leakguard.index.build', 'leakguard.index.walk', 'leakguard.normalise.syntax') if m in sys.modules))"
    )
    prompt = PROMPTS / "leak_verbatim.md"
    done = subprocess.run(
        [sys.executable, "-c", code, str(demo_index_dir), str(prompt)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_cli_scan_of_standard_input_loads_no_process_pool(demo_index_dir: Path) -> None:
    # A cold `leakguard scan -` (a gateway's or an editor's call) pays for every import on
    # its path: the worker pool belongs to scanning several files with several processes.
    code = (
        "import sys; from leakguard.cli import main; "
        "code = main(['scan', '-', '--index', sys.argv[1], '--format', 'json']); "
        "print(code, sorted(m for m in ('multiprocessing', 'concurrent.futures') if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(demo_index_dir)],
        input=(PROMPTS / "leak_verbatim.md").read_bytes(),
        capture_output=True,
        check=True,
    )
    assert done.stderr.decode().strip() == "1 []"


def test_redaction_is_byte_exact_outside_findings(tmp_path: Path, demo_index_dir: Path) -> None:
    body = (PROMPTS / "leak_verbatim.md").read_bytes().replace(b"\n", b"\r\n")
    data = "\ufeff".encode() + "caf\u00e9 \u2014 na\u00efve\r\n".encode() + body + b"\t\r\nend\r\n"
    target = tmp_path / "in.txt"
    target.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "leakguard", "redact", str(target), "--index", str(demo_index_dir)], capture_output=True
    )
    assert done.returncode == 1
    out = done.stdout
    head, _, tail = out.partition(b"[leakguard: ")
    _, _, tail = tail.partition(b" removed]")
    assert data.startswith(head) and data.endswith(tail)
    assert len(head) > 30 and tail.endswith(b"end\r\n")
    assert b"split_fee" not in out


def test_explain_shows_source_only_when_given(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", str(PROMPTS / "leak_reformatted.md"), "--index", str(demo_index_dir), "--no-color"]
    code, out, _ = run(args, capsys)
    assert code == 1
    assert "billing/invoice.go lines" in out and "pass --source-root" in out
    assert "lineNet*int64" not in out  # the source formatting: never printed without a checkout
    code, out, _ = run([*args, "--source-root", str(EXAMPLES / "acme")], capsys)
    assert code == 1 and "lineNet*int64" in out


def test_a_directory_of_logs_gets_a_summary_table(
    demo_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs"
    (logs / "2026-11").mkdir(parents=True)
    (logs / "app.log").write_text("INFO started\nINFO request served in 3 ms\n")
    leak = (PROMPTS / "leak_verbatim.md").read_text()
    (logs / "2026-11" / "chat.log").write_text("INFO prompt=" + json.dumps(leak) + "\n")
    (logs / "old.log.gz").write_bytes(b"\x1f\x8b\x08\x00\x00\x00binary")
    (logs / ".hidden").mkdir()
    (logs / ".hidden" / "x.log").write_text(leak)
    index = ["--index", str(demo_index_dir)]
    code, out, _ = run(["scan", str(logs), *index, "--no-color"], capsys)
    assert code == 1
    assert "chat.log" in out and "payments/ledger.py" in out and "app.log" not in out
    assert "1 of 2 sources contain indexed code, 1 skipped (binary)" in out
    code, out, _ = run(["scan", str(logs), *index, "--quiet"], capsys)
    assert code == 1 and out.strip() == f"LEAK {logs / '2026-11' / 'chat.log'}: 1 finding"
    code, out, _ = run(["scan", str(logs), *index, "--format", "json", "--jobs", "2"], capsys)
    payload = json.loads(out)
    assert run(["scan", str(logs), *index, "--format", "json", "--jobs", "1"], capsys)[1] == out
    assert payload["is_leak"] is True and [s["source"].rsplit("/", 1)[-1] for s in payload["sources"]] == [
        "chat.log",
        "app.log",
        "old.log.gz",
    ]
    code, out, _ = run(["scan", str(logs / "app.log"), *index, "--quiet"], capsys)
    assert code == 0 and out == ""


def test_clipboard_pipe_reads_standard_input(demo_index_dir: Path) -> None:
    """What `xclip -o | leakguard scan -` does: the text arrives on standard input."""
    leak = (PROMPTS / "leak_renamed.txt").read_bytes()
    command = [sys.executable, "-m", "leakguard", "scan", "-", "--index", str(demo_index_dir), "--quiet"]
    done = subprocess.run(command, input=leak, capture_output=True)
    assert done.returncode == 1 and done.stdout.decode().startswith("LEAK <stdin>")
    done = subprocess.run(command, input=b"how do I sort a list in python?", capture_output=True)
    assert done.returncode == 0 and done.stdout == b""
