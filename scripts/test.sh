#!/usr/bin/env bash
# Installs everything the tests need (Debian packages, npm test tools from the committed
# lockfile), builds eventlake with its tests, and runs the whole suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash tests/interop/run.sh --install-only
bash tests/awsbed/bed.sh --install-only
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEVENTLAKE_TESTS=ON >/dev/null
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2 "$@"
