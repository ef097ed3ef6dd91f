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

from leakguard.fingerprint.kgrams import fmix64
from leakguard.normalise.code_tokens import word_hash

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


_NAME_SALT = 0x243F6A8885A308D3


def _mix(values: npt.NDArray[np.uint64], seed: int) -> npt.NDArray[np.uint64]:
    return fmix64(values ^ np.uint64(seed ^ _NAME_SALT))


class Alphabet:
    """Maps symbols and identifier names to 64-bit token values under one key.

    Symbols (keywords, punctuation, the classes) take an xxhash of their text; names take
    the word hash of :mod:`leakguard.normalise.code_tokens` mixed with the key, so the
    vectorised tokenizer and this class agree. Instances cache what they compute and are
    safe to share between threads (a cache miss only ever stores the same value twice).
    """

    def __init__(self, key: bytes = b"") -> None:
        self.key_id = key_id(key)
        self._seed = xxhash.xxh3_64_intdigest(key, seed=0x4C47) if key else 0
        self._symbols: dict[str, int] = {}
        self._tables_lock = threading.Lock()
        self._ascii: npt.NDArray[np.uint64] | None = None
        self._char_arrays: dict[str, npt.NDArray[np.uint64]] = {}
        self._keywords: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None = None
        self._literals: npt.NDArray[np.uint64] | None = None

    def symbol(self, symbol: str) -> int:
        """Abstract value of a symbol (keyword, punctuation, ID, STR or NUM)."""
        value = self._symbols.get(symbol)
        if value is None:
            value = xxhash.xxh3_64_intdigest(b"s" + symbol.encode("utf-8", "surrogatepass"), seed=self._seed)
            self._symbols[symbol] = value
        return value

    def name(self, name: str) -> int:
        """Concrete value of an identifier name, used to tell exact copies from renamed ones."""
        return int(self.names(np.asarray([word_hash(name)], dtype=np.uint64))[0])

    def names(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        """Concrete values of identifiers given their word hashes (vectorised :meth:`name`)."""
        return _mix(hashes, self._seed)

    def char_symbols(self, chars: str) -> npt.NDArray[np.uint64]:
        """Symbol values of the given characters, as an array (cached: used on every scan)."""
        values = self._char_arrays.get(chars)
        if values is None:
            values = np.asarray([self.symbol(c) for c in chars], dtype=np.uint64)
            self._char_arrays[chars] = values
        return values

    def ascii_symbols(self) -> npt.NDArray[np.uint64]:
        """Symbol value of each ASCII character, by code point (for punctuation)."""
        if self._ascii is None:
            with self._tables_lock:
                self._ascii = np.asarray([self.symbol(chr(i)) for i in range(128)], dtype=np.uint64)
        return self._ascii

    def literal_symbols(self) -> npt.NDArray[np.uint64]:
        """Symbol values of string and number literals and of ASCII punctuation, sorted: what
        a table of values is made of (cached: used on every scan)."""
        if self._literals is None:
            marks = "".join(chr(i) for i in range(33, 127) if not chr(i).isalnum() and chr(i) != "_")
            values = np.concatenate((self.char_symbols(marks), [self.symbol(STR), self.symbol(NUM)]))
            self._literals = np.sort(values.astype(np.uint64))
        return self._literals

    def keyword_table(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        """(sorted word hashes of every keyword spelling, the symbol value of each)."""
        if self._keywords is None:
            spellings = {word: word for word in KEYWORDS} | CASE_FOLDED
            pairs = sorted((word_hash(word), self.symbol(symbol)) for word, symbol in spellings.items())
            with self._tables_lock:
                self._keywords = (
                    np.asarray([h for h, _ in pairs], dtype=np.uint64),
                    np.asarray([v for _, v in pairs], dtype=np.uint64),
                )
        return self._keywords
