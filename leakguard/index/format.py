"""The index file: a versioned container of named, aligned numpy arrays.

Layout of ``index.lgx`` (all integers little-endian; full specification in
``fingerprints/FORMAT.md``)::

    offset 0   8 bytes   magic b"LEAKGRD\\0"
    offset 8   u32       format version (FORMAT_VERSION)
    offset 12  u32       length H of the JSON header
    offset 16  H bytes   UTF-8 JSON header: params, stats, section table
    ...        padding to a multiple of 64
    sections   each at the offset the header gives, 64-byte aligned, raw array bytes

Opening maps the file into memory and wraps each section in a numpy array without
copying, so opening costs the same for a small index and a huge one. Every section's
xxh64 is in the header. Every open runs the cheap checks: magic, version, bounds, the
file's exact size, and the checksums of the smallest sections up to
:data:`CHEAP_CHECK_BYTES` in all (the file table, line bases and bucket directory of any
index, and the whole of a small one), so a damaged copy is refused before it scans;
:func:`read_container` checks every section only when asked (``verify``: it reads the
whole file).

Writes are atomic: the file is written beside its destination, flushed to disk, then
renamed over it, so a crash leaves either the old index or the new one, never half.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import xxhash

from leakguard.errors import IndexFormatError, WriteError

MAGIC = b"LEAKGRD\x00"
FORMAT_VERSION = 5
#: Public sets are laid out in versions 4 and 5 as in version 3 (only indexes changed), so all three read.
PUBLIC_SET_VERSIONS = (3, 4, 5)
#: Temporary files are created private (0600); an index is meant to be shared with every
#: developer and service that scans, so the finished file is readable by all.
SHARED_MODE = 0o644
INDEX_FILE = "index.lgx"
MANIFEST_FILE = "manifest.json"
#: Files being written start with this (``.leakguard-…tmp``), and are renamed when whole.
TEMP_PREFIX = ".leakguard-"
_ALIGN = 64
_PREAMBLE = struct.Struct("<8sII")
#: Bytes of sections, smallest first, whose checksums every open checks (about 0.1 ms).
CHEAP_CHECK_BYTES = 1 << 20


@dataclass
class Container:
    """A header (JSON mapping) and named arrays, as read from or written to disk."""

    header: dict[str, Any]
    arrays: dict[str, npt.NDArray[Any]]
    _mapping: mmap.mmap | None = None


def _pad(n: int) -> int:
    return (-n) % _ALIGN


def write_container(
    directory: Path,
    header: dict[str, Any],
    arrays: dict[str, npt.NDArray[Any]],
    filename: str = INDEX_FILE,
    manifest: bool = True,
) -> Path:
    """Atomically write ``filename`` (and, when ``manifest``, a readable ``manifest.json``) into directory."""
    table: dict[str, dict[str, Any]] = {}
    offset = 0
    blobs: list[tuple[int, memoryview]] = []
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        little = array.astype(array.dtype.newbyteorder("<"), copy=False)
        # The array's own bytes (a view, not a copy: an index is hundreds of megabytes).
        data = little.reshape(-1).view(np.uint8).data if little.size else memoryview(b"")
        table[name] = {
            "offset": offset,
            "dtype": little.dtype.str,
            "shape": list(little.shape),
            "xxh64": xxhash.xxh64_hexdigest(data),
        }
        blobs.append((offset, data))
        offset += len(data) + _pad(len(data))
    full_header = dict(header, format_version=FORMAT_VERSION, sections=table)
    header_bytes = json.dumps(full_header, sort_keys=True, separators=(",", ":")).encode()
    start = _PREAMBLE.size + len(header_bytes)
    start += _pad(start)
    target = directory / filename

    def write(out: IO[bytes]) -> None:
        out.write(_PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(header_bytes)))
        out.write(header_bytes)
        out.write(b"\x00" * (start - _PREAMBLE.size - len(header_bytes)))
        for position, data in blobs:
            out.seek(start + position)
            out.write(data)
        out.truncate(start + offset)

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from exc
    write_atomic(target, write)
    if manifest:
        readable = {key: value for key, value in full_header.items() if key != "sections"}
        write_text_atomic(directory / MANIFEST_FILE, json.dumps(readable, indent=2, sort_keys=True) + "\n")
    return target


def write_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` by ``write`` under a temporary name beside it, sync it, then rename it
    over ``path``: readers see the old file or the new one, never half. WriteError (the old
    file left as it was) when the disk is full, read-only or not ours."""
    import tempfile  # writers only: opening an index (a cold CLI scan) does without it

    try:
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=TEMP_PREFIX, suffix=".tmp", delete=False) as out:
            try:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            except BaseException:
                out.close()
                os.unlink(out.name)
                raise
        os.chmod(out.name, SHARED_MODE)
        os.replace(out.name, path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise WriteError(f"cannot write {path}: {reason}; the previous {path.name}, if any, is unchanged") from exc


def write_text_atomic(path: Path, text: str) -> None:
    """Write a small text file the way an index is written (:func:`write_atomic`)."""
    data = text.encode("utf-8")
    write_atomic(path, lambda out: out.write(data))


def remove_stale_temporaries(directory: Path) -> int:
    """Remove the temporary files a writer killed mid-write left in ``directory`` (only while
    holding its write lock, so no live writer's file goes); how many there were."""
    removed = 0
    for stale in directory.glob(f"{TEMP_PREFIX}*.tmp") if directory.is_dir() else ():
        try:
            stale.unlink()
            removed += 1
        except OSError:
            pass  # gone already, or not ours to remove: harmless
    return removed


def _xxh64(array: npt.NDArray[Any]) -> str:
    """The checksum of an array's bytes as written (read in place from the mapping, no copy)."""
    return xxhash.xxh64_hexdigest(array.reshape(-1).view(np.uint8).data)


def container_file(directory: Path, filename: str = INDEX_FILE) -> Path:
    """The file :func:`read_container` reads: ``filename`` in ``directory``, or ``directory``
    itself when it names a file."""
    return directory / filename if directory.is_dir() else directory


def read_container(
    directory: Path, verify: bool = False, filename: str = INDEX_FILE, versions: tuple[int, ...] = (FORMAT_VERSION,)
) -> Container:
    """Map ``filename`` from directory; raise IndexFormatError on any structural fault.

    ``versions`` are the format versions accepted (the container is laid out the same in
    all of them; what changed between them is the sections an index holds)."""
    path = container_file(directory, filename)
    if not path.is_file():
        raise IndexFormatError(f"no index at {directory} (expected {filename}; build one with 'leakguard index')")
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < _PREAMBLE.size:
                raise IndexFormatError(f"{path} is truncated ({size} bytes)")
            mapping = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise IndexFormatError(f"cannot read index {path}: {exc.strerror or exc}") from exc
    magic, version, header_length = _PREAMBLE.unpack_from(mapping, 0)
    if magic != MAGIC:
        raise IndexFormatError(f"{path} is not a leakguard index (bad magic number)")
    if version not in versions:
        raise IndexFormatError(
            f"{path} has index format version {version}; this leakguard reads version {FORMAT_VERSION}: rebuild it"
        )
    end = _PREAMBLE.size + header_length
    if end > size:
        raise IndexFormatError(f"{path} is truncated (header runs past the end of the file)")
    try:
        header = json.loads(bytes(mapping[_PREAMBLE.size : end]))
        sections: dict[str, Any] = header["sections"]
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexFormatError(f"{path} has a corrupt header") from exc
    start = end + _pad(end)
    arrays: dict[str, npt.NDArray[Any]] = {}
    stop = start
    for name, entry in sections.items():
        try:
            dtype = np.dtype(entry["dtype"])
            shape = tuple(int(n) for n in entry["shape"])
            count = int(np.prod(shape)) if shape else 1
            offset = start + int(entry["offset"])
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexFormatError(f"{path} has a corrupt section table entry {name!r}") from exc
        nbytes = count * dtype.itemsize
        if offset < start or offset + nbytes > size:
            raise IndexFormatError(f"{path} is truncated or corrupt (section {name!r} out of bounds)")
        arrays[name] = np.frombuffer(mapping, dtype=dtype, count=count, offset=offset).reshape(shape)
        stop = max(stop, offset + nbytes + _pad(nbytes))
    if size != stop:
        raise IndexFormatError(f"{path} is truncated or corrupt ({size} bytes; its sections end at byte {stop})")
    budget = CHEAP_CHECK_BYTES
    for name in sorted(arrays, key=lambda n: (arrays[n].nbytes, n)):
        checked = verify or arrays[name].nbytes <= budget
        budget -= arrays[name].nbytes
        if checked and _xxh64(arrays[name]) != sections[name].get("xxh64"):
            raise IndexFormatError(f"{path} is corrupt (checksum of section {name!r} does not match)")
    return Container(header, arrays, mapping)
