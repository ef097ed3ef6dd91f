"""Configuration from ``leakguard.toml`` or ``[tool.leakguard]`` in ``pyproject.toml``.

Like black, the nearest configuration file above the working directory is read once into
one frozen :class:`Config`; command-line flags override it. Paths in it are relative to
the file that names them. Example::

    [tool.leakguard]
    index = "../security/acme-index"
    baseline = ".leakguard-baseline.json"
    allow = ["vendor/", "../security/public-sets/idioms"]   # public code left out of indexes
    threshold = 24
    renamed_weight = 0.6
    redaction_template = "[removed: {lines} lines of {path}]"
    format = "json"
    warn_labels = ["sensitivity=internal"]   # findings from these sources warn, never block

    [tool.leakguard.labels]                   # by source name: the folder name of each indexed path
    payments = { team = "payments", sensitivity = "secret", owner = "ana@acme.example" }
    wiki-tools = { team = "docs", sensitivity = "internal" }
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from leakguard.errors import ConfigError
from leakguard.options import DEFAULT_POLICY, ScanPolicy

CONFIG_FILES = ("leakguard.toml", "pyproject.toml")
_FORMATS = ("text", "json", "sarif")


@dataclass(frozen=True)
class Config:
    """Settings read from a configuration file (every field optional)."""

    index: str | None = None
    key_file: str | None = None
    key_command: str | None = None
    baseline: str | None = None
    allow: tuple[str, ...] = ()
    threshold: float | None = None
    renamed_weight: float | None = None
    redaction_template: str | None = None
    near_duplicates: bool | None = None
    format: str | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    warn_labels: tuple[str, ...] | None = None
    source: str | None = None

    def policy(self, threshold: float | None = None) -> ScanPolicy:
        """The scan policy: defaults, then this file, then ``threshold`` from the command line."""
        values: dict[str, Any] = {}
        for name in ("threshold", "renamed_weight", "redaction_template", "near_duplicates", "warn_labels"):
            value = getattr(self, name)
            if value is not None:
                values[name] = value
        if threshold is not None:
            values["threshold"] = threshold
        return ScanPolicy(**values) if values else DEFAULT_POLICY


def _table(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    if path.name == "pyproject.toml" and "leakguard" not in raw:
        return None  # no [tool.leakguard] table: a cold CLI run is spared the TOML parser's import
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    table: object = data.get("tool", {}).get("leakguard") if path.name == "pyproject.toml" else data
    return table if isinstance(table, dict) else None


def parse_config(table: dict[str, Any], path: Path) -> Config:
    """Validate one configuration table; raise ConfigError naming the file and the key."""
    known = {field.name for field in fields(Config)} - {"source"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    values: dict[str, Any] = {"source": str(path)}
    for name in ("index", "key_file", "baseline"):
        if name in table:
            if not isinstance(table[name], str):
                raise ConfigError(f"{path}: {name} must be a path string")
            values[name] = str((path.parent / table[name]).resolve())
    if "key_command" in table:
        if not isinstance(table["key_command"], str) or not table["key_command"].strip():
            raise ConfigError(f"{path}: key_command must be a command line (a string)")
        values["key_command"] = table["key_command"]
    if "allow" in table:
        allow = table["allow"]
        if not isinstance(allow, list) or not all(isinstance(item, str) for item in allow):
            raise ConfigError(f"{path}: allow must be a list of paths (public code or public sets)")
        values["allow"] = tuple(str((path.parent / item).resolve()) for item in allow)
    for name in ("threshold", "renamed_weight"):
        if name in table:
            if not isinstance(table[name], int | float) or isinstance(table[name], bool):
                raise ConfigError(f"{path}: {name} must be a number")
            values[name] = float(table[name])
    if "near_duplicates" in table:
        if not isinstance(table["near_duplicates"], bool):
            raise ConfigError(f"{path}: near_duplicates must be true or false")
        values["near_duplicates"] = table["near_duplicates"]
    if "labels" in table:
        values["labels"] = _labels(table["labels"], path)
    if "warn_labels" in table:
        warn = table["warn_labels"]
        if not isinstance(warn, list) or not all(isinstance(item, str) and "=" in item for item in warn):
            raise ConfigError(f'{path}: warn_labels must be a list of "name=value" strings')
        values["warn_labels"] = tuple(warn)
    if "redaction_template" in table:
        values["redaction_template"] = str(table["redaction_template"])
    if "format" in table:
        if table["format"] not in _FORMATS:
            raise ConfigError(f"{path}: format must be one of {', '.join(_FORMATS)}")
        values["format"] = table["format"]
    config = Config(**values)
    try:
        config.policy()  # validate the ranges now, with the file named in the error
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return config


def _labels(table: object, path: Path) -> dict[str, dict[str, str]]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: labels must be a table of sources, each a table of labels")
    labels: dict[str, dict[str, str]] = {}
    for source, values in table.items():
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise ConfigError(f'{path}: labels.{source} must be a table of strings, e.g. {{ team = "payments" }}')
        bad = [name for name in values if "=" in name or "," in name]
        if bad:
            raise ConfigError(f"{path}: labels.{source}: a label name cannot hold '=' or ',' ({bad[0]!r})")
        labels[str(source)] = {str(name): str(value) for name, value in values.items()}
    return labels


def find_config(start: Path) -> Config:
    """The configuration of the nearest directory at or above ``start`` that has one."""
    for directory in (start.resolve(), *start.resolve().parents):
        for name in CONFIG_FILES:
            path = directory / name
            if path.is_file():
                table = _table(path)
                if table is not None:
                    return parse_config(table, path)
    return Config()
