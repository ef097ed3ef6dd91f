"""Turning bytes from a file or a pipe into text to scan, with clear refusals."""

from __future__ import annotations

from leakguard.errors import InputError


def decode_input(data: bytes, name: str) -> str:
    """Decode scanned input as UTF-8 (BOM allowed); raise InputError for binary or bad bytes."""
    if not data:
        raise InputError(f"{name}: input is empty")
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: input looks binary (contains NUL bytes); leakguard scans text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: input is not valid UTF-8 (byte {exc.start})") from exc
