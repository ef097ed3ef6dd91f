"""Supported languages: how to recognise them and what their grammars call things.

Grammars are imported lazily, one module per language, only when a file of that
language is indexed: scanning never imports tree-sitter at all.
"""

from __future__ import annotations

import importlib
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language


@dataclass(frozen=True)
class LanguageSpec:
    """What leakguard needs to know about one tree-sitter grammar.

    Attributes:
        name: leakguard's name for the language.
        module: the Python module that ships the grammar.
        function: the function of that module that returns the grammar pointer.
        strings: node types that are string or character literals (become one STR token).
        units: node types that make a self-contained unit (function, class) for MinHash.
        texts: node types holding free text the scan side cannot delimit (heredocs): they are
            lexed with the scan-time rules so both sides see them the same way.
    """

    name: str
    module: str
    function: str
    strings: tuple[str, ...]
    units: tuple[str, ...]
    texts: tuple[str, ...] = ()


_C_UNITS = ("function_definition", "struct_specifier")
_C_TEXTS = ("preproc_arg",)  # raw directive text (#define bodies, #import "x.h"): lexed like the scan side
SPECS: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec(
            "python", "tree_sitter_python", "language", ("string",), ("function_definition", "class_definition")
        ),
        LanguageSpec(
            "javascript",
            "tree_sitter_javascript",
            "language",
            ("string", "template_string"),
            ("function_declaration", "method_definition", "class_declaration", "generator_function_declaration"),
        ),
        LanguageSpec(
            "typescript",
            "tree_sitter_typescript",
            "language_typescript",
            ("string", "template_string"),
            ("function_declaration", "method_definition", "class_declaration", "interface_declaration"),
        ),
        LanguageSpec(
            "tsx",
            "tree_sitter_typescript",
            "language_tsx",
            ("string", "template_string"),
            ("function_declaration", "method_definition", "class_declaration", "interface_declaration"),
        ),
        LanguageSpec(
            "java",
            "tree_sitter_java",
            "language",
            ("string_literal", "character_literal", "text_block"),
            (
                "method_declaration",
                "constructor_declaration",
                "class_declaration",
                "interface_declaration",
                "enum_declaration",
            ),
        ),
        LanguageSpec("c", "tree_sitter_c", "language", ("string_literal", "char_literal"), _C_UNITS, _C_TEXTS),
        LanguageSpec(
            "cpp",
            "tree_sitter_cpp",
            "language",
            ("string_literal", "char_literal", "raw_string_literal"),
            (*_C_UNITS, "class_specifier"),
            _C_TEXTS,
        ),
        LanguageSpec(
            "csharp",
            "tree_sitter_c_sharp",
            "language",
            (
                "string_literal",
                "character_literal",
                "verbatim_string_literal",
                "interpolated_string_expression",
                "raw_string_literal",
            ),
            (
                "method_declaration",
                "constructor_declaration",
                "class_declaration",
                "struct_declaration",
                "interface_declaration",
            ),
        ),
        LanguageSpec(
            "go",
            "tree_sitter_go",
            "language",
            ("interpreted_string_literal", "raw_string_literal", "rune_literal"),
            ("function_declaration", "method_declaration", "type_declaration"),
        ),
        LanguageSpec(
            "rust",
            "tree_sitter_rust",
            "language",
            ("string_literal", "raw_string_literal", "char_literal"),
            ("function_item", "impl_item", "struct_item", "enum_item", "trait_item"),
        ),
        LanguageSpec(
            "ruby",
            "tree_sitter_ruby",
            "language",
            ("string", "character", "delimited_symbol", "subshell"),
            ("method", "singleton_method", "class", "module"),
            ("heredoc_body",),
        ),
        LanguageSpec(
            "php",
            "tree_sitter_php",
            "language_php",
            ("string", "encapsed_string"),
            ("function_definition", "method_declaration", "class_declaration"),
            ("heredoc", "nowdoc"),
        ),
        LanguageSpec(
            "kotlin",
            "tree_sitter_kotlin",
            "language",
            ("string_literal", "character_literal"),
            ("function_declaration", "class_declaration", "object_declaration"),
        ),
    )
}

EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".pyw": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".ipp": "cpp",
    ".cs": "csharp",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".rake": "ruby",
    ".gemspec": "ruby",
    ".php": "php",
    ".phtml": "php",
    ".kt": "kotlin",
    ".kts": "kotlin",
}

_SHEBANGS = (("python", "python"), ("node", "javascript"), ("deno", "typescript"), ("ruby", "ruby"), ("php", "php"))

# Content clues for files without a known extension, most specific first.
_CLUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("php", re.compile(r"<\?php")),
    ("go", re.compile(r"^package \w+\s*$(?s:.*)^func ", re.M)),
    ("rust", re.compile(r"^\s*(pub\s+)?fn \w+.*->|^use \w+::", re.M)),
    ("kotlin", re.compile(r"^\s*fun \w+\(|^\s*(val|var) \w+\s*[:=]", re.M)),
    ("csharp", re.compile(r"^using System|^namespace \w+[\w.]*\s*[{;]", re.M)),
    ("java", re.compile(r"^import java\.|^\s*public (final )?class \w+", re.M)),
    ("cpp", re.compile(r"^#include <(iostream|vector|string|memory)>|std::", re.M)),
    ("c", re.compile(r"^#include [<\"]", re.M)),
    ("python", re.compile(r"^(def|class) \w+.*:\s*$|^from [\w.]+ import |^import \w+\s*$", re.M)),
    ("ruby", re.compile(r"^\s*def \w+[^:]*$(?s:.*)^\s*end\s*$", re.M)),
    ("typescript", re.compile(r"^\s*(export )?(interface|type) \w+.*[{=]", re.M)),
    ("javascript", re.compile(r"^\s*(const|let|var) \w+ = require\(|^\s*export (default )?function", re.M)),
)


def detect_language(path: str, text: str) -> str | None:
    """Name of the language of a file, by extension and else by content; None if unknown."""
    dot = path.rfind(".")
    if dot > path.rfind("/"):
        language = EXTENSIONS.get(path[dot:].lower())
        if language is not None:
            return language
    head = text[:4096]
    if head.startswith("#!"):
        first = head.split("\n", 1)[0]
        for needle, language in _SHEBANGS:
            if needle in first:
                return language
    if dot > path.rfind("/"):
        return None  # an extension we do not parse: the generic lexical path handles it
    for language, clue in _CLUES:
        if clue.search(head):
            return language
    return None


_GRAMMARS: dict[str, Language] = {}
_GRAMMAR_LOCK = threading.Lock()


def grammar(name: str) -> Language:
    """The tree-sitter Language for a supported language (loaded once, then cached)."""
    with _GRAMMAR_LOCK:
        cached = _GRAMMARS.get(name)
        if cached is None:
            from tree_sitter import Language

            spec = SPECS[name]
            module = importlib.import_module(spec.module)
            cached = Language(getattr(module, spec.function)())
            _GRAMMARS[name] = cached
        return cached
