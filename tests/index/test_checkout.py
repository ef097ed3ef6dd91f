"""A checkout compared with what was indexed, by line hashes."""

from __future__ import annotations

from conftest import EXAMPLES

import leakguard
from leakguard.index.checkout import drift

INVOICE = (EXAMPLES / "acme" / "billing" / "invoice.go").read_text()


def test_the_indexed_file_is_unchanged(demo_index: leakguard.Index) -> None:
    found = drift(demo_index, "billing/invoice.go", INVOICE)
    assert found is not None and found.unchanged and found.changed == ()
    assert drift(demo_index, "not/indexed.go", INVOICE) is None


def test_comments_and_renaming_are_not_changes_but_code_is(demo_index: leakguard.Index) -> None:
    renamed = INVOICE.replace("lineNet", "subtotal") + "// a new comment\n"
    assert drift(demo_index, "billing/invoice.go", renamed).within(1, 10_000) == []  # type: ignore[union-attr]
    lines = INVOICE.split("\n")
    inserted = "\n".join([*lines[:5], "var extra = compute(1, 2)", *lines[5:]])
    found = drift(demo_index, "billing/invoice.go", inserted)
    assert found is not None and not found.unchanged
    assert found.current_lines == found.indexed_lines + 1
    assert found.within(1, 5) == [] and found.within(6, len(lines))  # the lines below the insertion moved
