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


# node_modules is up to date when npm's hidden lockfile (written by npm ci/install) holds exactly
# the packages of package-lock.json that apply to this platform, at the same version/integrity.
deps_current() {
  [[ -f node_modules/.package-lock.json ]] || return 1
  node --input-type=module -e '
    import fs from "node:fs";
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
    const glibc = Boolean(process.report?.getReport?.().header?.glibcVersionRuntime);
    const libc = process.platform === "linux" ? (glibc ? "glibc" : "musl") : undefined;
    const fits = (e) => (!e.os || e.os.includes(process.platform)) && (!e.cpu || e.cpu.includes(process.arch))
      && (!e.libc || !libc || e.libc.includes(libc));
    const same = (a, b) => a.version === b.version && a.integrity === b.integrity;
    for (const [k, e] of Object.entries(lock)) {
      if (k === "" || !k.startsWith("node_modules/")) continue;
      const wanted = !e.optional || fits(e);
      if (wanted && !(have[k] && same(have[k], e))) process.exit(1);
      if (!wanted && have[k] && !same(have[k], e)) process.exit(1);
      if (wanted && !fs.existsSync(k)) process.exit(1);
    }
    for (const k of Object.keys(have)) if (!lock[k]) process.exit(1);
  '
}

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
