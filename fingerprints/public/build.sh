#!/usr/bin/env bash
# Rebuild the shipped public sets (see fingerprints/README.md), which every index applies
# unless built with --no-public:
#
#   bash fingerprints/public/build.sh
#
# * background-shapes/ and background-code/: the background model, what at least 3 of the
#   benchmark pool's *background* packages share (hundreds of real packages from Debian,
#   npm, Maven Central, PyPI and the Go module proxy, every supported language; see
#   benchmarks/ecosystems.py). Shapes found that often count only where the names match
#   too; code found that often with the same names is taken out of an index. The
#   benchmark's indexed and negative packages are other packages: its figures stay honest.
# * licences/: exact set of the SPDX licence and exception texts (../shared/datasets, or
#   the license-list-data package from npm when that is absent): copies of them are taken
#   out of an index.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
python benchmarks/ecosystems.py fetch --role background >/dev/null
mapfile -t packages < <(python benchmarks/ecosystems.py paths --role background)
leakguard public --background "${packages[@]}" --min-packages 3 --out fingerprints/public

licences=$root/../shared/datasets/spdx-licenses/text
if [ ! -d "$licences" ]; then
  src=${LEAKGUARD_PUBLIC_SOURCES:-$HOME/.cache/leakguard/public-sources}
  mkdir -p "$src/spdx" && (cd "$src/spdx" && npm pack license-list-data@3.25.0 --silent >/dev/null && tar xzf *.tgz && rm -f *.tgz)
  licences=$src/spdx/package/text
fi
leakguard public "$licences" --out fingerprints/public/licences
