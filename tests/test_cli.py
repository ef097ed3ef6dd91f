from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, check_report

import leakguard
from leakguard.cli import main

PROMPTS = EXAMPLES / "prompts"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the CLI in-process; every JSON report it prints is checked against the shipped schema."""
    code = main(args)
    out, err = capsys.readouterr()
    if "--format" in args and args[args.index("--format") + 1] == "json" and out:
        check_report(json.loads(out))
    return code, out, err


def test_scan_exit_codes_and_json(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["scan", str(PROMPTS / "leak_verbatim.md"), "--index", str(demo_index_dir), "--format", "json"], capsys
    )
    assert code == 1
    payload = json.loads(out)
    assert set(payload) == {"schema_version", "tool", "is_leak", "score", "sources"}
    assert payload["schema_version"] == 1 and payload["tool"] == {"name": "leakguard", "version": leakguard.__version__}
    assert payload["is_leak"] is True
    (source,) = payload["sources"]
    assert source["source"] == str(PROMPTS / "leak_verbatim.md") and source["status"] == "scanned"
    finding = source["findings"][0]
    assert {"path", "start_line", "end_line", "start", "end", "score", "matched_tokens"} <= set(finding)
    assert finding["path"] == "payments/ledger.py"
    code, out, _ = run(
        ["scan", str(PROMPTS / "clean_question.md"), "--index", str(demo_index_dir), "--format", "json"], capsys
    )
    assert code == 0 and json.loads(out)["is_leak"] is False


def test_one_json_shape_for_one_source_and_for_many(
    demo_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same schema whatever was scanned: one file, standard input, several files, a directory."""
    index = ["--index", str(demo_index_dir), "--format", "json"]
    one = json.loads(run(["scan", str(PROMPTS / "leak_renamed.txt"), *index], capsys)[1])
    many = json.loads(
        run(["scan", str(PROMPTS / "leak_renamed.txt"), str(PROMPTS / "clean_code.py"), *index], capsys)[1]
    )
    assert set(one) == set(many) and many["sources"][0] == one["sources"][0]
    assert [s["status"] for s in many["sources"]] == ["scanned", "scanned"]
    done = subprocess.run(
        [sys.executable, "-m", "leakguard", "scan", "-", *index],
        input=(PROMPTS / "leak_renamed.txt").read_bytes(),
        capture_output=True,
    )
    piped = json.loads(done.stdout)
    check_report(piped)
    assert (
        piped["sources"][0]["source"] == "<stdin>" and piped["sources"][0]["findings"] == one["sources"][0]["findings"]
    )


def test_one_bad_source_does_not_hide_the_others(
    demo_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rotated empty log is skipped, an unreadable file is an error row, and the leak is still reported."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_text("INFO pasted\n" + (PROMPTS / "leak_verbatim.md").read_text())
    (logs / "b.log").write_bytes(b"")
    (logs / "c.log").write_text("INFO request served in 3 ms\n")
    bad = tmp_path / "latin1.log"
    bad.write_bytes("INFO caf\u00e9\n".encode("latin-1"))
    index = ["--index", str(demo_index_dir)]
    code, out, err = run(["scan", str(logs), str(bad), *index, "--no-color"], capsys)
    assert code == 1  # a leak was found: that is what the exit code says
    assert "a.log" in out and "payments/ledger.py" in out
    assert "error " + str(bad) + ": input is not valid UTF-8" in out
    assert "1 of 2 sources contain indexed code, 1 skipped (empty), 1 could not be scanned" in out
    code, out, _ = run(["scan", str(logs), str(bad), *index, "--format", "json"], capsys)
    statuses = {Path(s["source"]).name: (s["status"], s.get("reason")) for s in json.loads(out)["sources"]}
    assert statuses["b.log"] == ("skipped", "empty") and statuses["a.log"] == ("scanned", None)
    assert statuses["latin1.log"][0] == "error" and "UTF-8" in statuses["latin1.log"][1]
    # Nothing leaks, but a source could not be scanned: not clean, exit 2.
    code, out, err = run(["scan", str(logs / "c.log"), str(bad), *index, "-q"], capsys)
    assert code == 2 and out == ""
    assert f"leakguard: error: {bad}: input is not valid UTF-8" in err and "1 of 2 sources could not be scanned" in err
    code, out, _ = run(["scan", str(logs / "c.log"), str(bad), *index, "--format", "sarif"], capsys)
    (invocation,) = json.loads(out)["runs"][0]["invocations"]
    assert code == 2 and invocation["executionSuccessful"] is False
    assert str(bad) in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_quiet_prints_one_line_per_finding(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prompt = str(PROMPTS / "leak_verbatim.md")
    code, out, _ = run(["scan", prompt, "--index", str(demo_index_dir), "-q"], capsys)
    _, json_out, _ = run(["scan", prompt, "--index", str(demo_index_dir), "--format", "json"], capsys)
    (finding,) = json.loads(json_out)["sources"][0]["findings"]
    assert code == 1
    assert out == (
        f"{prompt}:{finding['text_start_line']}: matches payments/ledger.py lines "
        f"{finding['start_line']}-{finding['end_line']} (score {finding['score']:.2f})\n"
    )


def test_info_shows_parameters_statistics_and_size(demo_index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["info", "--index", str(demo_index_dir), "--verify"], capsys)
    assert code == 0
    info = json.loads(out)
    assert info["format_version"] == 5 and info["params"]["k"] > 0 and info["stats"]["files"] > 0
    assert "sections" not in info  # the section table is for readers, not people
    size = info["size"]
    assert size["bytes"] == (demo_index_dir / "index.lgx").stat().st_size
    assert set(size["parts"]) == {"postings", "hash_table", "line_hashes", "minhash", "files", "public"}
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
    assert "why: " in out and "match in structure with other names (a renamed copy)" in out


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
    properties = result["properties"]
    assert properties["exactTokens"] > 0 and properties["commonTokens"] <= properties["exactTokens"]
    assert "matched tokens have the same names" in result["message"]["text"]


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
    assert done.returncode == 1 and b"matches billing/invoice.go lines" in done.stdout


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
    assert code == 1 and out.startswith(f"{logs / '2026-11' / 'chat.log'}:1: matches payments/ledger.py lines ")
    assert len(out.splitlines()) == 1
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
    assert done.returncode == 1 and done.stdout.decode().startswith("<stdin>:3: matches risk/FraudScorer.java lines")
    done = subprocess.run(command, input=b"how do I sort a list in python?", capture_output=True)
    assert done.returncode == 0 and done.stdout == b""


def test_a_giant_line_is_shown_as_an_excerpt_with_columns(
    demo_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A multi-megabyte single-line JSON log: reports quote around the match, never the whole line."""
    leak = (PROMPTS / "leak_verbatim.md").read_text()
    record = json.dumps({"padding": "x" * 2_000_000, "prompt": leak, "tail": "y" * 700_000})
    log = tmp_path / "gateway.log"
    log.write_text(record + "\n")
    index = ["--index", str(demo_index_dir), "--no-color"]
    code, out, _ = run(["scan", str(log), *index], capsys)
    assert code == 1 and len(out) < 4000
    column = record.index("def split_fee") + 1
    (where,) = [line for line in out.splitlines() if "columns" in line]
    start, end = where.rsplit("columns ", 1)[1].split("-")
    assert int(start) <= column < int(end) and "\u2026" in out
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = run(["explain", str(log), *index], capsys)
    assert code == 1 and len(out) < 20_000
    assert max(len(line) for line in out.splitlines()) <= 100


def test_explain_warns_when_the_checkout_changed_since_indexing(
    demo_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout = tmp_path / "acme"
    shutil.copytree(EXAMPLES / "acme", checkout)
    args = ["explain", str(PROMPTS / "leak_reformatted.md"), "--index", str(demo_index_dir), "--no-color"]
    code, out, _ = run([*args, "--source-root", str(checkout)], capsys)
    assert code == 1 and "changed since it was indexed" not in out
    invoice = checkout / "billing" / "invoice.go"
    lines = invoice.read_text().split("\n")
    invoice.write_text("\n".join([*lines[:5], "var extra = compute(1, 2)", *lines[5:]]))  # shifts what follows
    code, out, _ = run([*args, "--source-root", str(checkout)], capsys)
    assert code == 1 and "warning: billing/invoice.go changed since it was indexed" in " ".join(out.split())


def test_options_that_would_fail_silently_are_errors(
    demo_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt = str(PROMPTS / "leak_verbatim.md")
    code, _, err = run(
        ["scan", prompt, "--index", str(demo_index_dir), "--baseline", str(tmp_path / "typo.json")], capsys
    )
    assert code == 2 and "baseline file not found" in err and "typo.json" in err
    (tmp_path / "empty").mkdir()
    code, _, err = run(["index", str(tmp_path / "empty"), "--out", str(tmp_path / "idx"), "-q"], capsys)
    assert code == 2 and "nothing to index" in err and not (tmp_path / "idx").exists()


def test_a_damaged_index_is_refused_on_open(
    demo_index_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cheap checks on every open: a flipped byte or a cut file is refused before any scan."""
    data = bytearray((demo_index_dir / "index.lgx").read_bytes())
    prompt = str(PROMPTS / "leak_verbatim.md")
    for name, damaged in (("flipped", data[:-200] + bytes([data[-200] ^ 0x40]) + data[-199:]), ("cut", data[:-64])):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.lgx").write_bytes(bytes(damaged))
        code, out, err = run(["scan", prompt, "--index", str(tmp_path / name)], capsys)
        assert code == 2 and out == "" and "corrupt" in err, (name, err)


def test_serve_without_a_token(
    demo_index_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("fastapi")
    import leakguard.service

    served: list[str] = []
    monkeypatch.setattr(leakguard.service, "serve", lambda scanner, host, port, **_: served.append(host))
    monkeypatch.delenv("LEAKGUARD_TOKEN", raising=False)
    index = ["--index", str(demo_index_dir)]
    code, _, err = run(["serve", *index, "--host", "0.0.0.0"], capsys)
    assert code == 2 and "without a token" in err and served == []
    code, _, err = run(["serve", *index], capsys)  # loopback: served, with a warning
    assert code == 0 and served == ["127.0.0.1"] and "warning: no token set" in err
    code, _, err = run(["serve", *index, "--host", "0.0.0.0", "--no-token"], capsys)
    assert code == 0 and served[-1] == "0.0.0.0" and "warning: no token set" in err
    monkeypatch.setenv("LEAKGUARD_TOKEN", "t0ken")
    code, _, err = run(["serve", *index, "--host", "0.0.0.0"], capsys)
    assert code == 0 and "warning" not in err


def test_the_hook_outside_a_repository(
    demo_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, out, err = run(["hook", "--index", str(demo_index_dir)], capsys)
    assert code == 2 and "not a git repository" in err and "exit status" not in err
    (tmp_path / "copy.py").write_text((PROMPTS / "leak_verbatim.md").read_text())
    code, out, _ = run(["hook", "copy.py", "--index", str(demo_index_dir)], capsys)  # named files: scanned whole
    assert code == 1 and "copy.py:" in out and "payments/ledger.py" in out
