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

import threading

import numpy as np
import numpy.typing as npt
import xxhash

from leakguard import _core
from leakguard.arrays import codepoints

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

#: Capitalised spellings of keywords (Python's None/True/False, C#'s String).
CASE_FOLDED = {"None": "none", "True": "true", "False": "false", "String": "string"}


def key_id(key: bytes) -> str:
    """Public identifier of a secret key: lets a scanner check it holds the right key."""
    if not key:
        return ""
    return xxhash.xxh3_64_hexdigest(key, seed=0x6C65616B)


def word_hash(word: str) -> int:
    """The 64-bit spelling hash of one word (or literal) as the engine computes it."""
    return _core.spelling(codepoints(word))


class Alphabet:
    """Maps symbols and identifier names to 64-bit token values under one key.

    Symbols (keywords, punctuation, the classes) take an xxhash of their text; names take
    their spelling hash mixed with the key. The values are computed by the native engine
    (``native/engine/src/alphabet.rs``), which the lexer of both sides uses through
    :attr:`native`. Instances cache what they compute and are safe to share between
    threads (a cache miss only ever stores the same value twice).
    """

    def __init__(self, key: bytes = b"") -> None:
        self.key_id = key_id(key)
        self._seed = xxhash.xxh3_64_intdigest(key, seed=0x4C47) if key else 0
        self._symbols: dict[str, int] = {}
        self._native_lock = threading.Lock()
        self._native: _core.Alphabet | None = None
        self._char_arrays: dict[str, npt.NDArray[np.uint64]] = {}
        self._literals: npt.NDArray[np.uint64] | None = None

    def symbol(self, symbol: str) -> int:
        """Abstract value of a symbol (keyword, punctuation, ID, STR or NUM)."""
        value = self._symbols.get(symbol)
        if value is None:
            value = _core.symbol(symbol.encode("utf-8", "surrogatepass"), self._seed)
            self._symbols[symbol] = value
        return value

    def name(self, name: str) -> int:
        """Concrete value of an identifier name, used to tell exact copies from renamed ones."""
        return int(self.names(np.asarray([word_hash(name)], dtype=np.uint64))[0])

    def names(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        """Concrete values of identifiers given their word hashes (vectorised :meth:`name`)."""
        return self.native.names(np.ascontiguousarray(hashes, dtype=np.uint64))

    def char_symbols(self, chars: str) -> npt.NDArray[np.uint64]:
        """Symbol values of the given characters, as an array (cached: used on every scan)."""
        values = self._char_arrays.get(chars)
        if values is None:
            values = np.asarray([self.symbol(c) for c in chars], dtype=np.uint64)
            self._char_arrays[chars] = values
        return values

    def literal_symbols(self) -> npt.NDArray[np.uint64]:
        """Symbol values of string and number literals and of ASCII punctuation, sorted: what
        a table of values is made of (cached: used on every scan)."""
        if self._literals is None:
            marks = "".join(chr(i) for i in range(33, 127) if not chr(i).isalnum() and chr(i) != "_")
            values = np.concatenate((self.char_symbols(marks), [self.symbol(STR), self.symbol(NUM)]))
            self._literals = np.sort(values.astype(np.uint64))
        return self._literals

    @property
    def native(self) -> _core.Alphabet:
        """The engine's alphabet under the same key (built once, on first use)."""
        if self._native is None:
            spellings = {word: word for word in KEYWORDS} | CASE_FOLDED
            with self._native_lock:
                if self._native is None:
                    self._native = _core.Alphabet(self._seed, sorted(spellings.items()))
        return self._native
