from __future__ import annotations

from conftest import EXAMPLES

import leakguard
from leakguard.options import ScanPolicy

PROMPTS = EXAMPLES / "prompts"
ACME = EXAMPLES / "acme"


def test_demo_prompts(demo_index: leakguard.Index) -> None:
    expected = {
        "leak_verbatim.md": "payments/ledger.py",
        "leak_renamed.txt": "risk/FraudScorer.java",
        "leak_reformatted.md": "billing/invoice.go",
    }
    for path in sorted(PROMPTS.iterdir()):
        result = demo_index.scan(path.read_text())
        if path.name.startswith("clean"):
            assert not result.is_leak, path.name
            assert result.findings == []
        else:
            assert result.is_leak, path.name
            assert {f.path for f in result.findings} == {expected[path.name]}
            assert 0.5 <= result.score <= 1.0


def test_finding_names_lines_and_spans(demo_index: leakguard.Index) -> None:
    source = (ACME / "payments" / "ledger.py").read_text().splitlines(keepends=True)
    snippet = "".join(source[45:54])  # lines 46-54: split_fee
    prose = "Could you review this?\n\n"
    text = prose + snippet + "\nThanks!\n"
    result = leakguard.scan(text, demo_index)
    assert result.is_leak
    (finding,) = result.findings
    assert finding.path == "payments/ledger.py"
    assert 45 <= finding.start_line <= 47 and 53 <= finding.end_line <= 55
    assert len(prose) <= finding.start < len(prose) + 10
    assert text[finding.start : finding.end].startswith("def split_fee")
    assert finding.end <= len(prose) + len(snippet)
    assert finding.matched_tokens >= 50 and finding.exact_tokens >= finding.matched_tokens - 12


def test_prose_and_tiny_fragments_are_clean(demo_index: leakguard.Index) -> None:
    assert not demo_index.scan("").is_leak
    assert not demo_index.scan("How do I sort a list in Python? sorted(items)").is_leak
    assert not demo_index.scan("entry.assert_balanced()\nreturn entry\n").is_leak


def test_redaction_keeps_everything_else(demo_index: leakguard.Index) -> None:
    text = (PROMPTS / "leak_verbatim.md").read_text()
    result = demo_index.scan(text)
    redacted = result.redacted()
    (finding,) = result.findings
    assert redacted.startswith(text[: finding.start])
    assert redacted.endswith(text[finding.end :])
    assert "[leakguard: " in redacted and "payments/ledger.py removed]" in redacted
    assert "def settle_card_payment" not in redacted
    assert demo_index.scan(redacted).is_leak is False


def test_threshold_policy(demo_index: leakguard.Index) -> None:
    text = (PROMPTS / "leak_renamed.txt").read_text()
    assert demo_index.scan(text).is_leak
    assert not demo_index.scan(text, ScanPolicy(threshold=10_000)).is_leak


def test_common_fingerprints_are_not_evidence(tmp_path: object) -> None:
    import pathlib

    root = pathlib.Path(str(tmp_path))
    body = "".join(f"    total = total + values[{i}] * weights[{i}]\n" for i in range(12))
    for n in range(40):
        (root / f"m{n}.py").write_text(f"def f{n}(values, weights):\n    total = 0\n{body}    return total\n")
    index = leakguard.build_index([root], jobs=1, public=False)  # common in the index, not in public code
    assert not index.scan(body).is_leak
    assert index.scan(body, ScanPolicy(max_df_min=100)).is_leak


def test_a_copy_of_a_long_table_is_found_where_its_shape_repeats(tmp_path: object) -> None:
    import pathlib
    import random

    # A lookup table: one structural k-gram (NUM , NUM , ...) at hundreds of places of one
    # file, more than the scan follows (MAX_POSTINGS_PER_HASH); only the values say where.
    rng = random.Random(5)
    rows = [", ".join(str(rng.randrange(1000)) for _ in range(8)) + "," for _ in range(120)]
    root = pathlib.Path(str(tmp_path))
    (root / "table.rs").write_text("pub const WEIGHTS: [u16; 960] = [\n" + "\n".join(rows) + "\n];\n")
    index = leakguard.build_index([root], jobs=1)
    pasted = "Is this table right?\n\n" + "\n".join(rows[90:100]) + "\n"
    result = index.scan(pasted)
    assert [(f.path, f.start_line, f.end_line) for f in result.findings] == [("table.rs", 92, 101)]
    assert result.findings[0].exact_tokens >= 0.9 * result.findings[0].matched_tokens  # found by its values


def test_a_table_of_other_values_is_not_a_copy(tmp_path: object) -> None:
    import pathlib
    import random

    # Rows of literals and punctuation only: any table of the same shape matches them in
    # structure, so only matching values are evidence.
    # Both tables have the same shape (row lengths, strings and numbers in the same
    # places: one generator of records), with other values.
    def table(seed: int) -> list[str]:
        shape, values = random.Random(7), random.Random(seed)
        rows = []
        for _ in range(60):
            cells = [f'"{values.choice("abcdefgh")}{values.randrange(99)}"' if shape.random() < 0.4
                     else str(values.randrange(100000)) for _ in range(shape.randint(2, 6))]  # fmt: skip
            rows.append("    {" + ", ".join(cells) + "},")
        return rows

    root = pathlib.Path(str(tmp_path))
    indexed = table(1)
    (root / "palette.c").write_text("static const struct entry PALETTE[] = {\n" + "\n".join(indexed) + "\n};\n")
    index = leakguard.build_index([root], jobs=1, public=False)
    other = "Why is this slow?\n\n" + "\n".join(table(2)[:40]) + "\n"
    assert not index.scan(other).is_leak
    assert index.scan(other).score < 0.1
    same = "Why is this slow?\n\n" + "\n".join(indexed[10:40]) + "\n"
    result = index.scan(same)
    assert [(f.path, f.start_line, f.end_line) for f in result.findings] == [("palette.c", 12, 41)]


def test_two_pieces_of_one_file_moved_apart_are_one_copy(demo_index: leakguard.Index) -> None:
    lines = (ACME / "payments" / "ledger.py").read_text().splitlines()
    earlier, later = "\n".join(lines[39:41]) + "\n", "\n".join(lines[71:73]) + "\n"
    # Each piece alone is too small to be a leak ...
    assert not demo_index.scan(earlier).is_leak and not demo_index.scan(later).is_leak
    # ... pasted in the other order, with a line of the engineer's own between, they are.
    result = demo_index.scan(later + "audit(record)\n" + earlier)
    assert result.is_leak
    assert [(f.path, f.start_line, f.end_line) for f in result.findings] == [
        ("payments/ledger.py", 72, 73),
        ("payments/ledger.py", 40, 41),
    ]
    # Far apart in a longer text they are two chance matches, not one copy.
    prose = "We discussed the release plan, the on-call rota and the team lunch on Friday. " * 4
    assert not demo_index.scan(later + prose + "\n" + earlier).is_leak


def test_one_line_alone_counts_half(demo_index: leakguard.Index) -> None:
    # A signature line of 20-odd tokens would reach the threshold by itself; one line is
    # what unrelated code shares most often (a date regex, a format string), so a match
    # confined to one indexed line counts half. With the line after it, it is a copy again.
    lines = (ACME / "payments" / "ledger.py").read_text().splitlines()
    one = demo_index.scan("Why does this fail?\n\n" + lines[67] + "\n")
    assert not one.is_leak and 0.25 < one.score < 0.5
    two = demo_index.scan("Why does this fail?\n\n" + "\n".join(lines[67:69]) + "\n")
    assert [(f.path, f.start_line, f.end_line) for f in two.findings] == [("payments/ledger.py", 68, 69)]


def test_scanning_is_thread_safe(demo_index: leakguard.Index) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [p.read_text() for p in sorted(PROMPTS.iterdir())] * 10
    expected = [demo_index.scan(t).to_json() for t in texts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(lambda t: demo_index.scan(t).to_json(), texts)) == expected


def test_merge_keeps_the_rest_of_a_copy_and_drops_a_copy_seen_twice() -> None:
    from leakguard.result import Finding
    from leakguard.scanner import _merge

    def finding(start: int, end: int, first: int, last: int, score: float) -> Finding:
        return Finding("a.py", first, last, start, end, score, 100, 100)

    head = finding(0, 6000, 1, 187, 1.0)  # the first 187 lines of a copy
    rest = finding(3000, 8000, 87, 243, 0.9)  # chained apart: half covered, 56 lines more
    assert _merge([(0, head), (0, rest)], new_lines=5) == [head, rest]
    # Seen through another reading of the text (a decoded view), the same span is a duplicate.
    assert _merge([(0, head), (1, rest)]) == [head]
    # Within one reading, a finding that adds lines but little text of its own is dropped.
    longer = finding(0, 6500, 1, 243, 0.8)
    assert _merge([(0, head), (0, longer)], new_lines=5) == [head]


def test_merge_drops_a_weaker_finding_of_another_file_over_the_same_text() -> None:
    from leakguard.result import Finding
    from leakguard.scanner import _merge

    strong = Finding("a.py", 11, 47, 290, 1810, 0.99, 300, 300)
    other = Finding("b.py", 21, 34, 0, 623, 0.7, 60, 60)  # more than half inside the strong one
    assert _merge([(0, strong), (0, other)], new_lines=5) == [strong]


def test_code_after_a_docstring_with_a_markdown_example_is_found(tmp_path: object) -> None:
    import pathlib

    # The scan lexer ends a triple-quoted string at a fence line, so the docstring's
    # closing quotes start a fenced segment of their own: its second reading finds the code.
    example = '    """Sum the sizes.\n\n    ```python\n    total_size(items)\n    ```\n    """\n'
    body = "".join(f"    weight_{i} = lookup(items[{i}], scale={i + 2}) * factor\n" for i in range(10))
    source = f"def total_size(items, factor=1):\n{example}{body}    return weight_0 + weight_9\n"
    root = pathlib.Path(str(tmp_path))
    (root / "sizes.py").write_text(source)
    index = leakguard.build_index([root], jobs=1)
    result = index.scan("Why is this slow?\n\n" + source)
    assert result.is_leak
    (finding,) = result.findings
    assert finding.path == "sizes.py" and finding.end_line == source.count("\n")
