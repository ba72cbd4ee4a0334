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
                          When the catalogue is empty a demo title is generated
                          and ingested (REELSTACK_DEMO=0 turns that off). Once
                          the api answers it prints where and how to sign in
                          (the first start's admin password).
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

# The api URL of platform process `pid` once its endpoints.json says so (up to 30 s),
# or nothing if the process ends or has no api.
api_url() {
  local endpoints="$1/run/endpoints.json" pid="$2"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || return 0
    if [[ -f "$endpoints" ]] && grep -q "\"pid\": *$pid\b" "$endpoints"; then
      sed -n 's/.*"api": *"\([^"]*\)".*/\1/p' "$endpoints"
      return 0
    fi
    sleep 0.2
  done
}

# When the catalogue is empty, upload a generated clip so the UI has a title to play
# (REELSTACK_DEMO=0 turns this off). Runs beside the platform; never fails the run.
seed_demo() {
  local data_dir="$1" pid="$2" clip="$1/demo/reelstack-demo.mp4" api
  api="$(api_url "$data_dir" "$pid")"
  [[ -n "$api" ]] || { log "demo: no api listener found in $data_dir/run/endpoints.json; not seeding a demo title"; return 0; }
  if [[ ! -s "$clip" ]]; then
    mkdir -p "$(dirname "$clip")"
    # 30 s of 720p test pattern with a moving overlay and a tone: enough motion for
    # the ladder and the quality scores to mean something, small enough for 2 cores.
    ffmpeg -hide_banner -loglevel error -y \
      -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=30" \
      -f lavfi -i "mandelbrot=size=320x180:rate=30" \
      -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=30" \
      -filter_complex "[0:v][1:v]overlay=x='(W-w)*abs(sin(t/3))':y='(H-h)*abs(cos(t/4))':shortest=1[v]" \
      -map "[v]" -map 2:a -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -b:a 192k \
      -movflags +faststart -f mp4 "$clip.part" && mv "$clip.part" "$clip" ||
      { log "demo: ffmpeg could not make the demo clip"; return 0; }
  fi
  # --data-dir: the CLI signs in with the stack's local admin token.
  "$PLATFORM_BIN" ingest "$clip" --title "ReelStack demo" --api "$api" --data-dir "$data_dir" --if-catalogue-empty --wait \
    >"$data_dir/demo/ingest.json" 2>"$data_dir/demo/ingest.log" &&
    log "demo: title $(sed -n 's/.*"titleId":"\([^"]*\)".*/\1/p' "$data_dir/demo/ingest.json") is ready" ||
    log "demo: seeding the demo title failed (see $data_dir/demo/ingest.log)"
}

# Once the api answers: where to go and how to sign in. The first start generated the
# admin's password into <data-dir>/run/admin-password (0600); it is shown here, on the
# terminal of whoever started the stack, and nowhere else.
print_login() {
  local data_dir="$1" pid="$2" pwfile="$1/run/admin-password" api
  api="$(api_url "$data_dir" "$pid")"
  [[ -n "$api" ]] || return 0
  if [[ -r "$pwfile" ]]; then
    log "sign in at $api/ as admin, password: $(cat "$pwfile")   (from $pwfile; change it on the admin page)"
  else
    log "sign in at $api/ with your account (the first-run password was changed; reset it with: platform user passwd admin --data-dir $data_dir)"
  fi
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
    "$PLATFORM_BIN" --role=all --data-dir "$data_dir" "$@" &
    platform_pid=$!
    # The platform is the main job: signals go to it, and its status is ours.
    trap 'kill -TERM "$platform_pid" 2>/dev/null' INT TERM
    print_login "$data_dir" "$platform_pid" &
    seed_pid=""
    if [[ "${REELSTACK_DEMO:-1}" != 0 ]]; then
      seed_demo "$data_dir" "$platform_pid" &
      seed_pid=$!
    fi
    status=0
    while true; do
      wait "$platform_pid" && status=0 || status=$?
      # A trapped signal interrupts wait (status > 128) while the platform shuts down.
      kill -0 "$platform_pid" 2>/dev/null || break
    done
    [[ -z "$seed_pid" ]] || kill "$seed_pid" 2>/dev/null || true
    exit "$status"
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
