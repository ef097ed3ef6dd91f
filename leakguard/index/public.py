"""Public code: fingerprints of code that is not a leak, and taking them out of an index.

Proprietary repositories vendor open-source code and share boilerplate with the world;
pasting either is not a leak. A *public set* holds every informative k-gram of some public
code (not only the winnowed ones, so that every indexed fingerprint it covers is found),
as sorted 64-bit hashes and, for exact copies, the 16-bit concrete tag of each (the
``names`` kind holds concrete token values instead):

* ``exact`` sets (``leakguard allow PATH``: your vendored libraries, your own open-source
  SDK) take out only the postings whose hash *and* tag match, that is the copies of that
  code with its own names; proprietary code that merely has the same shape stays;
* ``idiom`` sets (``leakguard public --min-packages N``, the background model's shapes)
  keep only the abstract hashes found in at least N separate public packages, and mark
  them common in the index: shapes so common in public code that their structure alone is
  no evidence; they still count where the scanned names match the indexed ones;
* ``names`` sets (the background model's names) hold the concrete values of identifiers
  and literals that many public packages use (``getModule``, ``"utf-8"``, ``0``); the index
  keeps them (section ``public_names``), and a k-gram whose every name and value is one of
  them counts as structure only, even where the names match.

Sets are written in the container format of :mod:`leakguard.index.format` as
``public.lgx`` with sections ``hashes`` (u64, sorted) and ``tags`` (u16; empty for idiom
sets), and carry the fingerprint parameters and key id they were made with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from leakguard.errors import IncompatibleIndexError, IndexFormatError
from leakguard.fingerprint.kgrams import informative, kgram_hashes, kgram_tags
from leakguard.index.format import PUBLIC_SET_VERSIONS, read_container, write_container
from leakguard.normalise.alphabet import Alphabet
from leakguard.options import FingerprintParams

PUBLIC_FILE = "public.lgx"
KINDS = ("exact", "idiom", "names")


@dataclass(frozen=True)
class PublicSet:
    """Fingerprints of public code (see the module docstring for the two kinds)."""

    kind: str
    params: FingerprintParams
    hashes: npt.NDArray[np.uint64]
    tags: npt.NDArray[np.uint16]
    sources: tuple[str, ...] = ()

    def save(self, directory: str | Path) -> Path:
        """Write the set atomically to ``directory/public.lgx``."""
        header = {"kind": "public-set", "set_kind": self.kind, "params": self.params.to_json(),
                  "sources": list(self.sources), "fingerprints": int(self.hashes.shape[0])}  # fmt: skip
        return write_container(Path(directory), header, {"hashes": self.hashes, "tags": self.tags}, PUBLIC_FILE)


def load_public_set(directory: str | Path) -> PublicSet:
    """Read a set written by :meth:`PublicSet.save`."""
    container = read_container(Path(directory), filename=PUBLIC_FILE, versions=PUBLIC_SET_VERSIONS)
    header = container.header
    if header.get("kind") != "public-set" or header.get("set_kind") not in KINDS:
        raise IndexFormatError(f"{directory} does not hold a leakguard public set")
    params = FingerprintParams.from_json(header["params"])
    arrays = container.arrays
    return PublicSet(header["set_kind"], params, arrays["hashes"], arrays["tags"], tuple(header.get("sources", ())))


def _file_kgrams(path: Path, params: FingerprintParams, alphabet: Alphabet) -> tuple[npt.NDArray[Any], ...]:
    """(abstract hashes, concrete tags) of a file's informative k-grams, and the distinct
    concrete values of its names and literals."""
    # Parsing pulls in tree-sitter: only building a set needs it, not opening one.
    from leakguard.index.walk import skip_reason
    from leakguard.normalise.alphabet import ID, NUM, STR
    from leakguard.normalise.languages import detect_language
    from leakguard.normalise.syntax import normalise_source

    none = np.empty(0, np.uint64), np.empty(0, np.uint16), np.empty(0, np.uint64)
    data = path.read_bytes()
    if skip_reason(data) is not None:
        return none
    text = data.decode("utf-8", errors="replace")
    tokens = normalise_source(text, detect_language(path.name, text), alphabet).tokens
    classes = np.asarray([alphabet.symbol(ID), alphabet.symbol(STR), alphabet.symbol(NUM)], dtype=np.uint64)
    names = np.unique(tokens.concrete[np.isin(tokens.abstract, classes)])
    if len(tokens) < params.k:
        return none[0], none[1], names
    useful = informative(tokens.abstract, tokens.concrete, params.k, params.min_distinct)
    return kgram_hashes(tokens.abstract, params.k)[useful], kgram_tags(tokens.concrete, params.k)[useful], names


def _paths(roots: Iterable[Path]) -> list[Path]:
    """Files named directly, and the indexable files under directories (licence files too)."""
    from leakguard.index.walk import is_licence_document, iter_source_files  # building only

    out: list[Path] = []
    for root in roots:
        if root.is_file():
            out.append(root)
        else:
            out.extend(source.path for source in iter_source_files([root]))
            # A licence text is exactly what a public set is for, though indexing skips it.
            out.extend(p for p in sorted(root.rglob("*")) if p.is_file() and is_licence_document(p.name))
    return sorted(set(out))


def exact_set(roots: Iterable[str | Path], params: FingerprintParams, key: bytes = b"") -> PublicSet:
    """Every informative k-gram (hash and tag) of the public code under ``roots``."""
    alphabet = Alphabet(key)
    folders = [Path(r) for r in roots]
    parts = [_file_kgrams(path, params, alphabet) for path in _paths(folders)]
    hashes = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.uint64)
    tags = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.uint16)
    pairs = np.unique(np.stack([hashes, tags.astype(np.uint64)]), axis=1) if hashes.size else np.empty((2, 0))
    return PublicSet("exact", params, pairs[0].astype(np.uint64), pairs[1].astype(np.uint16), tuple(map(str, folders)))


def idiom_set(
    packages: Iterable[str | Path], params: FingerprintParams, min_packages: int, key: bytes = b""
) -> PublicSet:
    """Abstract k-gram hashes found in at least ``min_packages`` of the given package roots."""
    folders = [Path(p) for p in packages]
    per_package = [np.unique(exact_set([folder], params, key).hashes) for folder in folders]
    every = np.concatenate(per_package) if per_package else np.empty(0, np.uint64)
    values, counts = np.unique(every, return_counts=True)
    common = values[counts >= min_packages].astype(np.uint64)
    return PublicSet("idiom", params, common, np.empty(0, np.uint16), tuple(map(str, folders)))


def check_set(public: PublicSet, params: FingerprintParams) -> None:
    """Raise IncompatibleIndexError unless the set hashes text as an index with ``params`` does."""
    if public.params != params:
        raise IncompatibleIndexError(
            "the public set was made with other parameters or another key than the index: "
            "rebuild it with the index's key ('leakguard public ... --key-file')"
        )


def pair_keys(hashes: npt.NDArray[np.uint64], tags: npt.NDArray[np.uint16]) -> npt.NDArray[np.uint64]:
    """One 64-bit value per (hash, tag) pair, to match exact copies with one ``isin``."""
    mixed: npt.NDArray[np.uint64] = hashes ^ (tags.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    return mixed


def public_code(item: str | Path, params: FingerprintParams, key: bytes = b"") -> PublicSet:
    """A saved public set (a directory holding ``public.lgx``), or the exact set of the code at ``item``."""
    path = Path(item)
    if (path / PUBLIC_FILE).is_file() or path.name == PUBLIC_FILE:
        public = load_public_set(path)
        check_set(public, params)
        return public
    return exact_set([path], params, key)
