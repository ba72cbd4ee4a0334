#!/usr/bin/env bash
# The load generator: how many simulated viewers one `platform --role=player` process
# sustains against a local stack (control, origin, edge and api in one process, the ABR
# benchmark title in the catalogue), and `wrk` replaying the same request sequence.
#
# For each of BENCH_SESSIONS (100 250 500 1000) viewers: one run of BENCH_SECONDS (60,
# ramp BENCH_RAMP 10) with the player's CPU time and peak memory (/usr/bin/time), its
# JSON summary (journeys, start-time percentiles, rebuffer ratio, errors) and the edge's
# access log. Then `wrk -t2 -cN` for the same length replays, round robin, exactly the
# paths the player asked the edge for in the largest run.
#
# What each measures: wrk is a closed loop of back-to-back requests: the edge's maximum
# rate for this request mix, with no pacing, no ABR, no API calls. The load generator is
# viewers: each downloads only while its buffer has room, so its request rate is what N
# viewers need, and it reports their QoE (start time, stalls) — the question is whether
# the viewers stay healthy, and at what CPU cost for the generator itself.
# Results in build/bench/player-load.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PLATFORM="${PLATFORM:-$ROOT/build/release/app/platform}"
TITLE_DIR="${BENCH_ABR_TITLE_DIR:-$ROOT/build/bench/abr-title}"
SESSIONS="${BENCH_SESSIONS:-100 250 500 1000}"
DURATION="${BENCH_SECONDS:-60}"
RAMP="${BENCH_RAMP:-10}"
WATCH="${BENCH_WATCH:-40}"
BASE="${BENCH_PORT_BASE:-18400}"
OUT="${BENCH_OUT:-$ROOT/build/bench/player-load.json}"
WORK="$(mktemp -d /tmp/reelstack-player-load.XXXXXX)"
log() { printf 'player-load: %s\n' "$*" >&2; }

[[ -f "$TITLE_DIR/title-id" ]] || "$ROOT/tests/bench/tools/make-abr-title.sh" "$TITLE_DIR"
TITLE="$(cat "$TITLE_DIR/title-id")"
mkdir -p "$WORK/data/media"
cp -r "$TITLE_DIR/data/control" "$WORK/data/control"
cp -rl "$TITLE_DIR/data/media/$TITLE" "$WORK/data/media/$TITLE"

"$PLATFORM" --role=control,origin,edge,api --headless --data-dir="$WORK/data" --access-log="$WORK/access.log" \
  --api-listen=127.0.0.1:$BASE --origin-listen=127.0.0.1:$((BASE + 1)) --edge-listen=127.0.0.1:$((BASE + 2)) \
  --control-listen=127.0.0.1:$((BASE + 3)) --heartbeat-interval=1 --edge-capacity=100000 2>"$WORK/stack.log" &
STACK=$!
trap 'kill -TERM $STACK 2>/dev/null || true; wait $STACK 2>/dev/null || true; [[ -n "${BENCH_KEEP_TMP:-}" ]] || rm -rf "$WORK"' EXIT
API="http://127.0.0.1:$BASE"
EDGE="http://127.0.0.1:$((BASE + 2))"
for _ in $(seq 1 100); do
  curl -fs -X POST "$API/api/v1/titles/$TITLE/playback" 2>/dev/null | grep -q '"kind":"edge"' && break
  sleep 0.2
done
curl -fs -X POST "$API/api/v1/titles/$TITLE/playback" | grep -q '"kind":"edge"' || { log "the api does not steer to the edge"; exit 1; }
# Warm the edge: every object once (the runs measure serving, not filling).
curl -fs "$EDGE/media/$TITLE/manifest.mpd" >/dev/null
for f in $(cd "$WORK/data/media/$TITLE" && find video audio -type f); do curl -fs -o /dev/null "$EDGE/media/$TITLE/$f"; done

json="["
for n in $SESSIONS; do
  : >"$WORK/access.log"
  log "$n viewers for ${DURATION} s (ramp ${RAMP} s, mean watch ${WATCH} s)"
  /usr/bin/time -f '%U %S %M' -o "$WORK/time-$n" "$PLATFORM" --role=player --headless --data-dir="$WORK/player" --access-log= \
    --control="http://127.0.0.1:$((BASE + 3))" --heartbeat-interval=5 --player-target="$API" --player-sessions="$n" \
    --player-duration="$DURATION" --player-ramp="$RAMP" --player-watch="$WATCH" >"$WORK/summary-$n.json" 2>"$WORK/player-$n.log" || true
  read -r user sys rss <"$WORK/time-$n"
  grep -c '"role":"edge"' "$WORK/access.log" >"$WORK/edge-requests-$n" || true
  sed -n 's/.*"role":"edge","method":"GET","path":"\([^"]*\)".*/\1/p' "$WORK/access.log" >"$WORK/paths-$n.txt"
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const [n, user, sys, rss, edgeRequests, duration] = process.argv.slice(2).map(Number);
    const cpu = user + sys;
    const row = { sessions: n, journeys: s.journeys, failed: s.journeys_failed, error_rate: s.error_rate, peak_watching: s.peak_watching,
      start_p50_ms: s.start_ms.p50, start_p95_ms: s.start_ms.p95, rebuffer_ratio: s.rebuffer_ratio, segment_p95_ms: s.segment_ms.p95,
      mbit_per_s: s.mbit_per_s, edge_requests_per_s: +(edgeRequests / duration).toFixed(1), player_cpu_s: +cpu.toFixed(1),
      player_cpu_percent: +(100 * cpu / duration).toFixed(1), player_max_rss_mb: Math.round(rss / 1024) };
    console.log(JSON.stringify(row));' "$WORK/summary-$n.json" "$n" "$user" "$sys" "$rss" "$(cat "$WORK/edge-requests-$n")" "$DURATION" \
    >"$WORK/row-$n.json" || { log "no summary for $n viewers: $(tail -3 "$WORK/player-$n.log")"; continue; }
  cat "$WORK/row-$n.json" >&2
  json+="$(cat "$WORK/row-$n.json"),"
  last=$n
done
json="${json%,}]"

# wrk replays the largest run's request sequence, round robin.
paths="$WORK/paths-${last:?no run produced a summary}.txt"
{
  echo 'local paths = {'
  sed 's/.*/  "&",/' "$paths"
  echo '}'
  cat <<'EOF'
local reqs, i = {}, 0
function init(args)
  for _, p in ipairs(paths) do reqs[#reqs + 1] = wrk.format("GET", p) end
  i = math.random(#reqs)
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
EOF
} >"$WORK/replay.lua"
log "wrk -t2 -c$last -d${DURATION}s replaying $(wc -l <"$paths") requests of the $last-viewer run"
wrk -t2 -c"$last" -d"${DURATION}s" --latency -s "$WORK/replay.lua" "$EDGE/" >"$WORK/wrk.txt" 2>&1 || true
cat "$WORK/wrk.txt" >&2
rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/wrk.txt")
tps=$(sed -n 's/^Transfer\/sec: *\([0-9.]*[KMG]*B\).*/\1/p' "$WORK/wrk.txt")
p50=$(awk '$1 == "50%" { print $2 }' "$WORK/wrk.txt")
p99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk.txt")
mkdir -p "$(dirname "$OUT")"
printf '{"duration_s":%s,"ramp_s":%s,"watch_s":%s,"runs":%s,"wrk":{"connections":%s,"requests_per_s":%s,"transfer_per_s":"%s","p50":"%s","p99":"%s"}}\n' \
  "$DURATION" "$RAMP" "$WATCH" "$json" "$last" "${rps:-0}" "$tps" "$p50" "$p99" >"$OUT"
log "written: $OUT"
