"""Whether a checkout still holds the code that was indexed.

``leakguard explain --source-root`` shows a finding beside the lines of the indexed file
in a checkout. When the file changed after indexing, those lines may no longer be the
code that matched, so the index's line hashes (16 bits of each line's abstract tokens,
:mod:`leakguard.index.lines`) are compared with the same hashes of the checkout's file:
a line rewritten inside the shown lines, or lines added or removed above them (which
shift them), shows up as a difference there. Renaming alone leaves abstract tokens, and
so these hashes, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leakguard.index.store import Index


@dataclass(frozen=True)
class Drift:
    """How a checkout's copy of an indexed file differs from what was indexed.

    Attributes:
        indexed_lines: lines the file had when it was indexed.
        current_lines: lines it has in the checkout.
        changed: 1-based lines whose hash differs (a line of code past the other's end differs).
    """

    indexed_lines: int
    current_lines: int
    changed: tuple[int, ...]

    def within(self, first: int, last: int) -> list[int]:
        """The changed lines among ``first..last``."""
        return [line for line in self.changed if first <= line <= last]

    @property
    def unchanged(self) -> bool:
        """Whether the checkout's file hashes exactly as the indexed one did."""
        return not self.changed and self.indexed_lines == self.current_lines


def drift(index: Index, path: str, text: str) -> Drift | None:
    """Compare ``text`` (a checkout's copy of indexed file ``path``) with the index; None
    when ``path`` is not an indexed file."""
    from leakguard.index.build import source_line_hashes

    try:
        file = index.paths.index(path)
    except ValueError:
        return None
    indexed = index.line_hashes(file)
    current = source_line_hashes(path, text, index.alphabet)
    size = max(indexed.shape[0], current.shape[0])
    differs = np.pad(indexed, (0, size - indexed.shape[0])) != np.pad(current, (0, size - current.shape[0]))
    changed = (np.nonzero(differs)[0] + 1).tolist()
    return Drift(int(indexed.shape[0]), int(current.shape[0]), tuple(changed))
