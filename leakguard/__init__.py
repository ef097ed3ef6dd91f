"""leakguard: find proprietary source code in outgoing text.

Build an index of fingerprints from your repositories (no source text is stored), then
scan any text — AI prompts, logs, diffs — for code that came from them::

    import leakguard
    leakguard.build_index(["path/to/repo"]).save("acme-index")
    scanner = leakguard.Scanner.open("acme-index")   # load once, share between threads
    result = scanner.scan(prompt)
    if result.is_leak:
        prompt = scanner.redact(prompt).text
"""

from __future__ import annotations

from leakguard.api import Redaction, Scanner, build_index, load_index, scan
from leakguard.baseline import Baseline, load_baseline, save_baseline
from leakguard.cache import CacheStats
from leakguard.errors import (
    ConfigError,
    IncompatibleIndexError,
    IndexFormatError,
    InputError,
    LeakguardError,
    WriteError,
)
from leakguard.index.store import Index
from leakguard.options import FingerprintParams, ScanPolicy
from leakguard.result import Finding, ScanResult
from leakguard.stream import redact_stream, scan_stream

__version__ = "0.1.0"

__all__ = [
    "Baseline",
    "CacheStats",
    "ConfigError",
    "Finding",
    "FingerprintParams",
    "IncompatibleIndexError",
    "Index",
    "IndexFormatError",
    "InputError",
    "LeakguardError",
    "Redaction",
    "ScanPolicy",
    "ScanResult",
    "Scanner",
    "WriteError",
    "__version__",
    "build_index",
    "load_baseline",
    "load_index",
    "redact_stream",
    "save_baseline",
    "scan",
    "scan_stream",
]
