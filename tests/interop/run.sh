#!/usr/bin/env bash
# DuckDB interop tests: read an eventlake lake back with DuckDB (tests/interop/*_test.mjs).
#
#   tests/interop/run.sh [extra node --test args]
#   tests/interop/run.sh --install-only      # just bring node_modules up to date
#
# Env: EVENTLAKE_BIN (default build/eventlake of this checkout). Needs node >= 20 and npm; installs the pinned test tools
# from package-lock.json (npm registry only, no install scripts) when node_modules is missing or
# does not match the lockfile.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"


# node_modules is up to date when it matches package-lock.json (scripts/npm-deps-current.mjs).
deps_current() { node "$here/../../scripts/npm-deps-current.mjs"; }

if ! deps_current; then
  echo "run.sh: installing test tools (npm ci)" >&2
  npm ci --no-audit --no-fund --ignore-scripts >&2
fi
[[ "${1:-}" == "--install-only" ]] && exit 0

export EVENTLAKE_BIN="${EVENTLAKE_BIN:-$here/../../build/eventlake}"
if [[ ! -x "$EVENTLAKE_BIN" ]]; then
  echo "run.sh: eventlake binary not found or not executable: $EVENTLAKE_BIN (set EVENTLAKE_BIN)" >&2
  exit 2
fi

exec node --test "$@" ./*_test.mjs
