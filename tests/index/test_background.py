from __future__ import annotations

import json
from pathlib import Path

import pytest

import leakguard
from leakguard.cli import main
from leakguard.index.background import SETS_VARIABLE, SHIPPED, background_sets, default_sets, shipped_folder
from leakguard.index.public import exact_set, load_public_set
from leakguard.normalise.alphabet import Alphabet

#: A function most packages of an ecosystem have in some form, with the same names.
BOILERPLATE = """def load_settings(path):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError("settings must be a mapping")
    return data
"""
#: The same shape under other names in each package.
SHAPE = """def {f}({a}, {b}):
    {r} = []
    for {x} in {a}:
        if {x}.{p} > {b}:
            {r}.append({x}.{p} * 2)
    return sorted({r})
"""
#: Code of one package only.
OWN = """class Ledger:
    def __init__(self, owner, opening_balance):
        self.owner = owner
        self.entries = [("opening", opening_balance)]

    def post(self, label, amount):
        if amount == 0:
            raise ValueError("empty entry")
        self.entries.append((label, amount))
        return sum(value for _, value in self.entries)
"""


def _packages(root: Path) -> list[Path]:
    names = [("collect", "items", "limit", "out", "item", "price"), ("pick", "rows", "floor", "kept", "row", "size"),
             ("gather", "things", "cap", "found", "thing", "weight")]  # fmt: skip
    out = []
    for n, (f, a, b, r, x, p) in enumerate(names):
        package = root / f"pkg{n}"
        package.mkdir()
        body = BOILERPLATE + "\n\n" + SHAPE.format(f=f, a=a, b=b, r=r, x=x, p=p)
        (package / "main.py").write_text("import json\n\n\n" + body + ("\n\n" + OWN if n == 0 else ""))
        out.append(package)
    return out


def test_background_keeps_what_enough_packages_share(tmp_path: Path) -> None:
    packages = _packages(tmp_path)
    params = leakguard.FingerprintParams()
    shapes, code, names = background_sets(packages, params, min_packages=3, jobs=1)
    assert shapes.kind == "idiom" and code.kind == "exact" and names.kind == "names"
    assert shapes.sources == ("pkg0", "pkg1", "pkg2")  # package names, not paths of the machine
    boilerplate = exact_set([_write(tmp_path / "b.py", BOILERPLATE)], params)
    own = exact_set([_write(tmp_path / "o.py", OWN)], params)
    shape = exact_set([_write(tmp_path / "s.py", SHAPE.format(f="f", a="a", b="b", r="r", x="x", p="p"))], params)
    # The boilerplate is shared with its names: both sets hold it.
    assert set(boilerplate.hashes.tolist()) & set(code.hashes.tolist())
    # The renamed function is shared in shape only: in the shapes set, never in the code set.
    assert set(shape.hashes.tolist()) & set(shapes.hashes.tolist())
    assert not {(h, t) for h, t in zip(shape.hashes.tolist(), shape.tags.tolist(), strict=True)} & {
        (h, t) for h, t in zip(code.hashes.tolist(), code.tags.tolist(), strict=True)
    }
    # One package's own code is in neither.
    assert not set(own.hashes.tolist()) & set(shapes.hashes.tolist())
    assert not set(own.hashes.tolist()) & set(code.hashes.tolist())
    assert (code.hashes[1:] >= code.hashes[:-1]).all() and (shapes.hashes[1:] > shapes.hashes[:-1]).all()
    # Names all three use are public; a name only one package has is not.
    alphabet = Alphabet()
    public_names = set(names.hashes.tolist())
    assert alphabet.name("load_settings") in public_names and alphabet.name("isinstance") in public_names
    assert alphabet.name("Ledger") not in public_names and alphabet.name("opening_balance") not in public_names
    # Processes give the same sets as one.
    again_shapes, again_code, _ = background_sets(packages, params, min_packages=3, jobs=2)
    assert again_shapes.hashes.tobytes() == shapes.hashes.tobytes()
    assert again_code.hashes.tobytes() == code.hashes.tobytes() and again_code.tags.tobytes() == code.tags.tobytes()


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_build_index_applies_the_background_unless_asked_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "public").mkdir()
    packages = _packages(tmp_path / "public")
    sets = tmp_path / "sets"
    shapes, code, names = background_sets(packages, leakguard.FingerprintParams(), min_packages=3, jobs=1)
    shapes.save(sets / "background-shapes")
    code.save(sets / "background-code")
    names.save(sets / "background-names")
    monkeypatch.setenv(SETS_VARIABLE, str(sets))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "ledger.py").write_text(BOILERPLATE + "\n\n" + SHAPE.format(f="f", a="a", b="b", r="r", x="x", p="p")
                                    + "\n\n" + OWN)  # fmt: skip
    plain = leakguard.build_index([repo], jobs=1, public=False)
    index = leakguard.build_index([repo], jobs=1)
    assert "public_sets" not in plain.stats
    assert len(index.stats["public_sets"]) == 3 and index.stats["public_names"] == names.hashes.shape[0]
    assert index.stats["public_skipped"] == ["licences: missing in " + str(sets)]
    assert index.stats["public_removed"] > 0 and index.stats["public_marked"] > 0
    # Public boilerplate alone no longer alarms; the proprietary class still does, and says why.
    assert plain.scan(BOILERPLATE + BOILERPLATE.replace("load_settings", "read_config")).is_leak
    assert not index.scan(BOILERPLATE + BOILERPLATE.replace("load_settings", "read_config")).is_leak
    result = index.scan("Please review:\n\n```\n" + OWN + "```\n")
    assert result.is_leak
    finding = result.findings[0]
    assert finding.common_tokens == 0 and "rare in public code" in finding.why
    assert f"{finding.exact_tokens} of {finding.matched_tokens}" in finding.why
    # A renamed copy of the common shape is not evidence; the same shape with the indexed
    # names is, and its finding says so.
    renamed = SHAPE.format(f="select", a="orders", b="minimum", r="chosen", x="order", p="total") * 2
    assert not index.scan(renamed).is_leak
    assert plain.scan(renamed).score > index.scan(renamed).score


def test_default_sets_say_why_a_set_is_not_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETS_VARIABLE, str(tmp_path))
    exact_set([_write(tmp_path / "x.py", OWN)], leakguard.FingerprintParams(k=10)).save(tmp_path / "licences")
    found, skipped = default_sets(leakguard.FingerprintParams())
    assert found == []
    assert any("licences: made with other parameters" in reason for reason in skipped)
    assert any("background-shapes: missing" in reason for reason in skipped)


def test_the_shipped_background_is_found_and_fits_the_default_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SETS_VARIABLE, raising=False)
    folder = shipped_folder()
    assert folder is not None
    for name in SHIPPED:
        public = load_public_set(folder / name)
        assert public.params == leakguard.FingerprintParams(), f"rerun bash fingerprints/public/build.sh ({name})"
    found, skipped = default_sets(leakguard.FingerprintParams())
    assert len(found) == len(SHIPPED) and skipped == []
    _, skipped = default_sets(leakguard.FingerprintParams(key_id="abc"))
    assert len(skipped) == len(SHIPPED)


def test_cli_builds_a_background_and_index_can_leave_it_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    packages = _packages(tmp_path)
    assert main(["public", "--background", *map(str, packages), "--min-packages", "3", "--out", str(tmp_path / "sets"),
                 "--jobs", "1"]) == 0  # fmt: skip
    assert "from 3 packages" in capsys.readouterr().err
    assert load_public_set(tmp_path / "sets" / "background-code").kind == "exact"
    monkeypatch.setenv(SETS_VARIABLE, str(tmp_path / "sets"))
    assert main(["index", str(packages[0]), "--out", str(tmp_path / "idx"), "-q"]) == 0
    assert main(["index", str(packages[0]), "--out", str(tmp_path / "raw"), "-q", "--no-public"]) == 0
    capsys.readouterr()
    assert main(["info", "--index", str(tmp_path / "idx")]) == 0
    with_sets = json.loads(capsys.readouterr().out)
    assert main(["info", "--index", str(tmp_path / "raw")]) == 0
    without = json.loads(capsys.readouterr().out)
    assert len(with_sets["stats"]["public_sets"]) == 3 and "public_sets" not in without["stats"]
    assert main(["index", str(packages[0]), "--out", str(tmp_path / "idx2")]) == 0
    assert "public set not applied: licences: missing" in capsys.readouterr().err


def test_a_copy_made_only_of_public_names_counts_as_structure(tmp_path: Path) -> None:
    packages = _packages(tmp_path)
    _, _, names = background_sets(packages, leakguard.FingerprintParams(), min_packages=3, jobs=1)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "settings.py").write_text("import json\n\n\n" + BOILERPLATE * 3 + "\n\n" + OWN)
    plain = leakguard.build_index([repo], jobs=1, public=False)
    named = plain.without(names)
    copy = "Why?\n\n" + BOILERPLATE * 2
    before, after = plain.scan(copy), named.scan(copy)
    assert before.is_leak and before.findings[0].exact_tokens > 0
    assert after.score < before.score  # the same tokens, now worth structure only
    assert all(f.exact_tokens == 0 for f in after.findings)
    own = named.scan("Why?\n\n" + OWN)
    assert own.is_leak and own.findings[0].exact_tokens > 0.8 * own.findings[0].matched_tokens
