"""leakguard: find proprietary source code in outgoing text.

Build an index of fingerprints from your repositories (no source text is stored), then
scan any text — AI prompts, logs, diffs — for code that came from them::

    import leakguard
    index = leakguard.build_index(["path/to/repo"])
    result = index.scan(prompt)
    if result.is_leak:
        prompt = result.redacted()
"""

from __future__ import annotations

from leakguard.api import build_index, load_index, scan
from leakguard.errors import (
    ConfigError,
    IncompatibleIndexError,
    IndexFormatError,
    InputError,
    LeakguardError,
)
from leakguard.index.store import Index
from leakguard.options import FingerprintParams, ScanPolicy
from leakguard.result import Finding, ScanResult
from leakguard.stream import redact_stream, scan_stream

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Finding",
    "FingerprintParams",
    "IncompatibleIndexError",
    "Index",
    "IndexFormatError",
    "InputError",
    "LeakguardError",
    "ScanPolicy",
    "ScanResult",
    "__version__",
    "build_index",
    "load_index",
    "redact_stream",
    "scan",
    "scan_stream",
]
