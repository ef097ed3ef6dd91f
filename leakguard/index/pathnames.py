"""The file names an index stores: readable, or hashed so the index does not tell them.

A file's name can say as much as its code (``payments/fraud/bypass_for_vip.py``). With
hashed names (``leakguard index --hash-paths``) the index stores, for each file, its source's
name and a keyed hash of its path in that source::

    payments/~3f9a0c41d27be80c55e1

Findings, reports and baselines then carry that name; the lines stay readable. The hash is
BLAKE2b with a 10-byte digest, keyed with the index's secret key when it has one: without
the key the name cannot be recovered, or even tested against a guess. Without a key the
hash only hides names from a casual reader, since anyone can hash a guessed path; build
keyed indexes when names matter (see SECURITY.md).

The security team turns names back into paths with ``leakguard resolve``, from the shards
an index build keeps beside ``index.lgx`` (``--out/shards/``: build state, never shipped).
Sources keep their names: labels and the policy depend on them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leakguard.index.shard import Shard

#: What starts a hashed name (the part after the source's name).
MARK = "~"
#: The index statistic that says its names are hashed: ``stats["paths"] == "hashed"``.
HASHED = "hashed"
_PERSON = b"leakguard-path"  # BLAKE2b's personalisation: these hashes are for nothing else
_DIGEST_BYTES = 10


def _mac_key(key: bytes) -> bytes:
    """BLAKE2b takes keys of up to 64 bytes; a longer key is hashed down to one."""
    return key if len(key) <= 64 else hashlib.blake2b(key, person=_PERSON).digest()


def hashed_name(relative: str, key: bytes) -> str:
    """The hashed name of the file at ``relative`` (its path in its source)."""
    digest = hashlib.blake2b(
        relative.encode("utf-8", "surrogatepass"), digest_size=_DIGEST_BYTES, key=_mac_key(key), person=_PERSON
    )
    return MARK + digest.hexdigest()


def index_names(shards: Sequence[Shard], key: bytes, hashed: bool) -> list[str]:
    """The name of every file of ``shards``, in order: its path, prefixed with its source's
    name when there are several sources; with ``hashed``, the path hashed."""
    several = len(shards) > 1
    names: list[str] = []
    for shard in shards:
        prefix = f"{shard.source.name}/" if several else ""
        for file in shard.files:
            names.append(prefix + (hashed_name(file.relative, key) if hashed else file.relative))
    return names


def resolve(names: Iterable[str], shards: Sequence[Shard], key: bytes) -> dict[str, str]:
    """The readable path of each of ``names`` that is the hashed name of a file of ``shards``
    (names that are not, and readable names, are left out)."""
    wanted = set(names)
    hashed = index_names(shards, key, hashed=True)
    readable = index_names(shards, key, hashed=False)
    return {name: path for name, path in zip(hashed, readable, strict=True) if name in wanted}


def build_paths(directory: Path, names: Iterable[str], key: bytes) -> dict[str, str]:
    """:func:`resolve` with the shards of the build directory ``directory``; nothing when it
    keeps none (an index shipped alone) or they cannot be read."""
    from leakguard.errors import LeakguardError
    from leakguard.index.merge import shards_of
    from leakguard.index.shard import existing_shards

    if not existing_shards(directory):
        return {}
    try:
        shards, _ = shards_of([directory])
    except LeakguardError:
        return {}
    return resolve(names, shards, key)
