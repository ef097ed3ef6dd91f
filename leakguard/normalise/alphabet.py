"""The one token alphabet shared by the index side and the scan side.

Every token is one *symbol*: a keyword stands for itself, a punctuation character for
itself, and every identifier, string literal and number for one class symbol each
(``ID``, ``STR``, ``NUM``). Abstracting names and literals is what lets a renamed copy
with changed constants still match. Keywords are a single set, the union over all
supported languages, because the scan side never knows the language: a word is a keyword
on both sides or on neither.

Each symbol gets a 64-bit value from xxhash, seeded by the (optional) secret key, so the
same code gives the same fingerprints on every machine and in every process, and a
stolen keyed index cannot be probed without the key.
"""

from __future__ import annotations

import xxhash

ID = "\x00id"
STR = "\x00str"
NUM = "\x00num"

#: Words treated as keywords in every language. Changing this set changes fingerprints:
#: bump ``ALPHABET_VERSION`` in :mod:`leakguard.options` when you do.
KEYWORDS: frozenset[str] = frozenset(
    [
        "abstract",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "bool",
        "boolean",
        "break",
        "byte",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "def",
        "default",
        "defer",
        "del",
        "delete",
        "do",
        "double",
        "elif",
        "else",
        "enum",
        "except",
        "extends",
        "false",
        "final",
        "finally",
        "float",
        "fn",
        "for",
        "foreach",
        "from",
        "fun",
        "func",
        "function",
        "go",
        "goto",
        "if",
        "impl",
        "implements",
        "import",
        "in",
        "instanceof",
        "int",
        "interface",
        "is",
        "lambda",
        "let",
        "long",
        "loop",
        "match",
        "mod",
        "module",
        "mut",
        "namespace",
        "new",
        "nil",
        "none",
        "not",
        "null",
        "object",
        "or",
        "override",
        "package",
        "pass",
        "private",
        "protected",
        "pub",
        "public",
        "raise",
        "readonly",
        "return",
        "self",
        "short",
        "sizeof",
        "static",
        "string",
        "struct",
        "super",
        "switch",
        "synchronized",
        "this",
        "throw",
        "throws",
        "trait",
        "true",
        "try",
        "type",
        "typeof",
        "unsafe",
        "use",
        "val",
        "var",
        "virtual",
        "void",
        "volatile",
        "when",
        "where",
        "while",
        "with",
        "yield",
    ]
)

_CASE_FOLDED = {"None": "none", "True": "true", "False": "false", "String": "string"}


def keyword_symbol(word: str) -> str | None:
    """Return the keyword symbol for ``word``, or None when it is an identifier."""
    if word in KEYWORDS:
        return word
    return _CASE_FOLDED.get(word)


def key_id(key: bytes) -> str:
    """Public identifier of a secret key: lets a scanner check it holds the right key."""
    if not key:
        return ""
    return xxhash.xxh3_64_hexdigest(key, seed=0x6C65616B)


class Alphabet:
    """Maps symbols and identifier names to 64-bit token values under one key.

    Instances cache every value they compute; they are safe to share between threads
    because a cache miss only ever stores the same value twice.
    """

    def __init__(self, key: bytes = b"") -> None:
        self.key_id = key_id(key)
        self._seed = xxhash.xxh3_64_intdigest(key, seed=0x4C47) if key else 0
        self._symbols: dict[str, int] = {}
        self._names: dict[str, int] = {}

    def symbol(self, symbol: str) -> int:
        """Abstract value of a symbol (keyword, punctuation, ID, STR or NUM)."""
        value = self._symbols.get(symbol)
        if value is None:
            value = xxhash.xxh3_64_intdigest(b"s" + symbol.encode("utf-8", "surrogatepass"), seed=self._seed)
            self._symbols[symbol] = value
        return value

    def name(self, name: str) -> int:
        """Concrete value of an identifier name, used to tell exact copies from renamed ones."""
        value = self._names.get(name)
        if value is None:
            value = xxhash.xxh3_64_intdigest(b"n" + name.encode("utf-8", "surrogatepass"), seed=self._seed)
            if len(self._names) > 200_000:
                # Bounded memory for long-running scanners fed endless unique names.
                self._names.clear()
            self._names[name] = value
        return value
