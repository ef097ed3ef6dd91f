from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import leakguard  # noqa: E402

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def demo_index() -> leakguard.Index:
    return leakguard.build_index([EXAMPLES / "acme"], jobs=1)


@pytest.fixture(scope="session")
def demo_index_dir(tmp_path_factory: pytest.TempPathFactory, demo_index: leakguard.Index) -> Path:
    directory = tmp_path_factory.mktemp("demo-index")
    demo_index.save(directory)
    return directory
