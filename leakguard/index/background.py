"""The background model: what is common in public code, and applying it to every index.

Independent code of one ecosystem shares a lot: import blocks, licence headers, framework
callbacks, accessors, test scaffolding. A company's index holds all of it, and a prompt of
unrelated code from the same ecosystem then matches by accident. The background model says
what is common in public code, measured over hundreds of public packages in every
supported language, as two public sets (see :mod:`leakguard.index.public`):

* ``background-shapes`` (idiom kind): the abstract k-gram hashes found in at least
  ``min_packages`` packages. In an index they are marked common and count only where the
  scanned names match the indexed ones, never on their structure alone;
* ``background-code`` (exact kind): the (hash, concrete tag) pairs found in at least
  ``min_packages`` packages: code that independent projects hold *with the same names*
  (``import React from 'react'``, ``if err != nil { return nil, err }``). Those postings
  are taken out of an index: pasting them is not a leak;
* ``background-names`` (names kind): the identifiers and literal values found in at least
  ``min_name_packages`` packages (framework API names, the usual constants). A k-gram made
  only of them and of keywords and punctuation is matched in structure only, whatever its
  names: framework boilerplate that every user of an API writes the same way.

Both ship in ``fingerprints/public/`` with the SPDX licence set, are rebuilt by
``fingerprints/public/build.sh`` (``leakguard public --background``), and are applied by
:func:`leakguard.api.build_index` unless asked not to (``public=False``, ``leakguard index
--no-public``). They are unkeyed: a keyed index needs its own, made with its key; a set
made with other parameters than an index's is not applied and the index's statistics
say so.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from leakguard.index.public import PUBLIC_FILE, PublicSet, _file_kgrams, _paths, load_public_set, pair_keys
from leakguard.normalise.alphabet import Alphabet
from leakguard.options import FingerprintParams

#: The shipped sets applied by default, in ``fingerprints/public/``.
SHIPPED = ("background-shapes", "background-code", "background-names", "licences")
#: Share of the packages, in percent, that must use a name or value for it to be public.
NAME_PACKAGES = 1.0
#: Environment variable naming another folder of default sets (a security team's own).
SETS_VARIABLE = "LEAKGUARD_PUBLIC_SETS"


def shipped_folder() -> Path | None:
    """Where the default public sets are: ``$LEAKGUARD_PUBLIC_SETS``, the source tree's
    ``fingerprints/public``, or the installed copy under ``<prefix>/share/leakguard/public``."""
    chosen = os.environ.get(SETS_VARIABLE)
    if chosen:
        return Path(chosen)
    for folder in (Path(__file__).resolve().parents[2] / "fingerprints" / "public",
                   Path(sys.prefix) / "share" / "leakguard" / "public"):  # fmt: skip
        if folder.is_dir():
            return folder
    return None


def default_sets(params: FingerprintParams) -> tuple[list[PublicSet], list[str]]:
    """The shipped sets that fit ``params`` and, for those that do not or are missing, why."""
    folder = shipped_folder()
    if folder is None:
        return [], ["no public sets found (fingerprints/public, or set LEAKGUARD_PUBLIC_SETS)"]
    found, skipped = [], []
    for name in SHIPPED:
        where = folder / name
        if not (where / PUBLIC_FILE).is_file():
            skipped.append(f"{name}: missing in {folder}")
            continue
        public = load_public_set(where)
        if public.params != params:
            skipped.append(f"{name}: made with other parameters or without the index's key")
            continue
        found.append(public)
    return found, skipped


def _package_kgrams(args: tuple[Path, FingerprintParams, bytes]) -> tuple[npt.NDArray[Any], ...]:
    """Distinct abstract hashes, distinct (hash, tag) pairs and distinct names of one package."""
    folder, params, key = args
    alphabet = Alphabet(key)
    parts = [_file_kgrams(path, params, alphabet) for path in _paths([folder])]
    hashes = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.uint64)
    tags = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.uint16)
    names = np.unique(np.concatenate([p[2] for p in parts])) if parts else np.empty(0, np.uint64)
    pairs, first = np.unique(pair_keys(hashes, tags), return_index=True)
    return np.unique(hashes), pairs, hashes[first], tags[first], names


def background_sets(
    packages: Sequence[str | Path],
    params: FingerprintParams,
    min_packages: int,
    key: bytes = b"",
    jobs: int = 0,
    min_name_packages: int = 0,
) -> tuple[PublicSet, PublicSet, PublicSet]:
    """The shapes, code and names sets (see the module docstring) of the package roots given
    (``min_name_packages`` defaults to ``NAME_PACKAGES`` percent of them)."""
    folders = [Path(p) for p in packages]
    work = [(folder, params, key) for folder in folders]
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(jobs) as pool:
            per_package = list(pool.map(_package_kgrams, work, chunksize=4))
    else:
        per_package = [_package_kgrams(item) for item in work]
    # Package names when they are few; a count when there are hundreds (kept small: the
    # shipped sets list their packages in benchmarks/ecosystems.txt).
    sources = tuple(f.name for f in folders) if len(folders) <= 20 else (f"{len(folders)} public packages",)
    shapes = _common(np.concatenate([p[0] for p in per_package]), min_packages)
    # Each package lists its distinct pairs once: a pair's count is its number of packages,
    # and its first place says which hash and tag it is.
    pairs = np.concatenate([p[1] for p in per_package])
    hashes = np.concatenate([p[2] for p in per_package])
    tags = np.concatenate([p[3] for p in per_package])
    _, first, counts = np.unique(pairs, return_index=True, return_counts=True)
    wanted = first[counts >= min_packages]
    order = np.lexsort((tags[wanted], hashes[wanted]))
    code = PublicSet("exact", params, hashes[wanted][order], tags[wanted][order], sources)
    least = min_name_packages or max(min_packages, round(len(folders) * NAME_PACKAGES / 100))
    names = PublicSet("names", params, _common(np.concatenate([p[4] for p in per_package]), least),
                      np.empty(0, np.uint16), sources)  # fmt: skip
    return PublicSet("idiom", params, shapes, np.empty(0, np.uint16), sources), code, names


def _common(values: npt.NDArray[np.uint64], min_packages: int) -> npt.NDArray[np.uint64]:
    distinct, counts = np.unique(values, return_counts=True)
    common: npt.NDArray[np.uint64] = distinct[counts >= min_packages].astype(np.uint64)
    return common
