#!/usr/bin/env bash
# Hit-ratio benchmark: one seeded Zipf trace over a catalogue ten times the cache's size,
# replayed one request at a time through the real edge role once per eviction policy
# (lru, sieve, s3fifo), memory tier only and (optionally) disk tier; object and byte hit
# ratios from X-Cache, and each policy's ratio to LRU. On demand only (not in CI).
# See tests/bench/README.md for the knobs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME=edge-hit-ratio
# shellcheck source=lib/edge-common.bash
source "$ROOT/tests/bench/lib/edge-common.bash"

WORKERS="${BENCH_WORKERS:-2}"
CACHE_MIB="${BENCH_CACHE_MIB:-8}"
CATALOGUE_FACTOR="${BENCH_CATALOGUE_FACTOR:-10}"
MIN_KIB="${BENCH_MIN_KIB:-16}"
MAX_KIB="${BENCH_MAX_KIB:-256}"
REQUESTS="${BENCH_REQUESTS:-20000}"
ALPHA="${BENCH_ALPHA:-0.8}"
SEED="${BENCH_SEED:-42}"
POLICIES="${BENCH_POLICIES:-lru sieve s3fifo}"
TIERS="${BENCH_TIERS:-memory disk}"
DISK_MEMORY_KIB="${BENCH_DISK_MEMORY_KIB:-1024}"
SETTLE="${BENCH_SETTLE:-1}"
# The disk tier's data dir: tmpfs by default. The hit ratio does not depend on the medium,
# and an fsync per stored object on a real disk makes a 20,000-request replay minutes long.
DISK_DIR_BASE="${BENCH_DISK_DIR:-/dev/shm}"
PORT_BASE="${BENCH_PORT_BASE:-18190}"
OUT="${BENCH_OUT:-$ROOT/build/bench/edge-hit-ratio.json}"
TOOL="$ROOT/tests/bench/tools/zipf-trace.js"

need_whole WORKERS CACHE_MIB CATALOGUE_FACTOR MIN_KIB MAX_KIB REQUESTS SEED DISK_MEMORY_KIB SETTLE PORT_BASE
[[ "$ALPHA" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "BENCH_ALPHA must be a number, not '$ALPHA'"
[[ $CACHE_MIB -ge 1 && $MIN_KIB -ge 1 && $MAX_KIB -ge $MIN_KIB && $REQUESTS -ge 1 && $CATALOGUE_FACTOR -ge 1 ]] ||
  die "need BENCH_CACHE_MIB, BENCH_MIN_KIB, BENCH_REQUESTS, BENCH_CATALOGUE_FACTOR >= 1 and BENCH_MAX_KIB >= BENCH_MIN_KIB"
for p in $POLICIES; do [[ $p == lru || $p == sieve || $p == s3fifo ]] || die "BENCH_POLICIES: unknown policy '$p'"; done
for t in $TIERS; do [[ $t == memory || $t == disk ]] || die "BENCH_TIERS: unknown tier '$t' (memory, disk)"; done
[[ " $POLICIES " == *" lru "* ]] || log "lru is not in BENCH_POLICIES: no ratios to LRU"

need_tool node "installer/setup-deps.sh installs nodejs"
need_tool curl "installer/setup-deps.sh installs it"
[[ -f "$TOOL" ]] || die "$TOOL is missing"
[[ "${EDGE_ROLE:-edge}" == origin ]] || need_platform
ORIGIN_PORT=$PORT_BASE EDGE_PORT=$((PORT_BASE + 1))
need_free_port "$ORIGIN_PORT" BENCH_PORT_BASE
need_free_port "$EDGE_PORT" BENCH_PORT_BASE
CONTROL_PORT=$((PORT_BASE + 9))
need_free_port "$CONTROL_PORT" BENCH_PORT_BASE

make_tmp
LOAD_BEFORE="$(load_avg)"
DISK_TMP="$TMP"
if [[ " $TIERS " == *" disk "* && -d "$DISK_DIR_BASE" && -w "$DISK_DIR_BASE" ]]; then
  DISK_TMP="$(mktemp -d "$DISK_DIR_BASE/reelstack-$NAME.XXXXXX")"
  EXTRA_TMP+=("$DISK_TMP")
fi
CACHE_BYTES=$((CACHE_MIB * 1024 * 1024))
DISK_MEMORY_BYTES=$((DISK_MEMORY_KIB * 1024))
# A public title in the benchmark's own control: our edge and origin check media access.
start_control "$CONTROL_PORT" "$TMP/control"
TITLE="$(public_title edge-hit-ratio)"
MEDIA_PROBE="/media/$TITLE/not-in-the-trace"
node "$TOOL" generate --dir "$TMP/origin/media/$TITLE" --prefix "/media/$TITLE" \
  --total-bytes $((CACHE_BYTES * CATALOGUE_FACTOR)) --min-bytes $((MIN_KIB * 1024)) --max-bytes $((MAX_KIB * 1024)) \
  --requests "$REQUESTS" --alpha "$ALPHA" --seed "$SEED" --cache-bytes "$CACHE_BYTES" --out "$TMP/trace.json" >"$TMP/generate.json" ||
  die "could not generate the catalogue and trace"
GEN="$(cat "$TMP/generate.json")"
jget() { # json-text key.path -> value
  [[ -n "$1" ]] || return 0
  node -e 'let v = JSON.parse(process.argv[1]);
    for (const k of process.argv[2].split(".")) v = v == null ? undefined : v[k];
    if (v !== undefined && v !== null) process.stdout.write(typeof v === "object" ? JSON.stringify(v) : String(v));' "$1" "$2"
}
N_OBJECTS="$(jget "$GEN" objects)"
log "catalogue: $N_OBJECTS objects, $(jget "$GEN" totalBytes) bytes ($CATALOGUE_FACTOR × the $CACHE_MIB MiB cache);" \
  "trace: $REQUESTS requests, Zipf α=$ALPHA, seed $SEED, $(jget "$GEN" ceiling.distinct) distinct objects"

ORIGIN_LOG="$TMP/origin-access.log"
start_origin "$ORIGIN_PORT" "$TMP/origin" "$WORKERS" "$ORIGIN_LOG"

declare -A RES=() STATS=() FETCHES=()
run_one() { # tier policy
  local tier="$1" policy="$2" dir="$TMP/edge-$1-$2" flags settle=() before after
  [[ $tier == memory ]] || dir="$DISK_TMP/edge-$1-$2"
  if [[ $tier == memory ]]; then
    flags=(--edge-policy="$policy" --edge-memory-max="$CACHE_BYTES" --edge-disk-max=0)
  else
    flags=(--edge-policy="$policy" --edge-memory-max="$DISK_MEMORY_BYTES" --edge-disk-max="$CACHE_BYTES" --edge-admission=always)
    [[ $SETTLE == 0 || "${EDGE_ROLE:-edge}" == origin ]] || settle=(--settle-dir "$dir/edge/cache")
  fi
  [[ "${EDGE_ROLE:-edge}" != origin ]] || { mkdir -p "$dir"; cp -al "$TMP/origin/media" "$dir/media"; }
  start_edge "edge-$tier-$policy" "$EDGE_PORT" "$dir" "$WORKERS" "http://$HOST:$ORIGIN_PORT" "${flags[@]}"
  log "replaying $REQUESTS requests through the edge: ${flags[*]}"
  before="$(count_media "$ORIGIN_LOG")"
  RES[$tier,$policy]="$(node "$TOOL" replay --host "$HOST" --port "$EDGE_PORT" --trace "$TMP/trace.json" "${settle[@]}" 2>"$TMP/replay-$tier-$policy.err")" ||
    { show_log "$TMP/replay-$tier-$policy.err"; die "replay failed ($tier, $policy)"; }
  [[ -s "$TMP/replay-$tier-$policy.err" ]] && show_log "$TMP/replay-$tier-$policy.err"
  sleep 0.2
  after="$(count_media "$ORIGIN_LOG")"
  FETCHES[$tier,$policy]=$((after - before))
  STATS[$tier,$policy]="$(service_curl -fsS --max-time 5 "http://$HOST:$EDGE_PORT/edge/v1/stats" 2>/dev/null || echo '{}')"
  stop_named "edge-$tier-$policy"
  rm -rf "$dir"
}

neighbours_start
for tier in $TIERS; do
  for policy in $POLICIES; do run_one "$tier" "$policy"; done
done
LOAD_AFTER="$(load_avg)"
neighbours_stop
NEIGHBOURS="$(neighbours_summary)"

# --- report -------------------------------------------------------------------------
val() { jget "${RES[$1,$2]:-}" "$3"; }
f3() { [[ -n "$1" ]] && awk -v x="$1" 'BEGIN { printf "%.4f", x }'; return 0; }
echo
echo "Edge hit ratio: Zipf α=$ALPHA trace (seed $SEED, $REQUESTS requests, one at a time) over $N_OBJECTS objects of"
echo "$MIN_KIB–$MAX_KIB KiB, $(jget "$GEN" totalBytes) bytes in all = $CATALOGUE_FACTOR × the cache; fresh edge per run (--workers=$WORKERS)"
echo "memory: --edge-memory-max=$CACHE_BYTES --edge-disk-max=0"
echo "disk:   --edge-memory-max=$DISK_MEMORY_BYTES --edge-disk-max=$CACHE_BYTES --edge-admission=always, data dir in $(df --output=fstype "$DISK_TMP" | tail -n 1) $DISK_TMP"
if [[ $SETTLE != 0 ]]; then
  echo "        after each MISS the replay waits for the object's file on disk (BENCH_SETTLE=0: don't)"
else
  echo "        BENCH_SETTLE=0: no waiting for disk writes (objects queued for the disk writer answer HIT)"
fi
echo "ceiling (infinite cache, only first requests miss): objects $(f3 "$(jget "$GEN" ceiling.objectHitRatio)"), bytes $(f3 "$(jget "$GEN" ceiling.byteHitRatio)")"
echo "reference: an exact LRU of $CACHE_BYTES bytes simulated on the trace: objects $(f3 "$(jget "$GEN" referenceLru.objectHitRatio)"), bytes $(f3 "$(jget "$GEN" referenceLru.byteHitRatio)")"
echo "load average before: $LOAD_BEFORE, after: $LOAD_AFTER; while replaying, $NEIGHBOURS"
echo "(hit ratios do not depend on the load; only the seconds column does)"
printf '%-7s %-7s %10s %10s %9s %9s %8s %10s %8s\n' tier policy "obj hit" "byte hit" "obj/LRU" "byte/LRU" fetches "stats obj" seconds
for tier in $TIERS; do
  for policy in $POLICIES; do
    o="$(val "$tier" "$policy" objectHitRatio)" b="$(val "$tier" "$policy" byteHitRatio)"
    lo="$(val "$tier" lru objectHitRatio)" lb="$(val "$tier" lru byteHitRatio)"
    printf '%-7s %-7s %10s %10s %9s %9s %8s %10s %8s\n' "$tier" "$policy" "$(cell "$(f3 "$o")")" "$(cell "$(f3 "$b")")" \
      "$(cell "$(ratio "$o" "$lo")")" "$(cell "$(ratio "$b" "$lb")")" "${FETCHES[$tier,$policy]}" \
      "$(cell "$(f3 "$(jget "${STATS[$tier,$policy]}" objectHitRatio)")")" "$(cell "$(val "$tier" "$policy" seconds)")"
  done
done
echo "hits counted from X-Cache (HIT …); fetches = requests the origin logged during the run (≈ misses);"
echo "'stats obj' = the edge's own objectHitRatio from /edge/v1/stats, as a cross-check."
for tier in $TIERS; do
  for policy in $POLICIES; do
    w="$(val "$tier" "$policy" settle.waits)"
    [[ -z "$w" ]] || echo "$tier/$policy: hits by tier $(val "$tier" "$policy" states | tr -d '{}"');" \
      "$w MISSes waited for the disk writer, $(val "$tier" "$policy" settle.ms) ms in all, $(val "$tier" "$policy" settle.timeouts) timeouts"
  done
done
for key in "${!RES[@]}"; do
  bad="$(val "${key%,*}" "${key#*,}" bad)"
  [[ "$bad" == 0 ]] || echo "WARNING: ${key%,*}/${key#*,}: $bad answers were not 200 with the full object"
done

mkdir -p "$(dirname "$OUT")"
{
  printf '{\n  "benchmark": "edge-hit-ratio",\n'
  printf '  "date": "%s",\n  "git_commit": "%s",\n  "nproc": %s,\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git_commit)" "$(nproc)"
  printf '  "load_average_before": "%s",\n  "load_average_after": "%s",\n  "neighbours": "%s",\n' "$LOAD_BEFORE" "$LOAD_AFTER" "$NEIGHBOURS"
  printf '  "config": {"cache_bytes": %s, "catalogue_factor": %s, "min_bytes": %s, "max_bytes": %s, "requests": %s, "alpha": %s, "seed": %s, "disk_run_memory_bytes": %s, "disk_settle": %s, "disk_dir": "%s", "workers": %s, "edge_role": "%s"},\n' \
    "$CACHE_BYTES" "$CATALOGUE_FACTOR" $((MIN_KIB * 1024)) $((MAX_KIB * 1024)) "$REQUESTS" "$ALPHA" "$SEED" "$DISK_MEMORY_BYTES" \
    "$([[ $SETTLE != 0 ]] && echo true || echo false)" "$DISK_TMP" "$WORKERS" "${EDGE_ROLE:-edge}"
  printf '  "catalogue": %s,\n' "$GEN"
  printf '  "runs": ['
  sep=""
  for tier in $TIERS; do
    for policy in $POLICIES; do
      printf '%s\n    {"tier": "%s", "policy": "%s", "origin_fetches": %s, "replay": %s, "edge_stats": %s,\n' "$sep" "$tier" "$policy" \
        "${FETCHES[$tier,$policy]}" "${RES[$tier,$policy]}" "${STATS[$tier,$policy]}"
      printf '     "object_hit_ratio_vs_lru": %s, "byte_hit_ratio_vs_lru": %s}' \
        "$(json_num "$(ratio "$(val "$tier" "$policy" objectHitRatio)" "$(val "$tier" lru objectHitRatio)")")" \
        "$(json_num "$(ratio "$(val "$tier" "$policy" byteHitRatio)" "$(val "$tier" lru byteHitRatio)")")"
      sep=","
    done
  done
  printf '\n  ]\n}\n'
} >"$OUT"
log "results written to $OUT"
[[ "${EDGE_ROLE:-edge}" != origin ]] || log "NOTE: EDGE_ROLE=origin: the origin role stood in for the edge (no HITs)"
