#!/usr/bin/env bash
# Simulation speed: simulated 10-minute sessions per second on one core, per ABR
# algorithm. The 10-minute title is the ABR benchmark title (tools/make-abr-title.sh)
# looped five times (tools/loop-title.mjs: 150 segments per rung, the segment files
# hard links to the 2-minute title's, so every size is a real encoded segment's).
# Results in build/bench/sim-speed.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PLATFORM="${PLATFORM:-$ROOT/build/release/app/platform}"
TITLE_DIR="${BENCH_ABR_TITLE_DIR:-$ROOT/build/bench/abr-title}"
REPEAT="${BENCH_REPEAT:-2000}"
TRACES="${BENCH_TRACES:-hsdpa-ferry fcc-amazon}"
OUT="${BENCH_OUT:-$ROOT/build/bench/sim-speed.json}"
WORK="$(mktemp -d /tmp/reelstack-sim-speed.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
log() { printf 'sim-speed: %s\n' "$*" >&2; }

[[ -f "$TITLE_DIR/title-id" ]] || "$ROOT/tests/bench/tools/make-abr-title.sh" "$TITLE_DIR"
SRC="$TITLE_DIR/data/media/$(cat "$TITLE_DIR/title-id")"
node "$ROOT/tests/bench/tools/loop-title.mjs" "$SRC" "$WORK/title" 5
segments=$(ls "$WORK/title/video/240p" | grep -c '^seg-')
results="["
for trace in $TRACES; do
  log "trace $trace, $REPEAT sessions per algorithm (taskset: one core)"
  err="$WORK/$trace.err"
  taskset -c 0 "$PLATFORM" simulate --manifest "$WORK/title/manifest.mpd" --trace "$trace" --abr all --repeat "$REPEAT" >"$WORK/$trace.out" 2>"$err"
  cat "$WORK/$trace.out" >&2
  while read -r line; do
    abr=$(sed -E 's/^platform simulate: ([a-z]+):.*/\1/' <<<"$line")
    rate=$(sed -E 's/.* = ([0-9]+) sessions\/s.*/\1/' <<<"$line")
    cpu=$(sed -E 's/.* ([0-9]+) per CPU second.*/\1/' <<<"$line")
    events=$(sed -E 's/.*\(([0-9]+) events each\).*/\1/' <<<"$line")
    printf '%-10s %-12s %8s sessions/s wall, %8s per CPU second  (%s events per session)\n' "$abr" "$trace" "$rate" "$cpu" "$events"
    results+="{\"trace\":\"$trace\",\"abr\":\"$abr\",\"sessions_per_s\":$rate,\"sessions_per_cpu_s\":$cpu,\"events_per_session\":$events},"
  done < <(grep 'sessions/s' "$err")
done
results="${results%,}]"
mkdir -p "$(dirname "$OUT")"
printf '{"title_minutes":10,"segments_per_rung":%d,"repeat":%d,"results":%s}\n' "$segments" "$REPEAT" "$results" >"$OUT"
log "written: $OUT"
