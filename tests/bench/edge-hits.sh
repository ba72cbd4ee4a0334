#!/usr/bin/env bash
# Cache-hit benchmark: our edge role against nginx proxy_cache and Varnish, each in front
# of the same origin (our origin role) and warmed with the same objects (1 KiB and 2 MiB
# segments), then measured with wrk on loopback. On demand only (not in CI).
# See tests/bench/README.md for the knobs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME=edge-hits
# shellcheck source=lib/edge-common.bash
source "$ROOT/tests/bench/lib/edge-common.bash"

WORKERS="${BENCH_WORKERS:-2}"
DURATION="${BENCH_SECONDS:-10}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WARMUP="${BENCH_WARMUP_SECONDS:-1}"
OBJECTS="${BENCH_OBJECTS:-16}"
TARGETS="${BENCH_TARGETS:-ours nginx varnish}"
PORT_BASE="${BENCH_PORT_BASE:-18190}"
OUT="${BENCH_OUT:-$ROOT/build/bench/edge-hits.json}"
read -r -a EDGE_FLAGS <<<"${BENCH_EDGE_FLAGS:-}"

need_whole WORKERS DURATION THREADS CONNECTIONS WARMUP OBJECTS PORT_BASE
[[ $WORKERS -ge 1 && $DURATION -ge 1 && $OBJECTS -ge 1 ]] ||
  die "BENCH_WORKERS, BENCH_SECONDS and BENCH_OBJECTS must be at least 1"
ORIGIN_PORT=$PORT_BASE
declare -A PORT=([ours]=$((PORT_BASE + 1)) [nginx]=$((PORT_BASE + 2)) [varnish]=$((PORT_BASE + 3)))
declare -A LABEL=([ours]=ReelStack [nginx]=nginx [varnish]=varnish)

servers=()
for t in $TARGETS; do
  case "$t" in
    ours | nginx) servers+=("$t") ;;
    varnish)
      if [[ -n "$(sbin_tool varnishd)" ]]; then servers+=(varnish)
      else log "varnishd not installed (Debian package varnish): skipping Varnish"; fi ;;
    *) die "BENCH_TARGETS: unknown target '$t' (use: ours nginx varnish)" ;;
  esac
done
[[ ${#servers[@]} -gt 0 ]] || die "nothing to measure (BENCH_TARGETS='$TARGETS')"

need_tool wrk "installer/setup-deps.sh installs it"
need_tool curl "installer/setup-deps.sh installs it"
[[ "${EDGE_ROLE:-edge}" == origin ]] || need_platform
CONTROL_PORT=$((PORT_BASE + 9))
need_free_port "$ORIGIN_PORT" BENCH_PORT_BASE
need_free_port "$CONTROL_PORT" BENCH_PORT_BASE
for s in "${servers[@]}"; do need_free_port "${PORT[$s]}" BENCH_PORT_BASE; done

make_tmp
LOAD_BEFORE="$(load_avg)"

# --- a public title on the origin -----------------------------------------------------
# Our edge and origin check media access (docs/security.md): the objects belong to a title
# made public in the benchmark's own control, so every server here serves them to anyone.
# tests/bench/edge-tokens.sh measures the same hits with playback tokens.
start_control "$CONTROL_PORT" "$TMP/control"
TITLE="$(public_title edge-hits)"
MEDIA_PROBE="/media/$TITLE/not-an-object"
# .m4s so the origin marks them immutable for a year, like real segments.
MEDIA="$TMP/origin/media/$TITLE"
mkdir -p "$MEDIA"
declare -A PATHS=()
for size in 1k 2m; do
  bytes=1024
  [[ $size == 2m ]] && bytes=$((2 * 1024 * 1024))
  : >"$TMP/paths-$size.txt"
  for ((i = 1; i <= OBJECTS; i++)); do
    head -c "$bytes" /dev/urandom >"$MEDIA/$size-$i.m4s"
    echo "/media/$TITLE/$size-$i.m4s" >>"$TMP/paths-$size.txt"
  done
  PATHS[$size]="$(cat "$TMP/paths-$size.txt")"
done
log "$OBJECTS objects of 1 KiB and $OBJECTS of 2 MiB in $MEDIA"

ORIGIN_LOG="$TMP/origin-access.log"
start_origin "$ORIGIN_PORT" "$TMP/origin" "$WORKERS" "$ORIGIN_LOG"

for s in "${servers[@]}"; do
  case "$s" in
    ours)
      if [[ "${EDGE_ROLE:-edge}" == origin ]]; then
        # Development stand-in: an origin serving the same files in the edge's place.
        mkdir -p "$TMP/edge"
        cp -al "$TMP/origin/media" "$TMP/edge/media"
      fi
      start_edge edge "${PORT[ours]}" "$TMP/edge" "$WORKERS" "http://$HOST:$ORIGIN_PORT" "${EDGE_FLAGS[@]}" ;;
    nginx) start_nginx_cache "${PORT[nginx]}" "$ORIGIN_PORT" "$WORKERS" off ;;
    varnish) start_varnish "${PORT[varnish]}" "$ORIGIN_PORT" "$WORKERS" 512m ;;
  esac
done

# --- correctness, then warm every cache -------------------------------------------
for s in "${servers[@]}"; do
  base="http://$HOST:${PORT[$s]}"
  for f in 1k-1 2m-1; do
    curl -fsS --max-time 10 -o "$TMP/check.bin" "$base/media/$TITLE/$f.m4s" ||
      die "${LABEL[$s]}: GET /media/$TITLE/$f.m4s failed"
    cmp -s "$TMP/check.bin" "$MEDIA/$f.m4s" || die "${LABEL[$s]}: /media/$TITLE/$f.m4s differs from the origin's file"
  done
  urls=()
  for size in 1k 2m; do
    while read -r p; do urls+=("$base$p"); done <<<"${PATHS[$size]}"
  done
  warm "${urls[@]}"
  log "${LABEL[$s]}: all $((2 * OBJECTS)) objects answer HIT"
done
rm -f "$TMP/check.bin"

# --- measurements -------------------------------------------------------------------
for size in 1k 2m; do write_rotate_lua "$TMP/paths-$size.txt" "$TMP/rotate-$size.lua"; done

declare -A RESULT=() FETCHED=()
bench_one() { # server size
  local s="$1" size="$2" before after
  before="$(count_media "$ORIGIN_LOG")"
  log "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $OBJECTS × $size objects (${LABEL[$s]})"
  RESULT[$s,$size]="$(measure_wrk "http://$HOST:${PORT[$s]}/" "$TMP/rotate-$size.lua" "$TMP/wrk-$s-$size.txt")"
  after="$(count_media "$ORIGIN_LOG")"
  FETCHED[$s,$size]=$((after - before))
}

neighbours_start
# Rotate who goes first, so nobody always gets the cooler machine.
n=${#servers[@]}
k=0
for size in 1k 2m; do
  for ((j = 0; j < n; j++)); do bench_one "${servers[$(((j + k) % n))]}" "$size"; done
  k=$((k + 1))
done
LOAD_AFTER="$(load_avg)"
neighbours_stop
NEIGHBOURS="$(neighbours_summary)"

# --- report -------------------------------------------------------------------------
field() { # FIELD server size -> number or "" (1 rps, 2 bytes/s, 3 p50, 4 p99, 5 errors, 6 non-2xx, 7 requests)
  local v="${RESULT[$2,$3]:-}"
  [[ -n "$v" ]] || return 0
  awk -v f="$1" '{ print $f }' <<<"$v"
}
gbit() { [[ -n "$1" ]] && awk -v b="$1" 'BEGIN { printf "%.3f", b * 8 / 1e9 }'; return 0; }
metric() { # name server size -> value
  case "$1" in
    rps) field 1 "$2" "$3" ;;
    gbit) gbit "$(field 2 "$2" "$3")" ;;
    p50) field 3 "$2" "$3" ;;
    p99) field 4 "$2" "$3" ;;
  esac
}
has() { [[ " ${servers[*]} " == *" $1 "* ]]; }

ROWS=("1k rps requests/s higher" "1k p50 p50-latency-(ms) lower" "1k p99 p99-latency-(ms) lower"
  "2m gbit throughput-(Gbit/s) higher" "2m rps requests/s higher" "2m p50 p50-latency-(ms) lower"
  "2m p99 p99-latency-(ms) lower")
echo
echo "Edge cache hits over loopback: ReelStack edge vs nginx ${NGINX_VERSION:-(not run)} proxy_cache vs Varnish ${VARNISH_VERSION:-(not run)}"
echo "workers: ours --workers=$WORKERS, nginx worker_processes $WORKERS, varnish thread_pools=$WORKERS (threads per connection);"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (after a ${WARMUP}s warm-up), rotating over $OBJECTS objects per size, all warmed to HIT;"
echo "upstream: our origin (--workers=$WORKERS); $(nproc)-core machine; load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo "while measuring, $NEIGHBOURS"
printf '%-6s %-20s %11s %11s %11s %11s %12s  %s\n' object metric ReelStack nginx varnish ours/nginx ours/varnish better
for row in "${ROWS[@]}"; do
  read -r size m label better <<<"$row"
  o="$(metric "$m" ours "$size")" g="$(metric "$m" nginx "$size")" v="$(metric "$m" varnish "$size")"
  name="1 KiB"
  [[ $size == 2m ]] && name="2 MiB"
  printf '%-6s %-20s %11s %11s %11s %11s %12s  %s\n' "$name" "${label//-/ }" "$(cell "$o")" "$(cell "$g")" "$(cell "$v")" \
    "$(cell "$(ratio "$o" "$g")")" "$(cell "$(ratio "$o" "$v")")" "$better"
done
echo "ratios are ours/theirs; 'better' says which direction favours ReelStack for that metric."
for key in "${!RESULT[@]}"; do
  e="$(field 5 "${key%,*}" "${key#*,}")" x="$(field 6 "${key%,*}" "${key#*,}")"
  if [[ $e -gt 0 || $x -gt 0 ]]; then
    echo "WARNING: ${LABEL[${key%,*}]} ${key#*,}: $e socket errors, $x non-2xx/3xx responses"
  fi
  if [[ ${FETCHED[$key]} -gt 0 ]]; then
    echo "WARNING: ${LABEL[${key%,*}]} ${key#*,}: the origin saw ${FETCHED[$key]} requests during the measured run (not all hits)"
  fi
done

server_json() { # server size
  if [[ -z "${RESULT[$1,$2]:-}" ]]; then printf 'null'; return; fi
  printf '{"requests_per_sec": %s, "transfer_bytes_per_sec": %s, "gbit_per_sec": %s, ' \
    "$(field 1 "$1" "$2")" "$(field 2 "$1" "$2")" "$(gbit "$(field 2 "$1" "$2")")"
  printf '"latency_p50_ms": %s, "latency_p99_ms": %s, "requests": %s, "socket_errors": %s, "non_2xx_3xx": %s, "origin_requests_during_run": %s}' \
    "$(field 3 "$1" "$2")" "$(field 4 "$1" "$2")" "$(field 7 "$1" "$2")" "$(field 5 "$1" "$2")" "$(field 6 "$1" "$2")" \
    "${FETCHED[$1,$2]}"
}
size_json() { # size bytes
  local s="$1" other
  printf '    "%s": {\n      "bytes": %s, "objects": %s,\n' "$s" "$2" "$OBJECTS"
  for t in ours nginx varnish; do printf '      "%s": %s,\n' "$t" "$(server_json "$t" "$s")"; done
  for other in nginx varnish; do
    printf '      "ours_over_%s": {"requests_per_sec": %s, "gbit_per_sec": %s, "latency_p99_ms": %s}' "$other" \
      "$(json_num "$(ratio "$(metric rps ours "$s")" "$(metric rps "$other" "$s")")")" \
      "$(json_num "$(ratio "$(metric gbit ours "$s")" "$(metric gbit "$other" "$s")")")" \
      "$(json_num "$(ratio "$(metric p99 ours "$s")" "$(metric p99 "$other" "$s")")")"
    [[ $other == nginx ]] && printf ',\n'
  done
  printf '\n    }'
}
mkdir -p "$(dirname "$OUT")"
{
  printf '{\n  "benchmark": "edge-hits",\n'
  printf '  "date": "%s",\n  "git_commit": "%s",\n  "nproc": %s,\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git_commit)" "$(nproc)"
  printf '  "load_average_before": "%s",\n  "load_average_after": "%s",\n  "neighbours": "%s",\n' "$LOAD_BEFORE" "$LOAD_AFTER" "$NEIGHBOURS"
  printf '  "config": {"workers": %s, "seconds": %s, "wrk_threads": %s, "wrk_connections": %s, "warmup_seconds": %s, "objects_per_size": %s, "nginx_version": "%s", "varnish_version": "%s", "targets": "%s", "edge_flags": "%s", "edge_role": "%s"},\n' \
    "$WORKERS" "$DURATION" "$THREADS" "$CONNECTIONS" "$WARMUP" "$OBJECTS" "$NGINX_VERSION" "$VARNISH_VERSION" \
    "${servers[*]}" "${EDGE_FLAGS[*]}" "${EDGE_ROLE:-edge}"
  printf '  "ratio_convention": "ours/theirs for every metric: > 1 is better for requests and Gbit/s, < 1 is better for latency",\n'
  printf '  "results": {\n'
  size_json 1k 1024
  printf ',\n'
  size_json 2m $((2 * 1024 * 1024))
  printf '\n  }\n}\n'
} >"$OUT"
log "results written to $OUT"
if has ours && [[ "${EDGE_ROLE:-edge}" == origin ]]; then
  log "NOTE: EDGE_ROLE=origin: 'ReelStack' was the origin role standing in for the edge"
fi
