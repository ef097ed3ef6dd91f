#!/usr/bin/env bash
# Fetch real, permissively licensed source files of every supported language for the
# agreement test and the benchmarks. Nothing is installed: packages are downloaded from the
# registries and unpacked. Safe to rerun; skips what is there, retries what fails.
#
#   bash tests/corpus/fetch.sh [DEST]
#
# DEST defaults to $LEAKGUARD_CORPUS, else ~/.cache/leakguard/corpus (kept between clones,
# so CI on the same machine does not download again); tests read the same place.
set -euo pipefail
dest=${1:-${LEAKGUARD_CORPUS:-$HOME/.cache/leakguard/corpus}}
mkdir -p "$dest"
cd "$dest"

retry() {  # a registry can time out now and then: three tries, a pause between
  "$@" || { sleep 5; "$@"; } || { sleep 15; "$@"; }
}

fetch_npm() {  # name@version -> dest/npm/<name>
  local spec=$1 dir=npm/${1%@*}
  [ -d "$dir" ] && return 0
  mkdir -p "$dir" tmp
  (cd tmp && retry npm pack "$spec" --silent >/dev/null 2>&1) || { echo "corpus: npm $spec unavailable" >&2; rm -rf "$dir"; return 0; }
  tar xzf tmp/*.tgz -C "$dir" --strip-components=1 && rm -f tmp/*.tgz
}

fetch_sdist() {  # name==version -> dest/pypi/<name>
  local spec=$1 dir=pypi/${1%==*}
  [ -d "$dir" ] && return 0
  mkdir -p "$dir" tmp
  retry python3 -m pip download --quiet --no-deps --no-binary :all: -d tmp "$spec" >/dev/null 2>&1 \
    || { echo "corpus: sdist $spec unavailable" >&2; rm -rf "$dir"; return 0; }
  tar xzf tmp/*.tar.gz -C "$dir" --strip-components=1 && rm -f tmp/*.tar.gz
}

fetch_deb() {  # debian package -> dest/deb/<name>
  local name=$1 dir=deb/$1
  [ -d "$dir" ] && return 0
  command -v apt-get >/dev/null || { echo "corpus: no apt-get for $name" >&2; return 0; }
  mkdir -p "$dir" tmp
  (cd tmp && apt-get download "$name" >/dev/null 2>&1) \
    || { apt-get update -qq >/dev/null 2>&1 || true; (cd tmp && retry apt-get download "$name" >/dev/null 2>&1); } \
    || { echo "corpus: deb $name unavailable" >&2; rm -rf "$dir"; return 0; }
  dpkg-deb -x tmp/"$name"_*.deb "$dir" && rm -f tmp/"$name"_*.deb
}

fetch_npm react-native-screens@4.30.1   # Kotlin, TSX, TypeScript, C++  (MIT)
fetch_npm express@5.1.0                 # JavaScript                    (MIT)
fetch_npm zod@3.24.2                    # TypeScript                    (MIT)
fetch_npm @microsoft/jest-sarif@1.0.0-beta.0  # the SARIF 2.1.0 JSON schema, for the SARIF test (MIT)
fetch_sdist pythonnet==3.0.5            # C#                            (MIT)
fetch_sdist xxhash==3.5.0               # C                             (BSD-2-Clause)
fetch_sdist JPype1==1.7.1               # Java                          (Apache-2.0)
fetch_deb golang-github-spf13-cobra-dev # Go                            (Apache-2.0)
fetch_deb librust-memchr-dev            # Rust                          (MIT/Unlicense)
fetch_deb php-psr-log                   # PHP                           (MIT)
fetch_deb libruby3.1                    # Ruby                          (BSD-2-Clause/Ruby)
fetch_jdk_modules() {  # unrelated Java for the datasets benchmark's negatives -> dest/../java-negatives
  local dir=../java-negatives
  [ -d "$dir" ] && return 0
  fetch_deb openjdk-17-source           # Java (GPL-2.0 with Classpath exception; read, never copied)
  [ -f deb/openjdk-17-source/usr/lib/jvm/openjdk-17/lib/src.zip ] || return 0
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"  # a run cut short starts over
  python3 -m zipfile -e deb/openjdk-17-source/usr/lib/jvm/openjdk-17/lib/src.zip "$dir.tmp/all"
  # Application-like modules (tools, protocols, management), not the core library the
  # labelled programs call into.
  for module in jdk.hotspot.agent jdk.compiler java.management jdk.jdi jdk.jfr java.net.http java.naming; do
    mv "$dir.tmp/all/$module" "$dir.tmp/"
  done
  rm -rf "$dir.tmp/all" deb/openjdk-17-source
  mv "$dir.tmp" "$dir"
}

fetch_jdk_modules
rm -rf tmp
echo "corpus ready in $dest"
