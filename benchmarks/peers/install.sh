#!/usr/bin/env bash
# Install the JavaScript peer (Dolos) beside its runner; the Python peers come with
# `pip install -e '.[bench]'`. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/@dodona/dolos-lib ] || npm install --silent --no-audit --no-fund >/dev/null
