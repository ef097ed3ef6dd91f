"""Real source files per language for tests and benchmarks.

Sources, all real code nobody on this project wrote: the corpus that
``tests/corpus/fetch.sh`` fills from npm, PyPI sdists and Debian packages (``$LEAKGUARD_CORPUS``,
else ``~/.cache/leakguard/corpus``), the installed
Python packages (click, rich), and the Java of ``../shared/datasets`` when present.
"""

from __future__ import annotations

import os
from pathlib import Path

from leakguard.normalise.languages import EXTENSIONS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("LEAKGUARD_CORPUS", Path.home() / ".cache" / "leakguard" / "corpus"))
SHARED = ROOT.parent / "shared" / "datasets"
#: Unrelated Java for the datasets benchmark's negatives (JDK tool modules, see fetch.sh).
JAVA_NEGATIVES = CORPUS.parent / "java-negatives"
LANGUAGES = (
    "python",
    "javascript",
    "typescript",
    "tsx",
    "java",
    "c",
    "cpp",
    "csharp",
    "go",
    "rust",
    "ruby",
    "php",
    "kotlin",
)
_SKIP_PARTS = {"node_modules", "test", "tests", "__tests__", "fixtures"}


def _python_roots() -> list[Path]:
    import click
    import rich

    return [Path(click.__file__).parent, Path(rich.__file__).parent]


def _roots() -> list[Path]:
    roots = [CORPUS] if CORPUS.is_dir() else []
    roots += _python_roots()
    for java in ("irplag/IR-Plag-Dataset", "spplagiarise/Base Programs"):
        if (SHARED / java).is_dir():
            roots.append(SHARED / java)
    return roots


def files_by_language(limit: int = 40, min_bytes: int = 400, max_bytes: int = 60_000) -> dict[str, list[Path]]:
    """Up to ``limit`` real files per language, in a stable order, sized for quick tests."""
    found: dict[str, list[Path]] = {language: [] for language in LANGUAGES}
    for root in _roots():
        for path in sorted(root.rglob("*")):
            if not path.is_file() or _SKIP_PARTS & set(path.parts) or path.name.endswith(".d.ts"):
                continue
            language = EXTENSIONS.get(path.suffix.lower())
            if language is None or len(found[language]) >= limit:
                continue
            size = path.stat().st_size
            if min_bytes <= size <= max_bytes:
                found[language].append(path)
    return found
