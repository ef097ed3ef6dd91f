"""Keys come from a file, the environment or a command, in that order, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakguard.config import parse_config
from leakguard.errors import ConfigError
from leakguard.keys import KEY_COMMAND_ENV, KEY_ENV, resolve_key, run_key_command


def test_sources_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(KEY_COMMAND_ENV, raising=False)
    given, configured = tmp_path / "given.key", tmp_path / "configured.key"
    given.write_bytes(b"from-file\n")
    configured.write_bytes(b"from-config")
    assert resolve_key() is None
    assert resolve_key(None, None, "printf 'from-config-command\\n'") == b"from-config-command"
    assert resolve_key(None, str(configured), "printf x") == b"from-config"
    monkeypatch.setenv(KEY_COMMAND_ENV, "echo from-command")
    assert resolve_key(None, str(configured)) == b"from-command"
    monkeypatch.setenv(KEY_ENV, "from-env")
    assert resolve_key(None, str(configured)) == b"from-env"
    assert resolve_key(given) == b"from-file"


def test_a_failing_command_says_why(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"key command failed \(exit 3\): vault: permission denied"):
        run_key_command("echo 'vault: permission denied' >&2; exit 3")
    with pytest.raises(ConfigError, match="printed nothing"):
        run_key_command("true")
    empty = tmp_path / "empty.key"
    empty.write_bytes(b"\n")
    with pytest.raises(ConfigError, match="is empty"):
        resolve_key(empty)
    with pytest.raises(ConfigError, match="key_command must be a command line"):
        parse_config({"key_command": ""}, tmp_path / "leakguard.toml")
    assert (
        parse_config({"key_command": "pass show leakguard"}, tmp_path / "x.toml").key_command == "pass show leakguard"
    )


def test_a_keyed_index_opens_with_a_key_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import EXAMPLES

    import leakguard

    monkeypatch.delenv(KEY_ENV, raising=False)
    leakguard.build_index([EXAMPLES / "acme" / "billing"], key=b"s3cret", jobs=1).save(tmp_path / "idx")
    monkeypatch.setenv(KEY_COMMAND_ENV, "printf s3cret")
    text = (EXAMPLES / "acme" / "billing" / "invoice.go").read_text()
    assert leakguard.load_index(tmp_path / "idx").scan(text).is_leak
    monkeypatch.setenv(KEY_COMMAND_ENV, "printf wrong")
    with pytest.raises(leakguard.IncompatibleIndexError, match="does not match"):
        leakguard.load_index(tmp_path / "idx")
