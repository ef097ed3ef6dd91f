"""Sources the CLI scans: directories expanded, several sources scanned by worker processes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import EXAMPLES

import leakguard.inputs as inputs
from leakguard.api import Scanner
from leakguard.errors import InputError
from leakguard.inputs import Outcome, Source, expand, scan_sources

PROMPTS = EXAMPLES / "prompts"
needs_fork = pytest.mark.skipif(not inputs._CAN_FORK, reason="sources are scanned in-process here")


def _logs(root: Path) -> Path:
    """A directory of logs: leaks in JSON and plain, clean ones, and a binary rotation."""
    logs = root / "logs"
    (logs / "b").mkdir(parents=True)
    leak = (PROMPTS / "leak_verbatim.md").read_text()
    renamed = (PROMPTS / "leak_renamed.txt").read_text()
    (logs / "a.log").write_text("INFO started\n" * 50)
    (logs / "b" / "chat.log").write_text("INFO prompt=" + json.dumps(leak) + "\n")
    (logs / "b" / "paste.log").write_text("INFO pasted\n" + renamed + "\nINFO done\n")
    (logs / "c.log").write_text("INFO request served in 3 ms\n" * 20 + leak)
    (logs / "d.log.gz").write_bytes(b"\x1f\x8b\x08\x00\x00binary")
    (logs / "e.log").write_bytes(b"")  # rotated
    return logs


def _summary(outcomes: list[Outcome]) -> list[tuple[str, str | None, list[tuple[str, int, int, int, int]]]]:
    return [
        (
            o.source,
            o.skipped or o.error,
            [(f.path, f.start_line, f.end_line, f.start, f.end) for f in o.result.findings] if o.result else [],
        )
        for o in outcomes
    ]


def test_expand_walks_directories_in_order_without_hidden_ones(tmp_path: Path) -> None:
    logs = _logs(tmp_path)
    (logs / ".cache").mkdir()
    (logs / ".cache" / "x.log").write_text("x")
    names = [Path(s.name).relative_to(logs).as_posix() for s in expand([str(logs)])]
    assert names == ["a.log", "b/chat.log", "b/paste.log", "c.log", "d.log.gz", "e.log"]
    with pytest.raises(InputError, match="no such file"):
        expand([str(tmp_path / "missing")])


@needs_fork
def test_worker_processes_give_the_outcomes_of_one_process(demo_index_dir: Path, tmp_path: Path) -> None:
    scanner = Scanner.open(demo_index_dir)
    sources = expand([str(_logs(tmp_path))])
    alone = scan_sources(scanner, sources, keep_text=False, jobs=1)
    shared = scan_sources(scanner, sources, keep_text=False, jobs=2)
    assert _summary(shared) == _summary(alone)
    scores = [[o.result.score if o.result else None for o in outcomes] for outcomes in (shared, alone)]
    assert scores[0] == scores[1]
    leaking = [Path(o.source).name for o in shared if o.result is not None and o.result.is_leak]
    assert leaking == ["chat.log", "paste.log", "c.log"]
    assert [(o.status, o.skipped) for o in shared][-2:] == [("skipped", "binary"), ("skipped", "empty")]


@needs_fork
def test_worker_processes_really_scan(demo_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sources are scanned in forked workers, not in the calling process."""

    def where(scanner: Scanner, source: Source, keep_text: bool = True) -> Outcome:
        return Outcome(str(os.getpid()), None)

    monkeypatch.setattr(inputs, "scan_source", where)  # the workers fork with it in place
    sources = expand([str(_logs(tmp_path))])
    scanned_in = [int(o.source) for o in scan_sources(Scanner.open(demo_index_dir), sources, jobs=2)]
    assert len(scanned_in) == len(sources) and os.getpid() not in scanned_in


@needs_fork
def test_a_failing_source_is_an_error_and_the_others_are_scanned(demo_index_dir: Path, tmp_path: Path) -> None:
    logs = _logs(tmp_path)
    bad = tmp_path / "bad.log"
    bad.write_bytes("INFO caf\u00e9\n".encode("latin-1"))  # not UTF-8, and named explicitly: an error
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")  # named explicitly: it must hold text
    sources = [Source(str(bad)), *expand([str(logs)]), Source(str(empty))]
    scanner = Scanner.open(demo_index_dir)
    runs = [scan_sources(scanner, sources, keep_text=False, jobs=jobs) for jobs in (1, 2)]
    assert _summary(runs[0]) == _summary(runs[1])
    for outcomes in runs:
        assert (outcomes[0].status, outcomes[0].error) == ("error", "input is not valid UTF-8 (byte 8)")
        assert (outcomes[-1].status, outcomes[-1].error) == ("error", "input is empty")
        assert [Path(o.source).name for o in outcomes if o.is_leak] == ["chat.log", "paste.log", "c.log"]
    with pytest.raises(InputError, match=r"bad\.log: input is not valid UTF-8"):
        inputs.scan_source(scanner, Source(str(bad)))  # one source alone raises


def test_standard_input_is_scanned_in_this_process(demo_index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def here(scanner: Scanner, source: Source, keep_text: bool = True) -> Outcome:
        calls.append(source.name)
        return Outcome(source.name, None)

    monkeypatch.setattr(inputs, "scan_source", here)  # recorded only when called in this process
    outcomes = scan_sources(Scanner.open(demo_index_dir), [Source("-"), Source("x.log")], jobs=2)
    assert calls == ["-", "x.log"] and [o.source for o in outcomes] == ["-", "x.log"]
