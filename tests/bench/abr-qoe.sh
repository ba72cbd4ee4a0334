#!/usr/bin/env bash
# QoE of our ABR engine against dash.js's and Shaka Player's defaults on the same
# network: each bundled trace (data/traces/training and held-out) drives a shaping
# proxy (tools/shaping-proxy.mjs: one shared bottleneck, an RTT per request) in front
# of an origin serving a Pensieve-like title (6 rungs, 0.3–4.3 Mbit/s, 4 s segments,
# 2 minutes; tools/make-abr-title.sh), and the three players play it one after the
# other, each through a fresh proxy whose trace starts with it. Results per trace and
# per set in build/bench/abr-qoe.json; see README.md ("abr-qoe").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PLATFORM="${PLATFORM:-$ROOT/build/release/app/platform}"
SECONDS_PLAYED="${BENCH_SECONDS:-80}"
RTT_MS="${BENCH_RTT_MS:-80}"
PLAYERS="${BENCH_PLAYERS:-ours dashjs shaka}"
SETS="${BENCH_SETS:-training held-out}"
PORT="${BENCH_PORT:-18290}"
TITLE_DIR="${BENCH_ABR_TITLE_DIR:-$ROOT/build/bench/abr-title}"
OUT="${BENCH_OUT:-$ROOT/build/bench/abr-qoe.json}"
RUNS="$(mktemp -d /tmp/reelstack-abr-qoe.XXXXXX)"

log() { printf 'abr-qoe: %s\n' "$*" >&2; }
[[ -x "$PLATFORM" ]] || { log "no platform binary at $PLATFORM (build first, or set PLATFORM)"; exit 1; }
if [[ ! -f "$TITLE_DIR/title-id" ]]; then
  log "no benchmark title in $TITLE_DIR; making it (a few minutes, once)"
  "$ROOT/tests/bench/tools/make-abr-title.sh" "$TITLE_DIR"
fi
TITLE="$(cat "$TITLE_DIR/title-id")"

# The origin serves the title's directory as it is. It has no control to learn public
# titles from and the players get plain /media/ URLs, so its media check is off
# (--media-auth=off, docs/security.md): a loopback origin private to this benchmark.
"$PLATFORM" --role=origin --headless --data-dir="$TITLE_DIR/data" --origin-listen=127.0.0.1:"$PORT" \
  --control=http://127.0.0.1:9 --heartbeat-interval=3600 --media-auth=off --access-log= 2>"$RUNS/origin.log" &
ORIGIN_PID=$!
cleanup() {
  kill -TERM "$ORIGIN_PID" 2>/dev/null || true
  wait "$ORIGIN_PID" 2>/dev/null || true
  [[ -n "${BENCH_KEEP_TMP:-}" ]] || rm -rf "$RUNS"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/media/$TITLE/manifest.mpd" >/dev/null || { log "the origin does not serve $TITLE"; exit 1; }

log "title $TITLE, ${SECONDS_PLAYED} s each, rtt ${RTT_MS} ms, players: $PLAYERS"
for set in $SETS; do
  for trace in "$ROOT"/data/traces/"$set"/*.tsv; do
    name="$(basename "$trace" .tsv)"
    for player in $PLAYERS; do
      node "$ROOT/tests/bench/tools/abr-run.mjs" --player "$player" --origin "http://127.0.0.1:$PORT" --title "$TITLE" \
        --trace "$trace" --rtt-ms "$RTT_MS" --seconds "$SECONDS_PLAYED" --platform "$PLATFORM" \
        --out "$RUNS/$set--$name--$player.json"
    done
  done
done
mkdir -p "$(dirname "$OUT")"
node "$ROOT/tests/bench/tools/abr-summary.mjs" "$RUNS" "$OUT"
