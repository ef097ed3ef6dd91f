from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES

import leakguard
from leakguard.errors import IncompatibleIndexError, IndexFormatError
from leakguard.index import format as index_format
from leakguard.index.public import exact_set, load_public_set
from leakguard.index.store import PARTS, part_bytes
from leakguard.index.table import table_prefixes


def test_index_holds_no_source_text(demo_index_dir: Path) -> None:
    data = (demo_index_dir / "index.lgx").read_bytes() + (demo_index_dir / "manifest.json").read_bytes()
    checked = 0
    for path in (EXAMPLES / "acme").rglob("*.*"):
        for line in path.read_text().splitlines():
            fragment = line.strip()
            if len(fragment) >= 8:
                checked += 1
                assert fragment.encode() not in data, f"{path.name}: {fragment!r} is in the index"
    assert checked > 150


def test_save_load_round_trip(demo_index: leakguard.Index, demo_index_dir: Path) -> None:
    loaded = leakguard.load_index(demo_index_dir, verify=True)
    assert loaded.params == demo_index.params
    assert loaded.paths == demo_index.paths
    prompt = (EXAMPLES / "prompts" / "leak_verbatim.md").read_text()
    assert loaded.scan(prompt).to_json() == demo_index.scan(prompt).to_json()


def test_stats_count_what_the_files_gave(demo_index: leakguard.Index) -> None:
    from leakguard.index.build import fingerprint_tree
    from leakguard.index.postings import posting_values, posting_words, unpack_postings

    # What the files gave, before any public set takes public code out.
    demo_index = leakguard.build_index([EXAMPLES / "acme"], jobs=1, public=False)
    files = [f for f in fingerprint_tree([EXAMPLES / "acme"], demo_index.params) if f.skipped is None]
    hashes = np.concatenate([f.hashes for f in files])
    assert demo_index.stats["fingerprints"] == hashes.shape[0] == demo_index.arrays["post_tag"].shape[0]
    assert demo_index.stats["unique_fingerprints"] == np.unique(hashes).shape[0]
    assert demo_index.stats["lines"] == sum(f.lines for f in files)
    # Every posting's line is one of its file's lines, and all of them are there.
    n_lines = demo_index.n_lines
    values = posting_values(posting_words(demo_index.arrays["post_loc"], n_lines), n_lines)
    files_of, line_of = demo_index.file_and_line(unpack_postings(values, n_lines)[0])
    expected = sorted((f.relative, int(n)) for f in files for n in f.start_lines)
    assert sorted(zip([demo_index.paths[i] for i in files_of], line_of.tolist(), strict=True)) == expected


def test_build_is_deterministic(tmp_path: Path, demo_index: leakguard.Index) -> None:
    again = leakguard.build_index([EXAMPLES / "acme"], jobs=2)
    for name, array in demo_index.arrays.items():
        assert array.tobytes() == again.arrays[name].tobytes(), name


def test_every_section_belongs_to_one_part(demo_index_dir: Path) -> None:
    arrays = index_format.read_container(demo_index_dir).arrays
    named = [name for names in PARTS.values() for name in names]
    assert sorted(named) == sorted(arrays)  # each section in exactly one part
    parts = part_bytes(arrays)
    assert "other" not in parts and sum(parts.values()) == sum(array.nbytes for array in arrays.values())
    # A section this leakguard does not know (a newer writer's) is still counted.
    assert part_bytes({**arrays, "future": np.zeros((3, 2), dtype="<u4")})["other"] == 24


def test_missing_truncated_and_corrupt_indexes_are_refused(tmp_path: Path, demo_index_dir: Path) -> None:
    with pytest.raises(IndexFormatError, match="no index"):
        leakguard.load_index(tmp_path / "nowhere")
    data = (demo_index_dir / "index.lgx").read_bytes()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "index.lgx").write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexFormatError, match=r"truncated|corrupt"):
        leakguard.load_index(broken)
    (broken / "index.lgx").write_bytes(b"garbage" * 10)
    with pytest.raises(IndexFormatError, match="not a leakguard index"):
        leakguard.load_index(broken)
    flipped = bytearray(data)
    tags = leakguard.load_index(demo_index_dir).arrays["post_tag"].tobytes()
    flipped[data.index(tags) + len(tags) // 2] ^= 0xFF  # inside a section, not in the padding after one
    (broken / "index.lgx").write_bytes(bytes(flipped))
    with pytest.raises(IndexFormatError, match="checksum"):
        leakguard.load_index(broken, verify=True)


def test_an_index_of_an_older_format_is_refused_and_older_public_sets_still_read(
    tmp_path: Path, demo_index_dir: Path
) -> None:
    data = bytearray((demo_index_dir / "index.lgx").read_bytes())
    data[8:12] = (index_format.FORMAT_VERSION - 1).to_bytes(4, "little")
    (tmp_path / "index.lgx").write_bytes(bytes(data))
    with pytest.raises(IndexFormatError, match="rebuild it"):
        leakguard.load_index(tmp_path)
    # Public sets are laid out the same in both versions: one written as version 3 still reads.
    public = exact_set([EXAMPLES / "acme" / "web"], leakguard.FingerprintParams())
    written = public.save(tmp_path / "public")
    old = bytearray(written.read_bytes())
    old[8:12] = (3).to_bytes(4, "little")
    written.write_bytes(bytes(old))
    assert load_public_set(tmp_path / "public").hashes.tolist() == public.hashes.tolist()


def test_interrupted_write_keeps_the_old_index(
    tmp_path: Path, demo_index: leakguard.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_index.save(tmp_path)
    before = (tmp_path / "index.lgx").read_bytes()

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(index_format.os, "fsync", crash)
    with pytest.raises(leakguard.WriteError, match=r"disk full; the previous index\.lgx, if any, is unchanged"):
        demo_index.save(tmp_path)
    assert (tmp_path / "index.lgx").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_keyed_index_needs_its_key(tmp_path: Path) -> None:
    index = leakguard.build_index([EXAMPLES / "acme"], key=b"s3cret", jobs=1)
    index.save(tmp_path)
    assert b"s3cret" not in (tmp_path / "index.lgx").read_bytes()
    os.environ.pop("LEAKGUARD_KEY", None)
    with pytest.raises(IncompatibleIndexError, match="keyed"):
        leakguard.load_index(tmp_path)
    with pytest.raises(IncompatibleIndexError, match="does not match"):
        leakguard.load_index(tmp_path, key=b"other")
    keyed = leakguard.load_index(tmp_path, key=b"s3cret")
    assert keyed.scan((EXAMPLES / "prompts" / "leak_verbatim.md").read_text()).is_leak
    unkeyed = leakguard.build_index([EXAMPLES / "acme"], jobs=1)
    assert set(table_prefixes(unkeyed.arrays).tolist()).isdisjoint(table_prefixes(keyed.arrays).tolist())
    with pytest.raises(IncompatibleIndexError):
        unkeyed.check_compatible(keyed)


def test_saved_index_is_readable_by_everyone(tmp_path: Path) -> None:
    """Indexes are shared (a team's hook, a gateway's service account): not left private."""
    import stat

    index = leakguard.build_index([Path(__file__).parent], jobs=1)
    target = index.save(tmp_path / "idx")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "idx" / "manifest.json").stat().st_mode) == 0o644


def test_hashes_sharing_a_prefix_become_one_fingerprint_in_tag_order() -> None:
    from leakguard.index.build import FileFingerprints
    from leakguard.index.store import Index
    from leakguard.index.table import find

    # Two distinct hashes whose top 20 bits agree (a 4-bit directory with 16-bit residues).
    low, high = np.uint64(0x12345 << 44), np.uint64((0x12345 << 44) | 0xABCDE)

    def one(path: str, value: np.uint64, tag: int) -> FileFingerprints:
        return FileFingerprints(
            path, None, 10, 40, np.asarray([value], np.uint64), np.asarray([3], np.uint32),
            np.zeros(1, np.uint8), np.asarray([tag], np.uint16), line_hashes=np.zeros(10, np.uint16),
        )  # fmt: skip

    index = Index.from_fingerprints([one("a.py", low, 5), one("b.py", high, 3)], leakguard.FingerprintParams())
    assert index.arrays["residues"].shape[0] == 1 and index.stats["unique_fingerprints"] == 1
    assert index.arrays["post_tag"].tolist() == [3, 5]  # the scan side bisects tags within a fingerprint
    assert index.arrays["df"].tolist() == [2]
    positions, slot = find(index.arrays, np.asarray([low, high, low ^ np.uint64(1 << 44)], np.uint64))
    assert positions.tolist() == [0, 1] and slot.tolist() == [0, 0]


def test_every_open_checks_the_file_size_and_the_small_sections(tmp_path: Path, demo_index_dir: Path) -> None:
    """A flipped bit in any section of a small index, or a cut, is refused without --verify."""
    from leakguard.index.format import read_container

    data = (demo_index_dir / "index.lgx").read_bytes()
    header = read_container(demo_index_dir).header
    assert header["sections"]  # the demo index is small: every section is within the cheap checks
    start = -(-(16 + int.from_bytes(data[12:16], "little")) // 64) * 64  # where the sections begin
    for at in range(start, len(data), 7):
        damaged = bytearray(data)
        damaged[at] ^= 0x01
        (tmp_path / "index.lgx").write_bytes(bytes(damaged))
        try:
            leakguard.load_index(tmp_path)
        except IndexFormatError as exc:
            assert "corrupt" in str(exc)
        else:  # only a byte of alignment padding may change unnoticed
            assert data[at] == 0
    (tmp_path / "index.lgx").write_bytes(data + b"\0" * 64)
    with pytest.raises(IndexFormatError, match="corrupt"):
        leakguard.load_index(tmp_path)
