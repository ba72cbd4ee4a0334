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
# Identity: the viewers sign in as BENCH_LOGIN says: `viewer` (default: a viewer account,
# POST /api/v1/session once per viewer, DELETE when the run ends), `journey` (that
# account, a login at the start of every journey and a logout at its end: one scrypt per
# journey on the api) or `token` (a viewer API token, no login). Media go with the playback tokens of the
# playback API, renewed while playing. wrk has no api to ask: it replays the same paths
# under /media/ with a service token (`platform service-token`), which the edge checks
# with the same HMAC work as a playback token.
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
LOGIN="${BENCH_LOGIN:-viewer}"
FAIL_IF="${BENCH_FAIL_IF:-}"  # e.g. 'p95_start_ms>2000,error_rate>0.01': the row records the exit status (99: failed)
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
for _ in $(seq 1 100); do [[ -s "$WORK/data/secrets/local-admin.token" ]] && break; sleep 0.2; done
ADMIN="Authorization: Bearer $(cat "$WORK/data/secrets/local-admin.token")"
SERVICE="Authorization: Bearer $("$PLATFORM" service-token --ttl 86400 --data-dir "$WORK/data")"
for _ in $(seq 1 100); do
  curl -fs -H "$ADMIN" -X POST "$API/api/v1/titles/$TITLE/playback" 2>/dev/null | grep -q '"kind":"edge"' && break
  sleep 0.2
done
curl -fs -H "$ADMIN" -X POST "$API/api/v1/titles/$TITLE/playback" | grep -q '"kind":"edge"' || { log "the api does not steer to the edge"; exit 1; }
# The viewers' credentials (passwords and tokens stay in $WORK, mode 0600).
(umask 077; head -c 24 /dev/urandom | base64 >"$WORK/viewer.pw")
"$PLATFORM" user add loadviewer --role viewer --password-file "$WORK/viewer.pw" --data-dir "$WORK/data" >/dev/null
case "$LOGIN" in
  token) (umask 077; "$PLATFORM" token create --name load --role viewer --data-dir "$WORK/data" >"$WORK/viewer.token")
         CREDENTIALS=(--player-token="$(cat "$WORK/viewer.token")") ;;
  journey|viewer) CREDENTIALS=(--player-user=loadviewer --player-password-file="$WORK/viewer.pw" --player-login="$LOGIN") ;;
  *) log "BENCH_LOGIN must be journey, viewer or token"; exit 2 ;;
esac
# Warm the edge: every object once (the runs measure serving, not filling).
curl -fs -H "$SERVICE" "$EDGE/media/$TITLE/manifest.mpd" >/dev/null
for f in $(cd "$WORK/data/media/$TITLE" && find video audio -type f); do curl -fs -H "$SERVICE" -o /dev/null "$EDGE/media/$TITLE/$f"; done

json="["
for n in $SESSIONS; do
  : >"$WORK/access.log"
  log "$n viewers for ${DURATION} s (ramp ${RAMP} s, mean watch ${WATCH} s, login: $LOGIN)"
  /usr/bin/time -f '%U %S %M' -o "$WORK/time-$n" "$PLATFORM" --role=player --headless --data-dir="$WORK/player" --access-log= \
    --control="http://127.0.0.1:$((BASE + 3))" --heartbeat-interval=5 --player-target="$API" --player-sessions="$n" \
    --player-duration="$DURATION" --player-ramp="$RAMP" --player-watch="$WATCH" "${CREDENTIALS[@]}" --cluster-key-file="$WORK/data/secrets/cluster.key" ${FAIL_IF:+--player-fail-if="$FAIL_IF"} \
    >"$WORK/summary-$n.json" 2>"$WORK/player-$n.log" && status=0 || status=$?
  read -r user sys rss < <(tail -n 1 "$WORK/time-$n")  # GNU time puts "Command exited with non-zero status" first
  grep -c '"role":"edge"' "$WORK/access.log" >"$WORK/edge-requests-$n" || true
  # The access log blanks playback tokens (/m/-/…): wrk asks for the same objects under /media/.
  sed -n 's/.*"role":"edge","method":"GET","path":"\([^"]*\)".*/\1/p' "$WORK/access.log" | sed 's|^/m/[^/]*/|/media/|' >"$WORK/paths-$n.txt"
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const [n, user, sys, rss, edgeRequests, duration, status] = process.argv.slice(2).map(Number);
    const cpu = user + sys;
    const row = { sessions: n, exit_status: status, passed: s.passed, login: s.login, journeys: s.journeys, failed: s.journeys_failed, error_rate: s.error_rate, errors: s.errors,
      peak_watching: s.peak_watching, logins: s.logins, logouts: s.logouts, login_p50_ms: s.login_ms.p50, login_p95_ms: s.login_ms.p95,
      login_p99_ms: s.login_ms.p99, token_renewals: s.token_renewals, token_renewal_failures: s.token_renewal_failures,
      start_p50_ms: s.start_ms.p50, start_p95_ms: s.start_ms.p95, rebuffer_ratio: s.rebuffer_ratio, segment_p95_ms: s.segment_ms.p95,
      mbit_per_s: s.mbit_per_s, edge_requests_per_s: +(edgeRequests / duration).toFixed(1), player_cpu_s: +cpu.toFixed(1),
      player_cpu_percent: +(100 * cpu / duration).toFixed(1), player_max_rss_mb: Math.round(rss / 1024) };
    console.log(JSON.stringify(row));' "$WORK/summary-$n.json" "$n" "$user" "$sys" "$rss" "$(cat "$WORK/edge-requests-$n")" "$DURATION" "$status" \
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
wrk -t2 -c"$last" -d"${DURATION}s" --latency -H "$SERVICE" -s "$WORK/replay.lua" "$EDGE/" >"$WORK/wrk.txt" 2>&1 || true
cat "$WORK/wrk.txt" >&2
rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/wrk.txt")
tps=$(sed -n 's/^Transfer\/sec: *\([0-9.]*[KMG]*B\).*/\1/p' "$WORK/wrk.txt")
p50=$(awk '$1 == "50%" { print $2 }' "$WORK/wrk.txt")
p99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk.txt")
mkdir -p "$(dirname "$OUT")"
printf '{"duration_s":%s,"ramp_s":%s,"watch_s":%s,"login":"%s","runs":%s,"wrk":{"connections":%s,"requests_per_s":%s,"transfer_per_s":"%s","p50":"%s","p99":"%s"}}\n' \
  "$DURATION" "$RAMP" "$WATCH" "$LOGIN" "$json" "$last" "${rps:-0}" "$tps" "$p50" "$p99" >"$OUT"
log "written: $OUT"
