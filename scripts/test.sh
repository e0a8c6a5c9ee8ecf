#!/usr/bin/env bash
# Installs everything the tests need (Debian packages, npm test tools from the committed
# lockfile), builds eventlake with its tests, and runs the whole suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
(cd tests/interop && if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json; then npm ci --no-audit --no-fund --loglevel=error; fi)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVENTLAKE_TESTS=ON >/dev/null
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2 "$@"
