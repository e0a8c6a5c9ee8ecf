#!/usr/bin/env bash
# Local AWS test bed: kinesalite (Kinesis), dynalite (DynamoDB) and s3rver (S3) from the committed
# package-lock.json, each in its own node process bound to 127.0.0.1 on a free port.
#
#   tests/awsbed/bed.sh start DIR        start; returns once all three answer (DIR/bed.json written)
#   tests/awsbed/bed.sh env DIR          print `export ...` lines: eval "$(tests/awsbed/bed.sh env DIR)"
#   tests/awsbed/bed.sh stop DIR         SIGTERM the PIDs in DIR/pids, wait for them to exit
#   tests/awsbed/bed.sh status DIR       exit 0 if every emulator of DIR is alive
#   tests/awsbed/bed.sh run DIR -- CMD…  start, run CMD with the env exported, stop (even on failure)
#   tests/awsbed/bed.sh --install-only   just bring node_modules up to date
#
# Needs node >= 20 and npm; installs the pinned emulators from package-lock.json (npm registry only,
# no install scripts) when node_modules is missing or does not match the lockfile. DIR holds the
# emulators' logs (<service>.log), s3rver's objects (s3/, removed by stop) and the files above.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# node_modules is up to date when it matches package-lock.json (scripts/npm-deps-current.mjs).
deps_current() { node "$here/../../scripts/npm-deps-current.mjs"; }

install_deps() {
  ( cd "$here"
    if ! deps_current; then
      echo "bed.sh: installing emulators (npm ci)" >&2
      npm ci --no-audit --no-fund --ignore-scripts >&2
    fi )
}

# Absolute, existing DIR (created if needed).
resolve_dir() {
  [[ -n "${1:-}" ]] || usage
  mkdir -p "$1"
  (cd "$1" && pwd -P)
}

# PID is one of this bed's emulators: alive and running emulator.mjs with --dir DIR (guards
# against signalling a recycled PID).
is_bed_pid() {
  local pid="$1" dir="$2" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$here/emulator.mjs "*" --dir $dir "* ]]
}

cmd_start() {
  local dir; dir="$(resolve_dir "${1:-}")"
  install_deps
  if [[ -f "$dir/bed.json" ]]; then
    if cmd_status "$dir" 2>/dev/null; then
      echo "bed.sh: a bed is already running in $dir" >&2; return 1
    fi
    echo "bed.sh: removing stale state of a dead bed in $dir" >&2
    cmd_stop "$dir"
  fi
  # bed.mjs returns after all three emulators announced their ports and bed.json is written.
  node "$here/bed.mjs" "$dir" >/dev/null
  echo "$dir/bed.json"
}

cmd_status() {
  local dir; dir="$(resolve_dir "${1:-}")"
  [[ -f "$dir/bed.json" && -f "$dir/pids" ]] || { echo "bed.sh: no bed in $dir" >&2; return 1; }
  local pid ok=0
  while read -r pid; do
    is_bed_pid "$pid" "$dir" || { echo "bed.sh: emulator $pid of $dir is not running" >&2; ok=1; }
  done <"$dir/pids"
  return $ok
}

# Wait until PID has exited (polling every 50 ms, at most N times); 1 if it is still running.
# A zombie counts as exited: the emulators are reparented to PID 1 when bed.mjs exits, and some
# init processes reap only about once a second.
wait_gone() {
  local pid="$1" n="$2" stat
  while stat="$(cat "/proc/$pid/stat" 2>/dev/null)"; do
    stat="${stat##*) }"
    [[ "${stat%% *}" == Z ]] && return 0
    (( n-- > 0 )) || return 1
    sleep 0.05
  done
}

cmd_stop() {
  local dir; dir="$(resolve_dir "${1:-}")"
  local pid pids=()
  if [[ -f "$dir/pids" ]]; then
    while read -r pid; do
      is_bed_pid "$pid" "$dir" && pids+=("$pid")
    done <"$dir/pids"
  fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    if ! wait_gone "$pid" 200; then
      echo "bed.sh: emulator $pid did not exit within 10 s of SIGTERM, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 100 || echo "bed.sh: emulator $pid is still there" >&2
    fi
  done
  rm -f "$dir/bed.json" "$dir/bed.env" "$dir/pids"
  rm -rf "$dir/s3"
}

cmd_env() {
  local dir; dir="$(resolve_dir "${1:-}")"
  [[ -f "$dir/bed.env" ]] || { echo "bed.sh: no bed in $dir (bed.sh start $dir)" >&2; return 1; }
  local line
  while IFS= read -r line; do
    printf 'export %s=%q\n' "${line%%=*}" "${line#*=}"
  done <"$dir/bed.env"
}

run_dir=""
cmd_run() {
  run_dir="${1:-}"; shift || true
  [[ "${1:-}" == "--" ]] && shift
  [[ -n "$run_dir" && $# -gt 0 ]] || usage
  run_dir="$(resolve_dir "$run_dir")"
  cmd_start "$run_dir" >/dev/null
  trap 'cmd_stop "$run_dir"' EXIT
  eval "$(cmd_env "$run_dir")"
  local rc=0
  "$@" || rc=$?
  return $rc
}

case "${1:-}" in
  --install-only) install_deps ;;
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  status) cmd_status "${2:-}" ;;
  env) cmd_env "${2:-}" ;;
  run) shift; cmd_run "$@" ;;
  *) usage ;;
esac
