"""The shipped demo index must be what `leakguard index examples/acme --out fingerprints/demo` builds."""

from __future__ import annotations

from conftest import EXAMPLES, ROOT

import leakguard


def test_shipped_demo_index_is_up_to_date(demo_index: leakguard.Index) -> None:
    shipped = leakguard.load_index(ROOT / "fingerprints" / "demo", verify=True)
    assert shipped.params == demo_index.params
    for name, array in demo_index.arrays.items():
        assert shipped.arrays[name].tobytes() == array.tobytes(), (
            f"fingerprints/demo is stale ({name}): rerun leakguard index {EXAMPLES / 'acme'} --out fingerprints/demo"
        )


def test_shipped_public_sets_load_with_the_default_parameters() -> None:
    """A change of format or parameters must come with `bash fingerprints/public/build.sh`."""
    from leakguard.index.public import load_public_set

    for name, kind in (("background-shapes", "idiom"), ("background-code", "exact"), ("licences", "exact")):
        public = load_public_set(ROOT / "fingerprints" / "public" / name)
        assert public.params == leakguard.FingerprintParams(), f"rerun bash fingerprints/public/build.sh ({name})"
        assert public.kind == kind and public.hashes.size > 1000
        assert (public.hashes[1:] >= public.hashes[:-1]).all()
