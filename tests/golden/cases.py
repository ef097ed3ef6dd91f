"""The texts of the golden test: the demo repository's code, transformed and wrapped.

Deterministic, and made only of what a clone has (``examples/``), so the golden findings
(``findings.json``) can be checked anywhere. Each demo file is scanned verbatim, renamed,
reformatted, cut to a partial window, pasted in a markdown prompt, escaped in a JSON chat
request, with typographic quotes, and two files' halves mixed; the shipped prompts too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FILE_TYPES = (".py", ".go", ".c", ".java", ".ts")


def _renamed(text: str) -> str:
    return re.sub(r"\b([a-z_][A-Za-z0-9_]{3,})\b", lambda m: "v" + m.group(1)[::-1], text)


def _reformatted(text: str) -> str:
    return "\n".join("    " + line.strip() for line in text.splitlines() if line.strip())


def _partial(text: str) -> str:
    lines = text.splitlines()
    return "\n".join(lines[len(lines) // 4 : len(lines) * 3 // 4])


def _typographic(text: str) -> str:
    return text.replace('"', "\u201c", 1).replace("-", "\u2014", 1)


def cases() -> dict[str, str]:
    """Name -> text, in a fixed order."""
    sources = sorted(p for p in (EXAMPLES / "acme").rglob("*") if p.suffix in FILE_TYPES)
    out: dict[str, str] = {}
    for prompt in sorted((EXAMPLES / "prompts").iterdir()):
        out[f"prompt/{prompt.name}"] = prompt.read_text(encoding="utf-8")
    texts = {p.relative_to(EXAMPLES).as_posix(): p.read_text(encoding="utf-8") for p in sources}
    for name, text in texts.items():
        out[f"{name}/verbatim"] = text
        out[f"{name}/renamed"] = _renamed(text)
        out[f"{name}/reformatted"] = _reformatted(text)
        out[f"{name}/partial"] = _partial(text)
        out[f"{name}/markdown"] = f"Why does this fail?\n\n```\n{text}\n```\nThanks!"
        body = {"model": "m", "messages": [{"role": "user", "content": f"Fix this:\n{_partial(text)}"}]}
        out[f"{name}/json"] = json.dumps(body)
        out[f"{name}/typographic"] = _typographic(text)
    names = list(texts)
    for first, second in zip(names, [*names[1:], *names[:1]], strict=True):
        a, b = texts[first].splitlines(), texts[second].splitlines()
        out[f"mix/{first}+{second}"] = "\n".join([*a[: len(a) // 2], "", "and also", *b[len(b) // 2 :]])
    return out


def findings(index: object, texts: dict[str, str]) -> dict[str, object]:
    """What a scan of each text says: the verdict, the score and every finding."""
    out: dict[str, object] = {}
    for name, text in texts.items():
        result = index.scan(text)  # type: ignore[attr-defined]
        out[name] = {
            "leak": result.is_leak,
            "score": result.score,
            "findings": [
                [f.path, f.start_line, f.end_line, f.start, f.end, f.text_start_line, f.text_end_line,
                 f.score, f.matched_tokens, f.exact_tokens, f.common_tokens]
                for f in result.findings
            ],
        }  # fmt: skip
    return out
