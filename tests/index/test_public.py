from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from conftest import EXAMPLES

import leakguard
from leakguard.cli import main
from leakguard.index.public import exact_set, idiom_set, load_public_set
from leakguard.normalise.lexer import lex
from leakguard.options import ScanPolicy
from leakguard.scanner import lookup

CLICK = Path(click.__file__).parent  # public code every install has
PROMPTS = EXAMPLES / "prompts"


def public_prompt() -> str:
    lines = (CLICK / "termui.py").read_text().splitlines()
    return "Why does this hang?\n\n```python\n" + "\n".join(lines[200:260]) + "\n```\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo repository with a vendored copy of a public module, as real repositories have."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(EXAMPLES / "acme", root / "acme")
    (root / "acme" / "thirdparty").mkdir()
    shutil.copyfile(CLICK / "termui.py", root / "acme" / "thirdparty" / "termui.py")
    return root / "acme"


def test_allowed_public_code_is_not_reported_and_proprietary_code_still_is(repo: Path) -> None:
    index = leakguard.build_index([repo], jobs=1)
    assert index.scan(public_prompt()).is_leak  # vendored, so indexed
    public = exact_set([CLICK], index.params)
    allowed = index.without(public)
    assert not allowed.scan(public_prompt()).is_leak
    assert allowed.stats["public_removed"] > 0 and allowed.stats["fingerprints"] < index.stats["fingerprints"]
    for name in ("leak_verbatim.md", "leak_renamed.txt", "leak_reformatted.md"):
        before, after = index.scan((PROMPTS / name).read_text()), allowed.scan((PROMPTS / name).read_text())
        assert after.is_leak and [f.path for f in after.findings] == [f.path for f in before.findings]


def test_idiom_sets_keep_shapes_common_to_several_packages(tmp_path: Path) -> None:
    shared = "def total(items):\n    result = 0\n    for item in items:\n        if item.price > 0:\n"
    shared += "            result += item.price * item.quantity\n    return result\n"
    for n, extra in enumerate(("x = 1\n", "y = [a for a in range(3) if a % 2 == 1]\n", "print('only here')\n")):
        package = tmp_path / f"p{n}"
        package.mkdir()
        (package / "m.py").write_text((shared if n < 2 else "") + extra)
    params = leakguard.FingerprintParams()
    common = idiom_set(sorted(tmp_path.glob("p*")), params, min_packages=2)
    assert common.kind == "idiom" and common.hashes.size > 0
    assert set(common.hashes.tolist()) <= set(exact_set([tmp_path / "p0"], params).hashes.tolist())
    assert idiom_set(sorted(tmp_path.glob("p*")), params, min_packages=3).hashes.size == 0


def test_an_idiom_counts_only_where_the_names_match_and_stays_marked(tmp_path: Path) -> None:
    shared = "def total(items):\n    result = 0\n    for item in items:\n        if item.price > 0:\n"
    shared += "            result += item.price * item.quantity\n    return result\n"
    renamed = shared.replace("total", "amount").replace("items", "rows").replace("item", "row").replace("result", "acc")
    for n in range(2):
        (tmp_path / f"p{n}").mkdir()
        (tmp_path / f"p{n}" / "m.py").write_text(shared)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "calc.py").write_text(shared + "\n\ndef other(x):\n    return [y * 2 for y in x if y]\n")
    index = leakguard.build_index([tmp_path / "repo"], jobs=1, public=False)  # this idiom set alone
    idioms = idiom_set([tmp_path / "p0", tmp_path / "p1"], index.params, min_packages=2)
    marked = index.without(idioms)
    assert marked.stats["public_marked"] > 0 and marked.stats["fingerprints"] == index.stats["fingerprints"]

    def hits(idx: leakguard.Index, text: str) -> tuple[int, int]:
        found = lookup(idx, lex(text, idx.alphabet), ScanPolicy())
        return int(found.pos.size), int(found.exact.sum())

    assert hits(index, renamed)[0] > 0 and hits(marked, renamed) == (0, 0)  # the shape alone: no evidence
    count, exact = hits(marked, shared)
    assert count > 0 and exact == count  # the same names still match
    # An exact set applied afterwards rebuilds the postings; the idiom marks stay.
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / "v.py").write_text("def other(x):\n    return [y * 2 for y in x if y]\n")
    again = marked.without(exact_set([tmp_path / "vendored"], index.params))
    assert again.stats["public_removed"] > 0 and hits(again, renamed) == (0, 0)


def test_cli_public_allow_and_index_allow(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prompt = tmp_path / "prompt.md"
    prompt.write_text(public_prompt())
    assert main(["public", str(CLICK), "--out", str(tmp_path / "set")]) == 0
    assert load_public_set(tmp_path / "set").kind == "exact"
    assert main(["index", str(repo), "--out", str(tmp_path / "idx"), "-q", "-j", "1"]) == 0
    assert main(["scan", str(prompt), "--index", str(tmp_path / "idx"), "-q"]) == 1
    assert main(["allow", str(tmp_path / "set"), "--index", str(tmp_path / "idx")]) == 0
    assert "were public code" in capsys.readouterr().err
    assert main(["scan", str(prompt), "--index", str(tmp_path / "idx"), "-q"]) == 0
    assert main(["index", str(repo), "--out", str(tmp_path / "idx2"), "-q", "-j", "1", "--allow", str(CLICK)]) == 0
    assert main(["scan", str(prompt), "--index", str(tmp_path / "idx2"), "-q"]) == 0
    assert main(["scan", str(PROMPTS / "leak_verbatim.md"), "--index", str(tmp_path / "idx2"), "-q"]) == 1


def test_a_set_made_with_another_key_is_refused(repo: Path, tmp_path: Path) -> None:
    index = leakguard.build_index([repo], jobs=1, key=b"secret")
    with pytest.raises(leakguard.IncompatibleIndexError):
        index.without(exact_set([CLICK], leakguard.FingerprintParams()))
