"""Record the golden findings (``findings.json``) with whatever leakguard is importable.

They were recorded with the last numpy engine (commit 7f2a406), before the native engine
replaced it, so that the test holds the native engine to the decisions the numpy one made:

    git worktree add /tmp/numpy-engine 7f2a406
    PYTHONPATH=/tmp/numpy-engine python tests/golden/record.py

Re-record only on purpose (a change of what a scan decides), and say why in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import EXAMPLES, cases, findings  # noqa: E402

import leakguard  # noqa: E402


def main() -> None:
    index = leakguard.build_index([EXAMPLES / "acme"], jobs=1)
    recorded = {"engine": leakguard.__file__, "cases": findings(index, cases())}
    (HERE / "findings.json").write_text(json.dumps(recorded["cases"], indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(recorded['cases'])} cases with {recorded['engine']}")


if __name__ == "__main__":
    main()
