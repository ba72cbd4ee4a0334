#!/usr/bin/env bash
# ReelStack's entry point: installs dependencies, builds, runs, tests, benchmarks.
# See `./installer/reelstack.sh --help`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PLATFORM_BIN="$ROOT/build/release/app/platform"

usage() {
  cat <<EOF
Usage: ./installer/reelstack.sh COMMAND [ARGS...]

Commands:
  run [platform args...]  Install dependencies, build, then run every role:
                            platform --role=all --data-dir DIR [platform args...]
                          DIR is \$REELSTACK_DATA_DIR or ~/.local/share/reelstack.
                          Without a display the platform runs headless.
  test [ctest args...]    Install dependencies, build, run the test suite
                          (ctest --preset release); exits with ctest's status.
  deps                    Only install the dependencies (installer/setup-deps.sh).
  build                   Install dependencies and build (build/release).
  bench [args...]         Build, then run the benchmarks (tests/bench/run-all.sh).
                          Not part of the test suite; see tests/bench/README.md.
  help, --help, -h        Show this help.

Examples:
  ./installer/reelstack.sh run
  ./installer/reelstack.sh run --role=origin,edge --log-level=debug
  ./installer/reelstack.sh test
EOF
}

log() { printf 'reelstack: %s\n' "$*" >&2; }

deps() {
  "$ROOT/installer/setup-deps.sh"
}

build() {
  deps
  cd "$ROOT"
  if [[ ! -f build/release/CMakeCache.txt ]]; then
    log "configuring (cmake --preset release)"
    cmake --preset release
  fi
  log "building (cmake --build --preset release)"
  cmake --build --preset release -j"$(nproc)"
}

cmd="${1:-}"
if [[ $# -gt 0 ]]; then shift; fi

case "$cmd" in
  run)
    # Build in a subshell so that relative paths in the platform's arguments
    # (--config ./x.conf) still mean the caller's directory.
    (build)
    data_dir="${REELSTACK_DATA_DIR:-$HOME/.local/share/reelstack}"
    mkdir -p "$data_dir"
    log "running: platform --role=all --data-dir $data_dir $*"
    exec "$PLATFORM_BIN" --role=all --data-dir "$data_dir" "$@"
    ;;
  test)
    build
    cd "$ROOT"
    exec ctest --preset release --output-on-failure --no-tests=error -j2 "$@"
    ;;
  deps)
    deps
    ;;
  build)
    build
    ;;
  bench)
    # A prebuilt binary given in $PLATFORM needs no build.
    if [[ -z "${PLATFORM:-}" ]]; then
      (build)
    else
      deps
    fi
    exec "$ROOT/tests/bench/run-all.sh" "$@"
    ;;
  help | --help | -h)
    usage
    ;;
  "")
    usage >&2
    exit 2
    ;;
  *)
    log "unknown command: $cmd"
    usage >&2
    exit 2
    ;;
esac
