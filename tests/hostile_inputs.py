"""Hostile inputs, shared by ``tests/test_hostile.py`` and ``benchmarks/hostile.py``.

Three sources, all deterministic:

* the checked-in corpus (``tests/hostile/``): one file per known-nasty input, small enough
  to read, and every input fuzzing ever found a fault with (name them ``found-*``);
* :data:`KINDS`: inputs of any size made of one pathological pattern each (one line, one
  character, one token, deep nesting of every wrapping, runs that feed each decoder's
  patterns, many indexed copies), for the benchmark of time and memory per megabyte;
* :func:`mutants`: corpus files and small kinds put through random byte mutations,
  splices and wrappings (JSON in JSON in markdown in HTML), as a mutation fuzzer does.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "hostile"
ROOT = Path(__file__).resolve().parent.parent
#: Indexed code of the demo index, so that hostile inputs also reach the hit-heavy paths.
DEMO_CODE = (ROOT / "examples" / "acme" / "payments" / "ledger.py").read_text()
CODE_LINE = "    total = compute_fee(amount, rate) + ledger.balance(account_id)\n"


def corpus() -> dict[str, bytes]:
    """The checked-in hostile inputs, by file name."""
    return {path.name: path.read_bytes() for path in sorted(CORPUS.iterdir()) if path.is_file()}


def _fill(unit: str | bytes, size: int) -> bytes:
    data = unit.encode() if isinstance(unit, str) else unit
    return (data * (size // len(data) + 1))[:size]


def _nested_json(size: int) -> bytes:
    """Code JSON-encoded inside JSON inside JSON...: each level doubles the backslashes."""
    text = DEMO_CODE
    while len(text) < size:
        text = json.dumps({"messages": [{"role": "user", "content": "fix this:\n" + text}]})
    return text.encode()[:size]


def _wrapped_chain(size: int) -> bytes:
    """Indexed code in markdown in HTML in JSON, again and again, to ``size`` bytes."""
    out: list[str] = []
    total = 0
    while total < size:
        piece = json.dumps({"html": f"<pre><code>```python\n{DEMO_CODE}```</code></pre>"})
        out.append(f"> {piece}\n")
        total += len(out[-1])
    return "".join(out).encode()[:size]


def _fullwidth(size: int) -> bytes:
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in DEMO_CODE)
    return _fill(wide, size)


def _random_tokens(size: int) -> bytes:
    rng = random.Random(size)
    words = ["x", "self", "(", ")", "{", "}", "[", "]", ";", ",", "=", "+", "return", "def", "if", "0x1F", '"s"']
    out: list[str] = []
    total = 0
    while total < size:
        out.append(rng.choice(words) + rng.choice([" ", "", "\n"]))
        total += len(out[-1])
    return "".join(out).encode()[:size]


def _random_bytes(size: int, low: int, high: int) -> bytes:
    """``size`` random bytes in ``range(low, high)``, from a fixed seed."""
    into = bytes(low + value % (high - low) for value in range(256))
    return random.Random(size).randbytes(size).translate(into)


def _base64_code(size: int) -> bytes:
    block = base64.b64encode(DEMO_CODE.encode()).decode()
    return _fill(block + "\n", size)


#: Pathological patterns of any size (bytes), by name: ``KINDS[name](size)``.
KINDS: dict[str, Callable[[int], bytes]] = {
    "code on one line": lambda n: _fill(CODE_LINE.strip() + " ", n),
    "indexed code repeated": lambda n: _fill(DEMO_CODE, n),
    "indexed code on one line": lambda n: _fill(DEMO_CODE.replace("\n", " "), n),
    "one character": lambda n: _fill("a", n),
    "one token": lambda n: _fill("token ", n),
    "opening braces": lambda n: _fill("{", n),
    "opening brackets (JSON)": lambda n: _fill("[", n),
    "balanced brackets": lambda n: b"[" * (n // 2) + b"]" * (n - n // 2),
    "quotes": lambda n: _fill('"', n),
    "backslashes": lambda n: _fill("\\", n),
    "backticks and fences": lambda n: _fill("```\n", n),
    "comment openers": lambda n: _fill("/*", n),
    "string openers": lambda n: _fill("'''", n),
    "newlines": lambda n: _fill("\n", n),
    "carriage returns": lambda n: _fill("\r", n),
    "spaces": lambda n: _fill(" ", n),
    "short lines": lambda n: _fill("a\n", n),
    "quote prefixes on one line": lambda n: _fill("> ", n),
    "quote prefixes on every line": lambda n: _fill("> > > > + 12: x = 1\n", n),
    "unicode escapes": lambda n: _fill("\\u0041", n),
    "broken unicode escapes": lambda n: _fill("\\u00", n),
    "surrogate escapes": lambda n: _fill("\\ud800", n),
    "html entities": lambda n: _fill("&#65;&amp;&lt;", n),
    "broken html entities": lambda n: _fill("&#", n),
    "base64 run": lambda n: _fill("QUJD", n),
    "base64 of indexed code": _base64_code,
    "hex run": lambda n: _fill("41", n),
    "JSON in JSON": _nested_json,
    "markdown in HTML in JSON": _wrapped_chain,
    "combining marks": lambda n: _fill("a" + "\u0301" * 30, n),
    "zero-width joiners": lambda n: _fill("x\u200d", n),
    "bidi controls": lambda n: _fill("\u202e" + CODE_LINE, n),
    "fullwidth code": _fullwidth,
    "line separators": lambda n: _fill("\u2028", n),
    "emoji": lambda n: _fill("\U0001f600", n),
    "random tokens": _random_tokens,
    "control bytes": lambda n: _random_bytes(n, 1, 32),
    "invalid UTF-8": lambda n: _random_bytes(n, 128, 256),
    "NUL bytes": lambda n: bytes(n),
}

#: Bytes a mutation inserts: the openers and escapes every decoder and wrapping reacts to.
TOKENS = [
    b'"', b"\\", b"{", b"}", b"[", b"]", b"\n", b"\r\n", b"```", b"```python\n", b"\\u", b"\\ud83d",
    b"\\x", b"&#", b"&#x", b"<pre>", b"</code>", b"> ", b"+ ", b"/*", b"*/", b"#", b"//", b"'''",
    b'"""', b"`", b"\x00", b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x80\xae", b"=", b"==",
    b'{"role":"user","content":"', b"QUJD", b"0x", b"\t", CODE_LINE.encode(),
]  # fmt: skip


def _mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(out))
        action = rng.randrange(6)
        if action == 0 and out:
            out[min(at, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif action == 1:
            out[at:at] = rng.choice(TOKENS) * rng.choice([1, 1, 2, 16, 256])
        elif action == 2:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif action == 3 and out:
            del out[at : at + rng.randint(1, 64)]
        elif action == 4 and out:
            end = min(len(out), at + rng.randint(1, 256))
            out[at:at] = out[at:end] * rng.randint(1, 8)
        else:
            other = rng.choice(pool)
            start = rng.randint(0, len(other))
            out[at:at] = other[start : start + rng.randint(1, 512)]
    return bytes(out)


def _wrap(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors=rng.choice(["replace", "surrogateescape", "ignore"]))
    way = rng.randrange(6)
    if way == 0:
        chat = {"model": "m", "messages": [{"role": "user", "content": text}]}
        return json.dumps(chat, ensure_ascii=rng.random() < 0.5).encode("utf-8", errors="surrogatepass")
    if way == 1:
        return f"Please review:\n```\n{text}\n```\n".encode("utf-8", errors="surrogatepass")
    if way == 2:
        return f"<html><body><pre><code>{text}</code></pre></body></html>".encode("utf-8", errors="surrogatepass")
    if way == 3:
        return "".join(f"> {line}\n" for line in text.split("\n")).encode("utf-8", errors="surrogatepass")
    if way == 4:
        return json.dumps(text).encode("utf-8", errors="surrogatepass")
    return base64.b64encode(data)


def mutants(seed: int, count: int, max_bytes: int = 16_384) -> Iterator[tuple[str, bytes]]:
    """``count`` mutated inputs (named ``mutant <i>``), each at most ``max_bytes`` long."""
    rng = random.Random(seed)
    pool = list(corpus().values()) + [make(rng.choice([64, 512, 4096])) for make in KINDS.values()]
    pool = [item[:max_bytes] for item in pool if item]
    for i in range(count):
        data = _mutate(rng, rng.choice(pool), pool)
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            data = _wrap(rng, data)
        yield f"mutant {i}", data[:max_bytes]


def hostile(seed: int, count: int, kind_bytes: int = 65_536) -> Iterator[tuple[str, bytes]]:
    """The corpus, every kind at ``kind_bytes``, then mutants up to ``count`` inputs in all."""
    fixed = [*corpus().items(), *((name, make(kind_bytes)) for name, make in KINDS.items())]
    yield from fixed[:count]
    yield from mutants(seed, max(0, count - len(fixed)))
