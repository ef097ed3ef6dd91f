from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import leakguard  # noqa: E402

EXAMPLES = ROOT / "examples"


def need(module: str) -> None:
    """Skip when an optional extra is not installed; fail instead in CI, where it must be."""
    try:
        __import__(module)
    except ImportError:
        if os.environ.get("LEAKGUARD_REQUIRE_INTEGRATIONS"):
            pytest.fail(f"{module} is not installed (see .ci/run)")
        pytest.skip(f"{module} is not installed")


@pytest.fixture(scope="session")
def demo_index() -> leakguard.Index:
    return leakguard.build_index([EXAMPLES / "acme"], jobs=1)


@pytest.fixture(scope="session")
def demo_index_dir(tmp_path_factory: pytest.TempPathFactory, demo_index: leakguard.Index) -> Path:
    directory = tmp_path_factory.mktemp("demo-index")
    demo_index.save(directory)
    return directory


def check_report(payload: object, definition: str | None = None) -> None:
    """Fail unless ``payload`` validates against the shipped JSON report schema (or one of
    its ``$defs``, such as ``result``, the body ``leakguard serve`` answers with)."""
    import json

    import jsonschema

    from leakguard.report.json import SCHEMA_FILE

    schema = json.loads(SCHEMA_FILE.read_text())
    if definition is not None:
        schema = {**schema, "$ref": f"#/$defs/{definition}"}
        for key in ("required", "properties", "type"):
            schema.pop(key, None)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.path))
    assert not errors, f"{errors[0].message} at {list(errors[0].path)}"
