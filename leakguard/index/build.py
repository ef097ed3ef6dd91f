"""Building an index: fingerprint every source file (in parallel), then merge.

Each file is fingerprinted on its own, in a worker process when ``jobs > 1``: tree-sitter
normalisation, k-gram hashing, winnowing and the MinHash signatures of its units. The
parent merges the per-file arrays into the sorted tables of :mod:`leakguard.index.store`.
Only hashes, line numbers and paths leave a worker: never source text.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import xxhash

from leakguard.fingerprint.kgrams import informative, kgram_hashes, kgram_tags, line_hashes
from leakguard.fingerprint.minhash import make_permutations, shingles, signatures
from leakguard.fingerprint.winnow import winnow
from leakguard.index.walk import SourceFile, iter_source_files, skip_reason
from leakguard.normalise.alphabet import Alphabet
from leakguard.normalise.languages import detect_language
from leakguard.normalise.lexer import TokenStream
from leakguard.normalise.syntax import normalise_source
from leakguard.options import FingerprintParams

#: Units shorter than this many tokens get no MinHash signature: too small to be evidence.
MIN_UNIT_TOKENS = 40

Progress = Callable[[int, int, str], None]


@dataclass
class FileFingerprints:
    """What one file contributes to the index (no source text)."""

    relative: str
    language: str | None
    lines: int
    tokens: int
    hashes: npt.NDArray[np.uint64]
    start_lines: npt.NDArray[np.uint32]
    spans: npt.NDArray[np.uint8]
    tags: npt.NDArray[np.uint16]
    unit_lines: npt.NDArray[np.uint32] = field(default_factory=lambda: np.empty((0, 2), np.uint32))
    unit_tokens: npt.NDArray[np.uint32] = field(default_factory=lambda: np.empty(0, np.uint32))
    signatures: npt.NDArray[np.uint32] | None = None
    line_hashes: npt.NDArray[np.uint16] = field(default_factory=lambda: np.empty(0, np.uint16))
    skipped: str | None = None
    #: xxh3-64 (hex) of the file's bytes, "" when it could not be read: an incremental
    #: build re-fingerprints a file only when this changes (see :mod:`leakguard.index.shard`).
    digest: str = ""
    #: Where ``hashes`` lies in the shard section it was read from (that section, and the
    #: place of the file's first hash there); None for a file fingerprinted now. An update
    #: hands the kept files' hashes to the engine as a few runs of sections
    #: (:func:`leakguard.index.shard.hash_runs`), not one view a file.
    origin: tuple[npt.NDArray[np.uint64], int] | None = field(default=None, repr=False, compare=False)


def fingerprint_text(
    relative: str,
    text: str,
    params: FingerprintParams,
    key: bytes = b"",
    language: str | None = None,
    permutations: npt.NDArray[np.uint32] | None = None,
) -> FileFingerprints:
    """Fingerprint one file's text (index side). ``language`` defaults to detection;
    ``permutations``, the MinHash permutations of ``params``, to datasketch's draw."""
    alphabet = Alphabet(key)
    language = language if language is not None else detect_language(relative, text)
    normalised = normalise_source(text, language, alphabet)
    tokens = normalised.tokens
    k = params.k
    hashes = kgram_hashes(tokens.abstract, k)
    useful = informative(tokens.abstract, tokens.concrete, k, params.min_distinct)
    # Uninformative k-grams take the largest hash so winnowing prefers any informative
    # neighbour, and are dropped if a window holds nothing else.
    candidates = np.where(useful, hashes, np.uint64(np.iinfo(np.uint64).max))
    # Small files keep every informative k-gram (see FingerprintParams.dense_below).
    picked = winnow(candidates, 1 if len(tokens) < params.dense_below else params.window)
    picked = picked[useful[picked]] if picked.size else picked
    start_lines = tokens.line[picked].astype(np.uint32)
    end_lines = tokens.end_line[picked + k - 1].astype(np.int64) if picked.size else np.empty(0, np.int64)
    spans = np.clip(end_lines - start_lines, 0, 255).astype(np.uint8)
    tags = kgram_tags(tokens.concrete, k)[picked]
    n_lines = text.count("\n") + 1
    result = FileFingerprints(
        relative=relative,
        language=normalised.language,
        lines=n_lines,
        tokens=len(tokens),
        hashes=hashes[picked],
        start_lines=start_lines,
        spans=spans,
        tags=tags,
        line_hashes=_line_hashes(tokens, n_lines, alphabet),
    )
    if permutations is None:
        permutations = make_permutations(params.minhash_perm, params.minhash_seed)
    _add_unit_signatures(result, normalised.units, tokens.start, tokens.abstract, params, permutations)
    return result


def source_line_hashes(relative: str, text: str, alphabet: Alphabet) -> npt.NDArray[np.uint16]:
    """The line hashes :func:`fingerprint_text` records for a file (index ``line - 1``)."""
    normalised = normalise_source(text, detect_language(relative, text), alphabet)
    return _line_hashes(normalised.tokens, text.count("\n") + 1, alphabet)


def _line_hashes(tokens: TokenStream, n_lines: int, alphabet: Alphabet) -> npt.NDArray[np.uint16]:
    return line_hashes(tokens.abstract, tokens.line, n_lines, alphabet.symbol(","))


def _add_unit_signatures(
    result: FileFingerprints,
    units: Sequence[Any],
    starts: npt.NDArray[np.int64],
    abstract: npt.NDArray[np.uint64],
    params: FingerprintParams,
    permutations: npt.NDArray[np.uint32],
) -> None:
    lines: list[tuple[int, int]] = []
    counts: list[int] = []
    sets: list[npt.NDArray[np.uint32]] = []
    for unit in units:
        first, last = np.searchsorted(starts, [unit.start, unit.end])
        if last - first < MIN_UNIT_TOKENS:
            continue
        sets.append(shingles(abstract[first:last], params.shingle))
        lines.append((unit.start_line, unit.end_line))
        counts.append(int(last - first))
    if sets:
        result.unit_lines = np.asarray(lines, dtype=np.uint32)
        result.unit_tokens = np.asarray(counts, dtype=np.uint32)
        result.signatures = signatures(sets, permutations)


def file_digest(data: bytes) -> str:
    """The content digest recorded for a file (xxh3-64 of its bytes, hex)."""
    return xxhash.xxh3_64_hexdigest(data)


def fingerprint_data(
    relative: str,
    data: bytes,
    params: FingerprintParams,
    key: bytes = b"",
    permutations: npt.NDArray[np.uint32] | None = None,
) -> FileFingerprints:
    """Fingerprint one file's bytes; unsuitable files (binary, generated...) come back skipped."""
    reason = skip_reason(data)
    if reason is None:
        text = data.decode("utf-8", errors="replace")
        result = fingerprint_text(relative, text, params, key, permutations=permutations)
    else:
        result = skipped_file(relative, reason)
    result.digest = file_digest(data)
    return result


def fingerprint_file(
    source: SourceFile,
    params: FingerprintParams,
    key: bytes = b"",
    permutations: npt.NDArray[np.uint32] | None = None,
) -> FileFingerprints:
    """Read and fingerprint one file; unreadable or unsuitable files come back skipped."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        return skipped_file(source.relative, f"unreadable: {exc.strerror or exc}")
    return fingerprint_data(source.relative, data, params, key, permutations)


def skipped_file(relative: str, reason: str) -> FileFingerprints:
    return FileFingerprints(
        relative,
        None,
        0,
        0,
        np.empty(0, np.uint64),
        np.empty(0, np.uint32),
        np.empty(0, np.uint8),
        np.empty(0, np.uint16),
        skipped=reason,
    )


def _work(
    batch: list[SourceFile], params: FingerprintParams, key: bytes, permutations: npt.NDArray[np.uint32]
) -> list[FileFingerprints]:
    return [fingerprint_file(source, params, key, permutations) for source in batch]


def fingerprint_tree(
    roots: Iterable[Path], params: FingerprintParams, key: bytes = b"", jobs: int = 0, progress: Progress | None = None
) -> list[FileFingerprints]:
    """Fingerprint every indexable file under roots; ``jobs=0`` means one per core."""
    files = list(iter_source_files([Path(root) for root in roots]))
    return fingerprint_files(files, params, key, jobs, progress)


def fingerprint_files(
    files: Sequence[SourceFile],
    params: FingerprintParams,
    key: bytes = b"",
    jobs: int = 0,
    progress: Progress | None = None,
    permutations: npt.NDArray[np.uint32] | None = None,
) -> list[FileFingerprints]:
    """Fingerprint files in worker processes (``jobs=0``: one per core), results in the
    files' order. ``permutations`` are the MinHash permutations of ``params`` when known
    (an update has them from the index it replaces), else datasketch draws them here."""
    with Fingerprinting(files, params, key, jobs, permutations) as work:
        return work.results(progress)


class Fingerprinting:
    """Files being fingerprinted: started in worker processes when made (``jobs=0``: one
    per core; with one job, or a few files, they are fingerprinted here when the results
    are asked for), so that the caller can do other work meanwhile. Use it as a context
    manager: leaving it stops the workers."""

    def __init__(
        self,
        files: Sequence[SourceFile],
        params: FingerprintParams,
        key: bytes = b"",
        jobs: int = 0,
        permutations: npt.NDArray[np.uint32] | None = None,
    ) -> None:
        self._files, self._params, self._key = list(files), params, key
        jobs = jobs or os.cpu_count() or 1
        self._permutations = permutations
        self._pool: ProcessPoolExecutor | None = None
        self._batches: list[list[int]] = []
        self._futures: list[Future[list[FileFingerprints]]] = []
        if jobs > 1 and len(self._files) >= 8:
            if self._permutations is None:
                self._permutations = make_permutations(params.minhash_perm, params.minhash_seed)
            self._batches = batches_by_size([file_size(source.path) for source in self._files], jobs)
            self._pool = ProcessPoolExecutor(max_workers=jobs)
            self._futures = [
                self._pool.submit(_work, [self._files[i] for i in batch], params, key, self._permutations)
                for batch in self._batches
            ]

    def results(self, progress: Progress | None = None) -> list[FileFingerprints]:
        """Every file's fingerprints, in the files' order (waits for the workers)."""
        total = len(self._files)
        if self._pool is None:
            permutations = self._permutations
            if permutations is None:
                permutations = make_permutations(self._params.minhash_perm, self._params.minhash_seed)
            results = []
            for done, source in enumerate(self._files, 1):
                results.append(fingerprint_file(source, self._params, self._key, permutations))
                if progress:
                    progress(done, total, source.relative)
            return results
        slots: list[FileFingerprints | None] = [None] * total
        done = 0
        for batch, future in zip(self._batches, self._futures, strict=True):
            batch_result = future.result()
            for i, fingerprints in zip(batch, batch_result, strict=True):
                slots[i] = fingerprints
            done += len(batch_result)
            if progress and batch_result:
                progress(done, total, batch_result[-1].relative)
        return [fingerprints for fingerprints in slots if fingerprints is not None]

    def __enter__(self) -> Fingerprinting:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # fingerprint_file reports why it cannot read the file


def batches_by_size(sizes: list[int], jobs: int) -> list[list[int]]:
    """File indexes in batches for the worker pool, largest files first.

    Batches amortise process round-trips. Sent largest first (longest processing time
    first), the big files start early and the small ones even out the end, so no worker
    is left with one long file while the others wait. A batch holds at most 64 files and
    about a sixteenth of a worker's share of the bytes.
    """
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))
    budget = max(1, sum(sizes) // (jobs * 16))
    batches: list[list[int]] = []
    current: list[int] = []
    held = 0
    for i in order:
        if current and (len(current) == 64 or held + sizes[i] > budget):
            batches.append(current)
            current, held = [], 0
        current.append(i)
        held += sizes[i]
    if current:
        batches.append(current)
    return batches
