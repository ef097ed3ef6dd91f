"""Scanning and redacting HTTP request bodies, whatever API they are written for.

AI APIs put the prompt in different places (OpenAI ``messages[].content``, Anthropic
content blocks, Gemini ``contents[].parts[].text``, tool results, system prompts), so a
JSON body is walked and every string in it is scanned on its own: a string is where a
pasted file ends up, and JSON escapes are undone by the parser. Other text bodies are
scanned whole. Redaction rewrites only the strings that carried findings.

A chat client sends the whole conversation with every request, so the strings each
speaker (a message's ``role``) wrote in one body are also scanned as one text
(:func:`scan_pieces`): a file pasted in parts over several messages is found once the
parts meet, and each part is reported and redacted in the string that holds it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from leakguard.api import Scanner
from leakguard.result import Finding, ScanResult, blocks

#: What separates the pieces of a conversation read as one text (a paragraph break: a
#: copy split mid-line over two messages still reads as consecutive tokens).
JOINT = "\n\n"
#: Characters of each speaker's latest pieces read as one text (a request's extra scan).
JOINED_CHARS = 32_768

_NOT_JSON = object()

#: Strings shorter than this, of one word, are names and ids, not pasted text: not scanned.
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


def _step(step: str) -> str:
    """One step of a JSON pointer, unescaped (RFC 6901)."""
    return step.replace("~1", "/").replace("~0", "~")


def _strings(document: object) -> list[tuple[str, str, str]]:
    """Every string in a JSON value, in document order, with its JSON pointer (RFC 6901)
    and its speaker: the ``role`` of the nearest object holding it (a chat message's:
    OpenAI and Anthropic ``messages[]``, Gemini ``contents[]``), "" when there is none.

    Walked with a stack, not recursion: a body nested as deep as the parser allows must not
    exhaust Python's stack here.
    """
    out: list[tuple[str, str, str]] = []
    stack: list[tuple[str, object, str]] = [("", document, "")]
    while stack:
        pointer, value, role = stack.pop()
        if isinstance(value, str):
            out.append((pointer, value, role))
        elif isinstance(value, dict):
            role = value["role"] if isinstance(value.get("role"), str) else role
            stack.extend((_child(pointer, key), item, role) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((_child(pointer, n), value[n], role) for n in range(len(value) - 1, -1, -1))
    return out


def _replace(document: object, replacements: dict[str, str]) -> object:
    """``document`` with the strings at the pointers of ``replacements`` replaced (in place:
    the document is the caller's own parse of the body)."""
    for pointer, text in replacements.items():
        if not pointer:
            return text
        steps = [_step(step) for step in pointer.split("/")[1:]]
        node: Any = document
        for step in steps[:-1]:
            node = node[int(step)] if isinstance(node, list) else node[step]
        node[int(steps[-1]) if isinstance(node, list) else steps[-1]] = text
    return document


def _parse(text: str) -> object:
    """The JSON document in ``text``, or ``_NOT_JSON`` when it is not one Python can hold
    (not JSON, nested deeper than the parser's limit, an integer past the conversion limit)."""
    try:
        document: object = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        return _NOT_JSON
    return document


def _dumps(document: object) -> bytes:
    try:
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate the body sent escaped: keep it escaped
        return json.dumps(document).encode("ascii")


def _spaced(piece: str) -> bool:
    return any(char.isspace() for char in piece.strip()) or piece[:1].isspace()


def scan_pieces(scanner: Scanner, pieces: Sequence[str], speakers: Sequence[str] | None = None) -> list[ScanResult]:
    """Each piece's scan, with what scanning the pieces of each speaker as one text adds to it.

    ``speakers`` names who wrote each piece (a chat message's role); the pieces of one
    speaker are read together, in order, so the replies between a user's messages do not
    cut a copy the user split over them. Without ``speakers`` all pieces are one speaker's.
    A finding of a joined text is cut at the pieces' edges; each part that overlaps none of
    the piece's own findings is added to it (offsets and text lines in the piece). The
    pieces alone are scanned first, so the scanner's cache answers the history a chat
    resends; each joined text is scanned once more per request.
    """
    results = [scanner.scan(piece) for piece in pieces]
    speakers = speakers if speakers is not None else [""] * len(pieces)
    for speaker in dict.fromkeys(speakers):
        members = [i for i, who in enumerate(speakers) if who == speaker]
        # The latest pieces, up to JOINED_CHARS: a chat's request costs a bounded scan more,
        # however long the conversation has grown (its older turns were read with the
        # requests that brought them).
        total = 0
        recent: list[int] = []
        for i in reversed(members):
            total += len(pieces[i]) + len(JOINT)
            if total > JOINED_CHARS and recent:
                break
            recent.append(i)
        if len(recent) > 1:
            _add_joined(scanner, pieces, results, recent[::-1])
    return results


def _add_joined(scanner: Scanner, pieces: Sequence[str], results: list[ScanResult], members: list[int]) -> None:
    """Scan ``pieces[members]`` as one text; add to each member's result the parts found in it."""
    bounds: list[tuple[int, int]] = []
    position = 0
    for i in members:
        bounds.append((position, position + len(pieces[i])))
        position += len(pieces[i]) + len(JOINT)
    together = scanner.scan(JOINT.join(pieces[i] for i in members))
    if not together.findings:
        return
    for i, (start, end) in zip(members, bounds, strict=True):
        piece, result = pieces[i], results[i]
        added = []
        for finding in together.findings:
            low, high = max(finding.start, start) - start, min(finding.end, end) - start
            if low < high and not any(f.start < high and low < f.end for f in result.findings):
                first = piece.count("\n", 0, low) + 1
                last = first + piece.count("\n", low, max(low, high - 1))
                added.append(replace(finding, start=low, end=high, text_start_line=first, text_end_line=last))
        if added:
            findings = sorted([*result.findings, *added], key=lambda f: f.start)
            best = max(result.score, max(f.score for f in added))
            results[i] = replace(result, is_leak=blocks(findings), score=best, findings=findings, text=piece)


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
    document: object = _NOT_JSON
    if "json" in content_type.lower() or text.lstrip()[:1] in ("{", "["):
        document = _parse(text)
    is_json = document is not _NOT_JSON
    pieces = _strings(document) if is_json else [("", text, "")]
    # Role and model names, ids, content types: one word each, not text anyone pasted. A
    # short line of code ("    )") is kept: read with its neighbours, it is part of a copy.
    pieces = [piece for piece in pieces if len(piece[1]) >= MIN_CHARS or _spaced(piece[1])]
    findings: list[tuple[str, Finding]] = []
    replacements: dict[str, str] = {}
    scanned = scan_pieces(scanner, [piece for _, piece, _ in pieces], [role for _, _, role in pieces])
    for (pointer, _, _), result in zip(pieces, scanned, strict=True):
        if result.is_leak:
            findings += [(pointer, finding) for finding in result.findings]
            if redact:
                replacements[pointer] = result.redacted()
    if not findings:
        return BodyVerdict(False)
    if not redact:
        return BodyVerdict(True, findings)
    new_body = _dumps(_replace(document, replacements)) if is_json else replacements[""].encode("utf-8")
    return BodyVerdict(True, findings, new_body)
