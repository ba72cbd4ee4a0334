#!/usr/bin/env bash
# Static-file benchmark: ReelStack's origin role against nginx, both serving the same
# random files from the same temporary directory on loopback, measured with wrk.
# On demand only (not in CI). See tests/bench/README.md for the knobs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME=static-files
# shellcheck source=lib/edge-common.bash
source "$ROOT/tests/bench/lib/edge-common.bash"
WORKERS="${BENCH_WORKERS:-2}"
DURATION="${BENCH_SECONDS:-10}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WARMUP="${BENCH_WARMUP_SECONDS:-1}"
TARGETS="${BENCH_TARGETS:-ours nginx}"
OUT="${BENCH_OUT:-$ROOT/build/bench/static-files.json}"
NGINX_PORT="${BENCH_NGINX_PORT:-18181}"
OURS_PORT="${BENCH_OURS_PORT:-18182}"
CONTROL_PORT="${BENCH_CONTROL_PORT:-18189}"

need_whole WORKERS DURATION THREADS CONNECTIONS WARMUP NGINX_PORT OURS_PORT CONTROL_PORT
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
need_tool wrk "installer/setup-deps.sh installs it"
need_tool curl "installer/setup-deps.sh installs it"
NGINX=""
if [[ $run_nginx -eq 1 ]]; then
  NGINX="$(sbin_tool nginx)"
  [[ -n "$NGINX" ]] || die "nginx not found (installer/setup-deps.sh installs nginx-light)"
fi
if [[ $run_ours -eq 1 ]]; then
  [[ -e "$PLATFORM" ]] || die "platform binary not found at $PLATFORM
  build it with ./installer/reelstack.sh build, point PLATFORM=/path/to/platform at one,
  or run only the nginx half with BENCH_TARGETS=nginx"
  [[ -x "$PLATFORM" ]] || die "$PLATFORM is not executable"
  need_free_port "$OURS_PORT" BENCH_OURS_PORT
  need_free_port "$CONTROL_PORT" BENCH_CONTROL_PORT
fi
[[ $run_nginx -eq 0 ]] || need_free_port "$NGINX_PORT" BENCH_NGINX_PORT

# --- temporary tree: the files, in a public title ---------------------------------
make_tmp
# The origin checks media access (docs/security.md): the files belong to a title made
# public in the benchmark's own control, as a deployment's public content would. nginx
# serves the same tree ($TMP is both its root and the origin's data directory).
TITLE=bench
if [[ $run_ours -eq 1 ]]; then
  start_control "$CONTROL_PORT" "$TMP/control"
  TITLE="$(public_title static-files)"
  MEDIA_PROBE="/media/$TITLE/not-a-file"
fi
FILES="$TMP/media/$TITLE"
mkdir -p "$FILES"
head -c 1024 /dev/urandom >"$FILES/1k.bin"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$FILES/2m.bin"
log "files in $FILES: 1k.bin (1 KiB), 2m.bin (2 MiB)"

check_content() { # name base-url: both files must come back byte for byte
  local name="$1" base="$2" f
  for f in 1k.bin 2m.bin; do
    curl -fsS --max-time 10 -o "$TMP/check.bin" "$base/media/$TITLE/$f" ||
      die "$name: GET /media/$TITLE/$f failed"
    cmp -s "$TMP/check.bin" "$FILES/$f" ||
      die "$name: /media/$TITLE/$f differs from the file on disk"
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
    # Only the media: the rest of \$TMP holds control's data (and its cluster key).
    location /media/ {
      root $TMP;
    }
  }
}
EOF
  "$NGINX" -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" -t >"$TMP/nginx-test.log" 2>&1 || {
    show_log "$TMP/nginx-test.log"
    die "nginx rejected the generated $TMP/nginx.conf"
  }
  "$NGINX" -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" >"$TMP/nginx.log" 2>&1 &
  PIDS+=("$!:nginx")
  wait_ready "nginx $NGINX_VERSION" "$!" "http://$HOST:$NGINX_PORT/media/$TITLE/1k.bin" "$TMP/nginx-error.log"
  check_content nginx "http://$HOST:$NGINX_PORT"
fi
if [[ $run_ours -eq 1 ]]; then
  start_origin "$OURS_PORT" "$TMP" "$WORKERS" ""
  check_content platform "http://$HOST:$OURS_PORT"
fi

# --- measurements -----------------------------------------------------------------
declare -A RESULT=()
bench_one() { # server file
  local server="$1" file="$2" port url raw
  if [[ $server == ours ]]; then port=$OURS_PORT; else port=$NGINX_PORT; fi
  url="http://$HOST:$port/media/$TITLE/$file.bin"
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
  printf '  "git_commit": "%s",\n' "$(git_commit)"
  printf '  "nproc": %s,\n' "$(nproc)"
  printf '  "config": {"workers": %s, "seconds": %s, "wrk_threads": %s, "wrk_connections": %s, "warmup_seconds": %s, "nginx_version": "%s", "targets": "%s"},\n' \
    "$WORKERS" "$DURATION" "$THREADS" "$CONNECTIONS" "$WARMUP" "$NGINX_VERSION" "$TARGETS"
  printf '  "ratio_convention": "> 1 means ReelStack is better: ours/nginx for requests_per_sec and transfer, nginx/ours for latency_p99",\n'
  printf '  "results": {\n'
  file_json 1k "/media/$TITLE/1k.bin" 1024
  printf ',\n'
  file_json 2m "/media/$TITLE/2m.bin" $((2 * 1024 * 1024))
  printf '\n  }\n}\n'
} >"$OUT"
log "results written to $OUT"
