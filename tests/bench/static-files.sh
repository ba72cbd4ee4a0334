#!/usr/bin/env bash
# Static-file benchmark: ReelStack's origin role against nginx, both serving the same
# random files from the same temporary directory on loopback, measured with wrk.
# On demand only (not in CI). See tests/bench/README.md for the knobs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PLATFORM="${PLATFORM:-$ROOT/build/release/app/platform}"
WORKERS="${BENCH_WORKERS:-2}"
DURATION="${BENCH_SECONDS:-10}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WARMUP="${BENCH_WARMUP_SECONDS:-1}"
TARGETS="${BENCH_TARGETS:-ours nginx}"
OUT="${BENCH_OUT:-$ROOT/build/bench/static-files.json}"
NGINX_PORT="${BENCH_NGINX_PORT:-18181}"
OURS_PORT="${BENCH_OURS_PORT:-18182}"
HOST=127.0.0.1
STARTUP_TIMEOUT=10

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

for v in WORKERS DURATION THREADS CONNECTIONS WARMUP NGINX_PORT OURS_PORT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[[ $WORKERS -ge 1 && $DURATION -ge 1 ]] || die "BENCH_WORKERS and BENCH_SECONDS must be at least 1"

run_ours=0 run_nginx=0
for t in $TARGETS; do
  case "$t" in
    ours) run_ours=1 ;;
    nginx) run_nginx=1 ;;
    *) die "BENCH_TARGETS: unknown target '$t' (use: ours nginx)" ;;
  esac
done
[[ $run_ours -eq 1 || $run_nginx -eq 1 ]] || die "BENCH_TARGETS is empty"

# --- tools ------------------------------------------------------------------------
command -v wrk >/dev/null 2>&1 || die "wrk not found (installer/setup-deps.sh installs it)"
command -v curl >/dev/null 2>&1 || die "curl not found (installer/setup-deps.sh installs it)"
NGINX=""
if [[ $run_nginx -eq 1 ]]; then
  NGINX="$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx || true)"
  [[ -n "$NGINX" ]] || die "nginx not found (installer/setup-deps.sh installs nginx-light)"
fi
if [[ $run_ours -eq 1 ]]; then
  [[ -e "$PLATFORM" ]] || die "platform binary not found at $PLATFORM
  build it with ./installer/reelstack.sh build, point PLATFORM=/path/to/platform at one,
  or run only the nginx half with BENCH_TARGETS=nginx"
  [[ -x "$PLATFORM" ]] || die "$PLATFORM is not executable"
fi

port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
[[ $run_nginx -eq 0 ]] || ! port_busy "$NGINX_PORT" ||
  die "$HOST:$NGINX_PORT is already in use (set BENCH_NGINX_PORT)"
[[ $run_ours -eq 0 ]] || ! port_busy "$OURS_PORT" ||
  die "$HOST:$OURS_PORT is already in use (set BENCH_OURS_PORT)"

# --- temporary tree and clean-up --------------------------------------------------
TMP="$(mktemp -d "${TMPDIR:-/tmp}/reelstack-bench.XXXXXX")"
NGINX_PID="" OURS_PID=""

stop() { # pid name: SIGTERM, then SIGKILL after 5 s
  local pid="$1" name="$2" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop on SIGTERM within 5 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  stop "$OURS_PID" platform
  stop "$NGINX_PID" nginx
  if [[ $rc -ne 0 || -n "${BENCH_KEEP_TMP:-}" ]]; then
    log "logs and files kept in $TMP"
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$TMP/media/bench"
head -c 1024 /dev/urandom >"$TMP/media/bench/1k.bin"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$TMP/media/bench/2m.bin"
log "files in $TMP/media/bench: 1k.bin (1 KiB), 2m.bin (2 MiB)"

show_log() { # file: last lines, for error messages
  [[ -s "$1" ]] && { printf -- '--- last lines of %s:\n' "$1" >&2; tail -n 20 "$1" >&2; }
  return 0
}

wait_ready() { # name pid url log
  local name="$1" pid="$2" url="$3" logf="$4" deadline=$((SECONDS + STARTUP_TIMEOUT))
  while ! curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_log "$logf"
      die "$name exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      show_log "$logf"
      die "$name did not answer $url within $STARTUP_TIMEOUT s"
    fi
    sleep 0.1
  done
  log "$name is up (pid $pid, $url)"
}

check_content() { # name base-url: both files must come back byte for byte
  local name="$1" base="$2" f
  for f in 1k.bin 2m.bin; do
    curl -fsS --max-time 10 -o "$TMP/check.bin" "$base/media/bench/$f" ||
      die "$name: GET /media/bench/$f failed"
    cmp -s "$TMP/check.bin" "$TMP/media/bench/$f" ||
      die "$name: /media/bench/$f differs from the file on disk"
  done
  rm -f "$TMP/check.bin"
}

# --- servers ----------------------------------------------------------------------
NGINX_VERSION=""
if [[ $run_nginx -eq 1 ]]; then
  NGINX_VERSION="$("$NGINX" -v 2>&1 | sed -n 's|.*nginx/||p')"
  mkdir -p "$TMP/nginx"
  cat >"$TMP/nginx.conf" <<EOF
user root;
worker_processes $WORKERS;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx-error.log warn;
events {
  worker_connections 4096;
}
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type application/octet-stream;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  server {
    listen $HOST:$NGINX_PORT;
    root $TMP;
  }
}
EOF
  "$NGINX" -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" -t >"$TMP/nginx-test.log" 2>&1 || {
    show_log "$TMP/nginx-test.log"
    die "nginx rejected the generated $TMP/nginx.conf"
  }
  "$NGINX" -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" >"$TMP/nginx.log" 2>&1 &
  NGINX_PID=$!
fi
if [[ $run_ours -eq 1 ]]; then
  "$PLATFORM" --role=origin --headless --data-dir "$TMP" --origin-listen="$HOST:$OURS_PORT" \
    --workers="$WORKERS" --access-log= >"$TMP/platform.log" 2>&1 &
  OURS_PID=$!
fi
[[ $run_nginx -eq 0 ]] || {
  wait_ready "nginx $NGINX_VERSION" "$NGINX_PID" "http://$HOST:$NGINX_PORT/media/bench/1k.bin" "$TMP/nginx-error.log"
  check_content nginx "http://$HOST:$NGINX_PORT"
}
[[ $run_ours -eq 0 ]] || {
  wait_ready "platform (origin)" "$OURS_PID" "http://$HOST:$OURS_PORT/healthz" "$TMP/platform.log"
  check_content platform "http://$HOST:$OURS_PORT"
}

# --- measurements -----------------------------------------------------------------
# parse_wrk FILE -> "requests/s bytes/s p50_ms p99_ms socket_errors non_2xx_3xx requests"
parse_wrk() {
  awk '
    function bytes(s,  n, u) { n = s + 0; u = s; sub(/^[0-9.]+/, "", u)
      if (u == "KB") n *= 1024; else if (u == "MB") n *= 1048576
      else if (u == "GB") n *= 1073741824; else if (u == "TB") n *= 1099511627776
      return n }
    function ms(s,  n, u) { n = s + 0; u = s; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000; if (u == "s") return n * 1000
      if (u == "m") return n * 60000; if (u == "h") return n * 3600000
      return n }
    /^Requests\/sec:/ { rps = $2 }
    /^Transfer\/sec:/ { bps = bytes($2) }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { reqs = $1 }
    /Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    END {
      if (rps == "" || p99 == "") exit 1
      printf "%s %.0f %.3f %.3f %d %d %d\n", rps, bps, p50, p99, errs, non2xx, reqs
    }' "$1"
}

declare -A RESULT=()
bench_one() { # server file
  local server="$1" file="$2" port url raw
  if [[ $server == ours ]]; then port=$OURS_PORT; else port=$NGINX_PORT; fi
  url="http://$HOST:$port/media/bench/$file.bin"
  if [[ $WARMUP -gt 0 ]]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true
  fi
  log "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency $url ($server)"
  raw="$TMP/wrk-$server-$file.txt"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" >"$raw" 2>&1 ||
    { show_log "$raw"; die "wrk failed against $server"; }
  RESULT[$server,$file]="$(parse_wrk "$raw")" || { show_log "$raw"; die "cannot parse wrk's output"; }
}

# Alternate who goes first, so neither always gets the cooler machine.
for file in 1k 2m; do
  order="ours nginx"
  [[ $file == 2m ]] && order="nginx ours"
  for server in $order; do
    if [[ $server == ours && $run_ours -eq 1 ]] || [[ $server == nginx && $run_nginx -eq 1 ]]; then
      bench_one "$server" "$file"
    fi
  done
done

# --- report -----------------------------------------------------------------------
# field FIELD server file -> number or "" (1 rps, 2 bytes/s, 3 p50, 4 p99, 5 errors, 6 non-2xx, 7 requests)
field() {
  local v="${RESULT[$2,$3]:-}"
  [[ -n "$v" ]] || return 0
  awk -v f="$1" '{ print $f }' <<<"$v"
}
gbit() { [[ -n "$1" ]] && awk -v b="$1" 'BEGIN { printf "%.3f", b * 8 / 1e9 }'; return 0; }
ratio() { # a b -> a/b with 2 decimals, or "" when either is missing or b is 0
  [[ -n "$1" && -n "$2" ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b }'
  return 0
}
cell() { if [[ -n "$1" ]]; then printf '%s' "$1"; else printf -- '-'; fi; }
json_num() { if [[ -n "$1" ]]; then printf '%s' "$1"; else printf 'null'; fi; }

rows=()
add_row() { # file label ours nginx ratio
  rows+=("$(printf '%-6s %-22s %14s %14s %8s' "$1" "$2" "$(cell "$3")" "$(cell "$4")" "$(cell "$5")")")
}
for file in 1k 2m; do
  name="1 KiB"
  [[ $file == 2m ]] && name="2 MiB"
  o_rps="$(field 1 ours $file)" n_rps="$(field 1 nginx $file)"
  o_p99="$(field 4 ours $file)" n_p99="$(field 4 nginx $file)"
  add_row "$name" "requests/s" "$o_rps" "$n_rps" "$(ratio "$o_rps" "$n_rps")"
  if [[ $file == 2m ]]; then
    o_g="$(gbit "$(field 2 ours $file)")" n_g="$(gbit "$(field 2 nginx $file)")"
    add_row "$name" "throughput (Gbit/s)" "$o_g" "$n_g" "$(ratio "$o_g" "$n_g")"
  else
    o_mb="$(awk -v b="$(field 2 ours $file)" 'BEGIN { if (b != "") printf "%.1f", b / 1048576 }')"
    n_mb="$(awk -v b="$(field 2 nginx $file)" 'BEGIN { if (b != "") printf "%.1f", b / 1048576 }')"
    add_row "$name" "transfer (MiB/s)" "$o_mb" "$n_mb" "$(ratio "$o_mb" "$n_mb")"
  fi
  add_row "$name" "p99 latency (ms)" "$o_p99" "$n_p99" "$(ratio "$n_p99" "$o_p99")"
done

echo
echo "Static files over loopback: ReelStack origin vs nginx ${NGINX_VERSION:-(not run)}"
echo "$WORKERS worker(s) each; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on the same $(nproc)-core machine"
printf '%-6s %-22s %14s %14s %8s\n' file metric ReelStack nginx ratio
printf '%s\n' "${rows[@]}"
echo "ratio > 1.00 means ReelStack is better: ours/nginx for requests, transfer and"
echo "throughput; nginx/ours for p99 latency (lower latency is better)."
for key in "${!RESULT[@]}"; do
  e="$(field 5 "${key%,*}" "${key#*,}")" x="$(field 6 "${key%,*}" "${key#*,}")"
  if [[ $e -gt 0 || $x -gt 0 ]]; then
    echo "WARNING: ${key%,*} ${key#*,}.bin: $e socket errors, $x non-2xx/3xx responses"
  fi
done

server_json() { # server file
  if [[ -z "${RESULT[$1,$2]:-}" ]]; then printf 'null'; return; fi
  printf '{"requests_per_sec": %s, "transfer_bytes_per_sec": %s, "gbit_per_sec": %s, ' \
    "$(field 1 "$1" "$2")" "$(field 2 "$1" "$2")" "$(gbit "$(field 2 "$1" "$2")")"
  printf '"latency_p50_ms": %s, "latency_p99_ms": %s, "requests": %s, "socket_errors": %s, "non_2xx_3xx": %s}' \
    "$(field 3 "$1" "$2")" "$(field 4 "$1" "$2")" "$(field 7 "$1" "$2")" "$(field 5 "$1" "$2")" "$(field 6 "$1" "$2")"
}
file_json() { # file path bytes
  local f="$1"
  printf '    "%s": {\n      "path": "%s", "bytes": %s,\n' "$f" "$2" "$3"
  printf '      "ours": %s,\n' "$(server_json ours "$f")"
  printf '      "nginx": %s,\n' "$(server_json nginx "$f")"
  printf '      "ratio": {"requests_per_sec": %s, "transfer": %s, "latency_p99": %s}\n    }' \
    "$(json_num "$(ratio "$(field 1 ours "$f")" "$(field 1 nginx "$f")")")" \
    "$(json_num "$(ratio "$(field 2 ours "$f")" "$(field 2 nginx "$f")")")" \
    "$(json_num "$(ratio "$(field 4 nginx "$f")" "$(field 4 ours "$f")")")"
}

mkdir -p "$(dirname "$OUT")"
{
  printf '{\n  "benchmark": "static-files",\n'
  printf '  "date": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '  "git_commit": "%s",\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf '  "nproc": %s,\n' "$(nproc)"
  printf '  "config": {"workers": %s, "seconds": %s, "wrk_threads": %s, "wrk_connections": %s, "warmup_seconds": %s, "nginx_version": "%s", "targets": "%s"},\n' \
    "$WORKERS" "$DURATION" "$THREADS" "$CONNECTIONS" "$WARMUP" "$NGINX_VERSION" "$TARGETS"
  printf '  "ratio_convention": "> 1 means ReelStack is better: ours/nginx for requests_per_sec and transfer, nginx/ours for latency_p99",\n'
  printf '  "results": {\n'
  file_json 1k /media/bench/1k.bin 1024
  printf ',\n'
  file_json 2m /media/bench/2m.bin $((2 * 1024 * 1024))
  printf '\n  }\n}\n'
} >"$OUT"
log "results written to $OUT"
