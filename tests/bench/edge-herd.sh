#!/usr/bin/env bash
# Thundering-herd benchmark: N (default 1,000) requests sent at once for one cold 4 MiB
# object, against our edge (coalescing with read-while-writer) and nginx proxy_cache with
# proxy_cache_lock on, both in front of the same origin. Counts the upstream fetches the
# same way for both (lines for that path in the origin's access log) and reports latency
# to the first and to the last byte. On demand only (not in CI).
# See tests/bench/README.md for the knobs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME=edge-herd
# shellcheck source=lib/edge-common.bash
source "$ROOT/tests/bench/lib/edge-common.bash"

WORKERS="${BENCH_WORKERS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-1000}"
ROUNDS="${BENCH_ROUNDS:-3}"
OBJECT_MIB="${BENCH_OBJECT_MIB:-4}"
TARGETS="${BENCH_TARGETS:-ours nginx}"
PORT_BASE="${BENCH_PORT_BASE:-18190}"
OUT="${BENCH_OUT:-$ROOT/build/bench/edge-herd.json}"
read -r -a EDGE_FLAGS <<<"${BENCH_EDGE_FLAGS:-}"
CLIENT="$ROOT/tests/bench/tools/herd-client.js"

need_whole WORKERS CONNECTIONS ROUNDS OBJECT_MIB PORT_BASE
[[ $WORKERS -ge 1 && $CONNECTIONS -ge 1 && $ROUNDS -ge 1 && $OBJECT_MIB -ge 1 ]] ||
  die "BENCH_WORKERS, BENCH_CONNECTIONS, BENCH_ROUNDS and BENCH_OBJECT_MIB must be at least 1"
ORIGIN_PORT=$PORT_BASE
declare -A PORT=([ours]=$((PORT_BASE + 1)) [nginx]=$((PORT_BASE + 2)))
declare -A LABEL=([ours]=ReelStack [nginx]=nginx)
servers=()
for t in $TARGETS; do
  case "$t" in
    ours | nginx) servers+=("$t") ;;
    *) die "BENCH_TARGETS: unknown target '$t' (use: ours nginx)" ;;
  esac
done
[[ ${#servers[@]} -gt 0 ]] || die "nothing to measure (BENCH_TARGETS='$TARGETS')"

need_tool node "installer/setup-deps.sh installs nodejs"
need_tool curl "installer/setup-deps.sh installs it"
[[ -f "$CLIENT" ]] || die "$CLIENT is missing"
[[ "${EDGE_ROLE:-edge}" == origin ]] || need_platform
# Client and server ends of every connection, plus upstream sockets, in one process tree.
[[ $(ulimit -n) == unlimited || $(ulimit -n) -ge $((CONNECTIONS * 2 + 256)) ]] ||
  ulimit -n $((CONNECTIONS * 2 + 256)) 2>/dev/null ||
  die "ulimit -n is $(ulimit -n); $((CONNECTIONS * 2 + 256)) descriptors are needed"
CONTROL_PORT=$((PORT_BASE + 9))
need_free_port "$ORIGIN_PORT" BENCH_PORT_BASE
need_free_port "$CONTROL_PORT" BENCH_PORT_BASE
for s in "${servers[@]}"; do need_free_port "${PORT[$s]}" BENCH_PORT_BASE; done

make_tmp
LOAD_BEFORE="$(load_avg)"
BYTES=$((OBJECT_MIB * 1024 * 1024))
# A public title in the benchmark's own control: our edge and origin check media access.
start_control "$CONTROL_PORT" "$TMP/control"
TITLE="$(public_title edge-herd)"
MEDIA_PROBE="/media/$TITLE/not-in-the-herd"
MEDIA="$TMP/origin/media/$TITLE"
mkdir -p "$MEDIA"
# Every round and server gets its own cold object, created before anything starts.
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${servers[@]}"; do head -c "$BYTES" /dev/urandom >"$MEDIA/r$r-$s.m4s"; done
done
log "$((ROUNDS * ${#servers[@]})) cold objects of $OBJECT_MIB MiB in $MEDIA"

ORIGIN_LOG="$TMP/origin-access.log"
start_origin "$ORIGIN_PORT" "$TMP/origin" "$WORKERS" "$ORIGIN_LOG"
for s in "${servers[@]}"; do
  case "$s" in
    ours)
      [[ "${EDGE_ROLE:-edge}" != origin ]] || { mkdir -p "$TMP/edge"; cp -al "$TMP/origin/media" "$TMP/edge/media"; }
      start_edge edge "${PORT[ours]}" "$TMP/edge" "$WORKERS" "http://$HOST:$ORIGIN_PORT" "${EDGE_FLAGS[@]}" ;;
    nginx) start_nginx_cache "${PORT[nginx]}" "$ORIGIN_PORT" "$WORKERS" on ;;
  esac
done

edge_fetch_metric() { # -> sum of reelstack_edge_upstream_fetches_total over all labels, or "" without /metrics
  local m
  m="$(curl -fsS --max-time 5 "http://$HOST:${PORT[ours]}/metrics" 2>/dev/null)" || return 0
  # A labelled counter appears with its first fetch: absent means 0.
  awk '/^reelstack_edge_upstream_fetches_total/ { s += $NF } END { printf "%d", s }' <<<"$m"
}

declare -A RES=() FETCH=() METRIC=()
run_one() { # server round
  local s="$1" r="$2" path="/media/$TITLE/r$2-$1.m4s" out m0="" m1=""
  out="$TMP/herd-$s-$r.json"
  [[ $s == ours ]] && m0="$(edge_fetch_metric)"
  log "round $r: $CONNECTIONS requests at once for cold $path (${LABEL[$s]})"
  node "$CLIENT" --host "$HOST" --port "${PORT[$s]}" --path "$path" --connections "$CONNECTIONS" \
    --expect-bytes "$BYTES" --preflight /healthz --timeout-ms 120000 >"$out" 2>"$TMP/herd-$s-$r.err" ||
    { show_log "$TMP/herd-$s-$r.err"; die "the herd client failed against ${LABEL[$s]}"; }
  # The origin logs a request when it completes; give the last line a moment.
  sleep 0.5
  FETCH[$s,$r]="$(count_fetches "$ORIGIN_LOG" "$path")"
  if [[ $s == ours ]]; then
    m1="$(edge_fetch_metric)"
    [[ -n "$m0" && -n "$m1" ]] && METRIC[$r]=$((m1 - m0))
  fi
  RES[$s,$r]="$(cat "$out")"
}

neighbours_start
# Alternate who goes first in each round.
for ((r = 1; r <= ROUNDS; r++)); do
  order=("${servers[@]}")
  if ((r % 2 == 0)) && [[ ${#servers[@]} -eq 2 ]]; then order=("${servers[1]}" "${servers[0]}"); fi
  for s in "${order[@]}"; do run_one "$s" "$r"; done
done
LOAD_AFTER="$(load_avg)"
neighbours_stop
NEIGHBOURS="$(neighbours_summary)"

# --- report -------------------------------------------------------------------------
jget() { # json-text key.path -> value ("" for null/missing)
  [[ -n "$1" ]] || return 0
  node -e 'const o = JSON.parse(process.argv[1]); let v = o;
    for (const k of process.argv[2].split(".")) v = v == null ? undefined : v[k];
    if (v !== undefined && v !== null) process.stdout.write(typeof v === "object" ? JSON.stringify(v) : String(v));' "$1" "$2"
}
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%s", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
val() { jget "${RES[$1,$2]:-}" "$3"; }

echo
echo "Thundering herd: $CONNECTIONS requests sent at once for one cold $OBJECT_MIB MiB object, $ROUNDS round(s)"
echo "ReelStack edge (--workers=$WORKERS, coalescing) vs nginx ${NGINX_VERSION:-(not run)} proxy_cache (worker_processes $WORKERS,"
echo "proxy_cache_lock on, lock_timeout/lock_age 120s); same origin (our origin role, --workers=$WORKERS);"
echo "upstream fetches = lines for the object's path in the origin's access log (same method for both)"
echo "latency from each request's write to its last byte (first byte in brackets), ms; $(nproc)-core machine;"
echo "load average before: $LOAD_BEFORE, after: $LOAD_AFTER; while measuring, $NEIGHBOURS"
printf '%-5s %-9s %7s %9s %5s %-19s %-19s %-19s %8s  %-12s\n' round server fetches edge-metr ok "p50 (first byte)" "p99 (first byte)" "max (first byte)" connect "X-Cache"
declare -A P99S=() P50S=() FETCHES=()
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${servers[@]}"; do
    [[ -n "${RES[$s,$r]:-}" ]] || continue
    metric="-"
    [[ $s == ours ]] && metric="${METRIC[$r]:--}"
    printf '%-5s %-9s %7s %9s %5s %-19s %-19s %-19s %8s  %-12s\n' "$r" "${LABEL[$s]}" "${FETCH[$s,$r]}" "$metric" "$(val "$s" "$r" ok)" \
      "$(val "$s" "$r" latencyMs.p50) ($(val "$s" "$r" firstByteMs.p50))" \
      "$(val "$s" "$r" latencyMs.p99) ($(val "$s" "$r" firstByteMs.p99))" \
      "$(val "$s" "$r" latencyMs.max) ($(val "$s" "$r" firstByteMs.max))" \
      "$(val "$s" "$r" connectMs)" "$(val "$s" "$r" cache | tr -d '{}"')"
    P99S[$s]+="$(val "$s" "$r" latencyMs.p99) "
    P50S[$s]+="$(val "$s" "$r" latencyMs.p50) "
    FETCHES[$s]+="${FETCH[$s,$r]} "
  done
done
med_p99_ours="$(median <<<"${P99S[ours]:-}")" med_p99_nginx="$(median <<<"${P99S[nginx]:-}")"
med_p50_ours="$(median <<<"${P50S[ours]:-}")" med_p50_nginx="$(median <<<"${P50S[nginx]:-}")"
echo "median over rounds: p50 ours $(cell "$med_p50_ours") ms, nginx $(cell "$med_p50_nginx") ms, ours/nginx $(cell "$(ratio "$med_p50_ours" "$med_p50_nginx")");"
echo "                    p99 ours $(cell "$med_p99_ours") ms, nginx $(cell "$med_p99_nginx") ms, ours/nginx $(cell "$(ratio "$med_p99_ours" "$med_p99_nginx")") (< 1: ReelStack better)"
echo "upstream fetches per round: ours ${FETCHES[ours]:--}, nginx ${FETCHES[nginx]:--}"
echo "connect = ms to open all $CONNECTIONS connections (batches of 100) before the herd; not part of the latencies."
echo "Seconds there mean SYNs were dropped (a full listen backlog) and retransmitted."
for key in "${!RES[@]}"; do
  okc="$(val "${key%,*}" "${key#*,}" ok)"
  if [[ "$okc" != "$CONNECTIONS" ]]; then
    echo "WARNING: ${LABEL[${key%,*}]} round ${key#*,}: only $okc of $CONNECTIONS requests got the full object with 200" \
      "(errors: $(val "${key%,*}" "${key#*,}" errors), statuses: $(val "${key%,*}" "${key#*,}" statuses))"
  fi
done

mkdir -p "$(dirname "$OUT")"
{
  printf '{\n  "benchmark": "edge-herd",\n'
  printf '  "date": "%s",\n  "git_commit": "%s",\n  "nproc": %s,\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git_commit)" "$(nproc)"
  printf '  "load_average_before": "%s",\n  "load_average_after": "%s",\n  "neighbours": "%s",\n' "$LOAD_BEFORE" "$LOAD_AFTER" "$NEIGHBOURS"
  printf '  "config": {"workers": %s, "connections": %s, "rounds": %s, "object_bytes": %s, "nginx_version": "%s", "targets": "%s", "edge_flags": "%s", "edge_role": "%s", "fetch_count_method": "origin access log lines for the path"},\n' \
    "$WORKERS" "$CONNECTIONS" "$ROUNDS" "$BYTES" "$NGINX_VERSION" "${servers[*]}" "${EDGE_FLAGS[*]}" "${EDGE_ROLE:-edge}"
  printf '  "rounds": [\n'
  for ((r = 1; r <= ROUNDS; r++)); do
    printf '    {"round": %s' "$r"
    for s in "${servers[@]}"; do
      printf ', "%s": {"upstream_fetches": %s, "client": %s}' "$s" "${FETCH[$s,$r]}" "${RES[$s,$r]}"
    done
    [[ -n "${METRIC[$r]:-}" ]] && printf ', "ours_edge_fetch_metric_delta": %s' "${METRIC[$r]}"
    printf '}'
    [[ $r -lt $ROUNDS ]] && printf ','
    printf '\n'
  done
  printf '  ],\n'
  printf '  "median": {"ours_p50_ms": %s, "nginx_p50_ms": %s, "ours_p99_ms": %s, "nginx_p99_ms": %s, "p99_ours_over_nginx": %s}\n}\n' \
    "$(json_num "$med_p50_ours")" "$(json_num "$med_p50_nginx")" "$(json_num "$med_p99_ours")" "$(json_num "$med_p99_nginx")" \
    "$(json_num "$(ratio "$med_p99_ours" "$med_p99_nginx")")"
} >"$OUT"
log "results written to $OUT"
[[ "${EDGE_ROLE:-edge}" != origin ]] || log "NOTE: EDGE_ROLE=origin: 'ReelStack' was the origin role standing in for the edge"
