#!/usr/bin/env bash
# Install the JavaScript peer (Dolos) and the minifier the evasion benchmark uses (terser); the Python peers come with
# `pip install -e '.[bench]'`. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/@dodona/dolos-lib ] && [ -d node_modules/terser ] || npm install --silent --no-audit --no-fund >/dev/null
