"""Scanning and redacting HTTP request bodies, whatever API they are written for.

AI APIs put the prompt in different places (OpenAI ``messages[].content``, Anthropic
content blocks, Gemini ``contents[].parts[].text``, tool results, system prompts), so a
JSON body is walked and every string in it is scanned on its own: a string is where a
pasted file ends up, and JSON escapes are undone by the parser. Other text bodies are
scanned whole. Redaction rewrites only the strings that carried findings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from leakguard.api import Scanner
from leakguard.result import Finding

#: Strings shorter than this cannot hold a k-gram worth reporting; not worth a scan.
MIN_CHARS = 40


@dataclass(frozen=True)
class BodyVerdict:
    """What was found in one body, and the body to send on when redacting."""

    is_leak: bool
    findings: list[tuple[str, Finding]] = field(default_factory=list)
    body: bytes | None = None

    def summary(self) -> str:
        """The indexed files and lines that matched (never the code), for messages and logs."""
        names = sorted({f"{f.path}:{f.start_line}-{f.end_line}" for _, f in self.findings})
        return ", ".join(names)

    def to_json(self) -> dict[str, object]:
        """The verdict as JSON: where in the body (a JSON pointer), and what each part matches."""
        return {
            "is_leak": self.is_leak,
            "findings": [
                {
                    "at": at,
                    "path": f.path,
                    "start_line": f.start_line,
                    "end_line": f.end_line,
                    "score": round(f.score, 4),
                }
                for at, f in self.findings
            ],
        }


def _child(pointer: str, key: object) -> str:
    return f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"


def _strings(value: object, pointer: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value with its JSON pointer (RFC 6901)."""
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, _child(pointer, key))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _strings(item, _child(pointer, number))


def _replace(value: object, pointer: str, replacements: dict[str, str]) -> object:
    if isinstance(value, str):
        return replacements.get(pointer, value)
    if isinstance(value, dict):
        return {key: _replace(item, _child(pointer, key), replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, _child(pointer, n), replacements) for n, item in enumerate(value)]
    return value


def guard_body(scanner: Scanner, body: bytes, content_type: str = "", redact: bool = False) -> BodyVerdict:
    """Scan one request body; with ``redact``, also build the body with every finding cut out.

    JSON bodies (by content type, or by shape) are scanned string by string; other bodies as
    one text. Bytes that are not UTF-8 are read as replacement characters: code sent in
    another encoding (Latin-1, UTF-16 with its NULs) still shows its ASCII tokens, and no
    body passes unscanned because it is not UTF-8.
    """
    text = body.decode("utf-8", errors="replace")
    if "\x00" in text:  # UTF-16 and the like: the characters are there, one NUL apart
        text = text.replace("\x00", "")
    document: object = None
    is_json = "json" in content_type.lower() or text.lstrip()[:1] in ("{", "[")
    if is_json:
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            is_json = False
    pieces = [(p, s) for p, s in _strings(document, "")] if is_json else [("", text)]
    findings: list[tuple[str, Finding]] = []
    replacements: dict[str, str] = {}
    for pointer, piece in pieces:
        if len(piece) < MIN_CHARS:
            continue
        result = scanner.scan(piece)
        if result.is_leak:
            findings += [(pointer, finding) for finding in result.findings]
            if redact:
                replacements[pointer] = result.redacted()
    if not findings:
        return BodyVerdict(False)
    if not redact:
        return BodyVerdict(True, findings)
    if is_json:
        new_body = json.dumps(_replace(document, "", replacements), ensure_ascii=False).encode("utf-8")
    else:
        new_body = replacements[""].encode("utf-8")
    return BodyVerdict(True, findings, new_body)
