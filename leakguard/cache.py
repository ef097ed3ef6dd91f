"""Results of texts scanned before, for a gateway that is sent them again.

A chat client sends the whole conversation with every turn. A gateway that scans every
message of a request (see :mod:`leakguard.integrations.payload`) would scan the history
again at each turn: a conversation of n turns would cost about n²/2 message scans, of
which only n are of new messages. :class:`ResultCache` keeps the results of recent
texts, so a message seen before is answered without scanning, in microseconds.

The text itself is the key. Equal keys compare whole strings, so no text can ever get
another text's result (a digest could collide, and an attacker could aim for that), and
the text is held once: the cached result holds the same string. The cache is bounded by
the characters it holds; the least recently used results go first. A result is only
valid for the index, policy and baseline it was made with, so each
:class:`~leakguard.api.Scanner` has its own cache.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass

from leakguard.result import ScanResult

#: Characters of scanned text a Scanner keeps results for by default (a few megabytes of
#: memory: a few hundred conversations' worth of messages).
DEFAULT_CACHE_CHARS = 4_000_000
#: A text longer than this share of the cache is never kept: one large upload would push
#: out every conversation.
LARGEST_SHARE = 8


@dataclass(frozen=True)
class CacheStats:
    """How a cache has been used: lookups answered from it and not, and what it holds."""

    hits: int
    misses: int
    entries: int
    chars: int


class ResultCache:
    """A thread-safe LRU map from scanned text to its result, bounded by characters held.

    ``max_chars`` of 0 turns it off: nothing is kept and every lookup misses.
    """

    def __init__(self, max_chars: int = DEFAULT_CACHE_CHARS) -> None:
        if max_chars < 0:
            raise ValueError(f"max_chars must be >= 0, got {max_chars}")
        self.max_chars = max_chars
        self._results: OrderedDict[str, ScanResult] = OrderedDict()
        self._chars = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def get(self, text: str) -> ScanResult | None:
        """The result kept for ``text`` (a copy the caller may change), or None."""
        with self._lock:
            result = self._results.get(text)
            if result is None:
                self._misses += 1
                return None
            self._results.move_to_end(text)
            self._hits += 1
        return dataclasses.replace(result, findings=list(result.findings))

    def put(self, text: str, result: ScanResult) -> None:
        """Keep ``result`` for ``text``, dropping the least recently used results to make room."""
        size = len(text)
        if not self.max_chars or size * LARGEST_SHARE > self.max_chars:
            return
        kept = dataclasses.replace(result, findings=list(result.findings))
        with self._lock:
            previous = self._results.pop(text, None)
            if previous is not None:
                self._chars -= size
            self._results[text] = kept
            self._chars += size
            while self._chars > self.max_chars:
                dropped, _ = self._results.popitem(last=False)
                self._chars -= len(dropped)

    def clear(self) -> None:
        """Forget every result (the counts of hits and misses stay)."""
        with self._lock:
            self._results.clear()
            self._chars = 0

    @property
    def stats(self) -> CacheStats:
        """Hits, misses, and the entries and characters held now."""
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._results), self._chars)
