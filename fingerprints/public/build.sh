#!/usr/bin/env bash
# Rebuild the shipped public sets (see fingerprints/README.md):
#
#   bash fingerprints/public/build.sh
#
# * licences/: exact set of the SPDX licence and exception texts (../shared/datasets, or
#   the license-list-data package from npm when that is absent): copies of them are taken
#   out of an index;
# * idioms/: shapes found in at least 3 of a fixed list of public packages in several
#   languages, downloaded from the registries into ~/.cache/leakguard/public-sources: in an
#   index they count only where the names match too.
#   None of them is used by benchmarks/quality.py, whose false-alarm figures stay honest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src=${LEAKGUARD_PUBLIC_SOURCES:-$HOME/.cache/leakguard/public-sources}
mkdir -p "$src/tmp"
cd "$src"

npm_pkg() { [ -d "$1" ] || { (cd tmp && npm pack "$2" --silent >/dev/null) && mkdir -p "$1" && tar xzf tmp/*.tgz -C "$1" --strip-components=1 && rm -f tmp/*.tgz; }; }
sdist() { [ -d "$1" ] || { python3 -m pip download --quiet --no-deps --no-binary :all: -d tmp "$2" && mkdir -p "$1" && tar xzf tmp/*.tar.gz -C "$1" --strip-components=1 && rm -f tmp/*.tar.gz; }; }
deb() { [ -d "$1" ] || { (cd tmp && apt-get download "$2" >/dev/null 2>&1) && mkdir -p "$1" && dpkg-deb -x tmp/"$2"_*.deb "$1" && rm -f tmp/"$2"_*.deb; }; }

npm_pkg lodash lodash@4.17.21            # JavaScript
npm_pkg axios axios@1.7.9                # JavaScript
npm_pkg commander commander@12.1.0       # JavaScript
npm_pkg date-fns date-fns@3.6.0          # TypeScript / JavaScript
npm_pkg cordova-android cordova-android@13.0.0         # Java
npm_pkg capacitor-android @capacitor/android@6.2.0     # Java
npm_pkg reanimated react-native-reanimated@3.16.6      # Java, C++, TypeScript
npm_pkg rn-maps react-native-maps@1.20.1               # Java, Objective-C, TypeScript
npm_pkg rn-svg react-native-svg@15.10.1                # Java, C++, TypeScript
sdist requests requests==2.32.3          # Python
sdist attrs attrs==24.2.0                # Python
sdist flask flask==3.0.3                 # Python
sdist cffi cffi==1.17.1                  # C, Python
deb testify golang-github-stretchr-testify-dev   # Go
deb pkg-errors golang-github-pkg-errors-dev      # Go
deb serde librust-serde-dev                      # Rust
deb anyhow librust-anyhow-dev                    # Rust
deb symfony-console php-symfony-console          # PHP
deb rack ruby-rack                               # Ruby
rm -rf tmp

licences=$root/../shared/datasets/spdx-licenses/text
if [ ! -d "$licences" ]; then
  mkdir -p spdx && (cd spdx && npm pack license-list-data@3.25.0 --silent >/dev/null && tar xzf *.tgz && rm -f *.tgz)
  licences=$src/spdx/package/text
fi
cd "$root"
leakguard public "$licences" --out fingerprints/public/licences
leakguard public "$src"/*/ --min-packages 3 --out fingerprints/public/idioms
