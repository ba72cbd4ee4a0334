# Shared by the edge benchmarks (edge-hits.sh, edge-herd.sh, edge-hit-ratio.sh): start and
# stop the origin, our edge, nginx proxy_cache and Varnish on loopback, wait for them, parse
# wrk. Sourced, never run (it is not *.sh, so run-all.sh does not pick it up).
# The caller sets ROOT and NAME before sourcing it, and HOST/STARTUP_TIMEOUT if it wants.

: "${ROOT:?set ROOT before sourcing edge-common.bash}" "${NAME:?set NAME before sourcing edge-common.bash}"
HOST="${HOST:-127.0.0.1}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-10}"
PLATFORM="${PLATFORM:-$ROOT/build/release/app/platform}"

log() { printf '%s: %s\n' "$NAME" "$*" >&2; }
die() { printf '%s: error: %s\n' "$NAME" "$*" >&2; exit 1; }

need_whole() { # VAR...: each must be a whole number
  local v
  for v in "$@"; do [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"; done
}

need_tool() { # tool hint
  command -v "$1" >/dev/null 2>&1 || die "$1 not found ($2)"
}

sbin_tool() { # name -> path or "" (nginx and varnishd live in /usr/sbin, often off PATH)
  PATH="$PATH:/usr/sbin:/sbin" command -v "$1" || true
}

need_platform() {
  [[ -e "$PLATFORM" ]] || die "platform binary not found at $PLATFORM
  build it with ./installer/reelstack.sh build (an optimised build), or point PLATFORM=/path/to/platform at one"
  [[ -x "$PLATFORM" ]] || die "$PLATFORM is not executable"
  # Not `--help | grep -q`: grep stops reading at the match, the help (longer than a pipe
  # buffer) then dies of SIGPIPE, and pipefail calls the check failed.
  [[ "$("$PLATFORM" --help 2>/dev/null)" == *--edge-policy* ]] ||
    die "$PLATFORM has no edge options (too old a build?)"
}

port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
need_free_port() { # port variable-name
  ! port_busy "$1" || die "$HOST:$1 is already in use (set $2)"
}

# --- processes and the temporary tree ---------------------------------------------
PIDS=()     # "pid:name", stopped in reverse order by cleanup
TMP=""
EXTRA_TMP=() # more temporary directories (e.g. on tmpfs), removed with TMP

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

stop_named() { # name: stops the process registered under that name
  local i entry keep=()
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    entry="${PIDS[$i]}"
    if [[ "${entry#*:}" == "$1" ]]; then stop "${entry%%:*}" "$1"; else keep=("$entry" "${keep[@]}"); fi
  done
  PIDS=("${keep[@]}")
}

cleanup() {
  local rc=$? i entry
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    entry="${PIDS[$i]}"
    stop "${entry%%:*}" "${entry#*:}"
  done
  if [[ -n "$TMP" && -d "$TMP" ]]; then
    if [[ $rc -ne 0 || -n "${BENCH_KEEP_TMP:-}" ]]; then
      log "logs and files kept in $TMP ${EXTRA_TMP[*]}"
    else
      rm -rf "$TMP" "${EXTRA_TMP[@]}"
    fi
  fi
}

make_tmp() {
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/reelstack-$NAME.XXXXXX")"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

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

# Our processes must not find (and register with) a control role someone else runs on
# the default :8083: they talk to the benchmark's own control (start_control) or, before
# it runs, to a loopback port nobody listens on; heartbeat rarely. With a control, they
# share its cluster key ring: edges fetch from the origin as a service, and edges and
# origins learn the public titles from it (docs/security.md).
CONTROL_URL="" KEY_FILE=""
isolated_flags() {
  printf '%s\n' --headless "--control=${CONTROL_URL:-http://$HOST:${BENCH_NO_CONTROL_PORT:-9}}" --heartbeat-interval=3600
  [[ -z "$KEY_FILE" ]] || printf '%s\n' "--cluster-key-file=$KEY_FILE"
}

# --- credentials --------------------------------------------------------------------
# Since identity landed (issue 9), edges and origins serve /media/<title>/… only to a
# service, to a playback token for that title (/m/<token>/<title>/…), or to anyone for a
# title an admin made public. The benchmarks run a control role of their own: it creates
# the cluster key ring and the catalogue in which their titles are made public.
start_control() { # port data-dir
  local port="$1" dir="$2"
  mkdir -p "$dir"
  CONTROL_URL="http://$HOST:$port"
  KEY_FILE="$dir/secrets/cluster.key"
  mapfile -t iso < <(isolated_flags)
  # The key file does not exist yet: control creates it at start (the flag names where).
  "$PLATFORM" --role=control "${iso[@]}" --data-dir "$dir" --control-listen="$HOST:$port" \
    --workers=1 --access-log= >"$TMP/control.log" 2>&1 &
  PIDS+=("$!:control")
  wait_ready "platform (control)" "$!" "$CONTROL_URL/healthz" "$TMP/control.log"
  [[ -s "$KEY_FILE" ]] || die "control did not create its cluster key $KEY_FILE"
  # An operator's credential for the benchmark's own calls (titles, /edge/v1/stats).
  SERVICE_TOKEN="$("$PLATFORM" service-token --ttl 21600 --roles bench --cluster-key-file "$KEY_FILE")" ||
    die "platform service-token failed"
}

# service_curl curl-args...: curl with this run's service credential, from a header file
# (0600 under TMP) rather than the command line, which every user's ps can read.
SERVICE_TOKEN=""
service_curl() {
  [[ -n "$SERVICE_TOKEN" ]] || die "service_curl: start_control first"
  [[ -f "$TMP/service-auth.header" ]] ||
    (umask 077 && printf 'Authorization: Bearer %s\n' "$SERVICE_TOKEN" >"$TMP/service-auth.header")
  curl -H "@$TMP/service-auth.header" "$@"
}

# public_title name -> the id of a new catalogue title, made public, so its
# /media/<id>/… paths play without a token. Call before starting the edges and origins:
# they fetch the list of public titles when they start (and then once an hour here).
public_title() {
  local name="$1" body id
  body="$(service_curl -fsS --max-time 5 -H 'Content-Type: application/json' \
    -d "{\"name\":\"$name\"}" "$CONTROL_URL/control/v1/titles")" || die "control refused to create title '$name'"
  id="$(sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' <<<"$body")"
  [[ "$id" =~ ^[A-Za-z0-9_-]+$ ]] || die "no title id in control's answer: $body"
  service_curl -fsS --max-time 5 -o /dev/null -X PATCH -H 'Content-Type: application/json' \
    -d '{"public":true}' "$CONTROL_URL/control/v1/titles/$id" || die "control refused to make title $id public"
  printf '%s' "$id"
}

# wait_media url: a server fetches the public titles just after it answers /healthz;
# wait (at most STARTUP_TIMEOUT) until the URL stops answering 401. start_origin and
# start_edge do it with $MEDIA_PROBE when the script sets it (a path of its public title
# that is not an object, so probing caches nothing a measurement could find).
MEDIA_PROBE=""
wait_media() {
  local url="$1" code deadline=$((SECONDS + STARTUP_TIMEOUT))
  while :; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" 2>/dev/null)"
    [[ "$code" == 401 || "$code" == 000 ]] || return 0
    ((SECONDS < deadline)) || die "$url still answers $code after $STARTUP_TIMEOUT s (is its title public?)"
    sleep 0.1
  done
}

start_origin() { # port data-dir workers access-log-file ("" = off)
  local port="$1" dir="$2" workers="$3" alog="$4"
  mkdir -p "$dir"
  mapfile -t iso < <(isolated_flags)
  "$PLATFORM" --role=origin "${iso[@]}" --data-dir "$dir" --origin-listen="$HOST:$port" \
    --workers="$workers" --access-log="$alog" >"$TMP/origin.log" 2>&1 &
  PIDS+=("$!:origin")
  wait_ready "platform (origin)" "$!" "http://$HOST:$port/healthz" "$TMP/origin.log"
  [[ -z "$MEDIA_PROBE" ]] || wait_media "http://$HOST:$port$MEDIA_PROBE"
}

# start_edge name port data-dir workers upstream-url [extra edge flags...]
# EDGE_ROLE=origin stands the origin role in for the edge (for developing the scripts before
# the edge role exists: it serves <data-dir>/media itself and never says HIT).
start_edge() {
  local name="$1" port="$2" dir="$3" workers="$4" upstream="$5"
  shift 5
  mkdir -p "$dir"
  mapfile -t iso < <(isolated_flags)
  if [[ "${EDGE_ROLE:-edge}" == origin ]]; then
    "$PLATFORM" --role=origin "${iso[@]}" --data-dir "$dir" --origin-listen="$HOST:$port" \
      --workers="$workers" --access-log= >"$TMP/$name.log" 2>&1 &
  else
    "$PLATFORM" --role=edge "${iso[@]}" --upstream="$upstream" --edge-listen="$HOST:$port" \
      --data-dir "$dir" --workers="$workers" --access-log= "$@" >"$TMP/$name.log" 2>&1 &
  fi
  PIDS+=("$!:$name")
  wait_ready "platform ($name)" "$!" "http://$HOST:$port/healthz" "$TMP/$name.log"
  [[ -z "$MEDIA_PROBE" ]] || wait_media "http://$HOST:$port$MEDIA_PROBE"
}

# nginx as a caching reverse proxy: disk cache keyed by the URI, sendfile, no access log.
# start_nginx_cache port upstream-port workers cache-lock(on|off) [secure-link-secret]
# With a secret, /m/<md5>,<expires>/<title>/<path> is also served from the same cache
# (key /media/<title>/<path>) after secure_link checks base64url(MD5("<expires>/<title>
# <secret>")) and the expiry: nginx's own signed-URL scheme, the closest peer to our
# playback tokens (tools/playback-tokens.mjs nginx mints them).
NGINX_VERSION=""
start_nginx_cache() {
  local port="$1" up="$2" workers="$3" lock="$4" secret="${5:-}" nginx secure=""
  if [[ -n "$secret" ]]; then
    secure="
    location ~ ^/m/(?<sl_token>[^/]+)/(?<sl_title>[^/]+)/(?<sl_rest>.+)\$ {
      secure_link \$sl_token;
      secure_link_md5 \"\$secure_link_expires/\$sl_title $secret\";
      if (\$secure_link = \"\") { return 403; }
      if (\$secure_link = \"0\") { return 410; }
      proxy_pass http://origin/media/\$sl_title/\$sl_rest;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_cache edge;
      proxy_cache_key /media/\$sl_title/\$sl_rest;
      proxy_cache_valid 200 1y;
      proxy_cache_lock $lock;
      add_header X-Cache-Status \$upstream_cache_status always;
    }"
  fi
  nginx="$(sbin_tool nginx)"
  [[ -n "$nginx" ]] || die "nginx not found (installer/setup-deps.sh installs nginx-light)"
  NGINX_VERSION="$("$nginx" -v 2>&1 | sed -n 's|.*nginx/||p')"
  mkdir -p "$TMP/nginx/cache"
  cat >"$TMP/nginx.conf" <<EOF
user root;
worker_processes $workers;
worker_rlimit_nofile 16384;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx-error.log warn;
events {
  worker_connections 8192;
}
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type application/octet-stream;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  proxy_cache_path $TMP/nginx/cache levels=1:2 keys_zone=edge:32m max_size=4g inactive=1d use_temp_path=off;
  upstream origin {
    server $HOST:$up;
    keepalive 32;
  }
  server {
    listen $HOST:$port;
    location = /healthz {
      return 200 "ok\n";
    }
    location /media/ {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache edge;
      proxy_cache_key \$uri;
      proxy_cache_valid 200 1y;
      proxy_cache_lock $lock;
      proxy_cache_lock_timeout 120s;
      proxy_cache_lock_age 120s;
      add_header X-Cache-Status \$upstream_cache_status always;
    }$secure
  }
}
EOF
  "$nginx" -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" -t >"$TMP/nginx-test.log" 2>&1 || {
    show_log "$TMP/nginx-test.log"
    die "nginx rejected the generated $TMP/nginx.conf"
  }
  "$nginx" -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" >"$TMP/nginx.log" 2>&1 &
  PIDS+=("$!:nginx")
  wait_ready "nginx $NGINX_VERSION (proxy_cache)" "$!" "http://$HOST:$port/healthz" "$TMP/nginx-error.log"
}

# Varnish: malloc storage, hash = URL only, X-Cache from obj.hits. Returns 1 when varnishd
# is not installed (the caller skips it).
VARNISH_VERSION=""
start_varnish() { # port upstream-port workers storage-bytes
  local port="$1" up="$2" workers="$3" storage="$4" varnishd
  varnishd="$(sbin_tool varnishd)"
  [[ -n "$varnishd" ]] || return 1
  VARNISH_VERSION="$("$varnishd" -V 2>&1 | sed -n 's|.*(varnish-\([^ ]*\).*|\1|p' | head -n 1)"
  cat >"$TMP/varnish.vcl" <<EOF
vcl 4.1;
backend origin {
  .host = "$HOST";
  .port = "$up";
}
sub vcl_hash {
  hash_data(req.url);
  return (lookup);
}
sub vcl_deliver {
  if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
}
EOF
  # -j none: we run as root from a 0700 temporary directory the varnish users cannot read.
  "$varnishd" -F -j none -a "$HOST:$port" -f "$TMP/varnish.vcl" -n "$TMP/varnish" \
    -s "malloc,$storage" -p thread_pools="$workers" >"$TMP/varnish.log" 2>&1 &
  PIDS+=("$!:varnish")
  local pid=$! deadline=$((SECONDS + STARTUP_TIMEOUT))
  # Any HTTP answer means the child is up (there is no /healthz behind it).
  while [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$HOST:$port/" 2>/dev/null)" == 000 ]]; do
    kill -0 "$pid" 2>/dev/null || { show_log "$TMP/varnish.log"; die "varnishd exited during start-up"; }
    ((SECONDS < deadline)) || { show_log "$TMP/varnish.log"; die "varnishd did not answer within $STARTUP_TIMEOUT s"; }
    sleep 0.1
  done
  log "varnish $VARNISH_VERSION is up (pid $pid, http://$HOST:$port)"
}

# The cache-state header each server sets: ours X-Cache ("HIT tier=…"), nginx
# X-Cache-Status ("HIT"), varnish X-Cache ("HIT", from our VCL).
cache_state() { # url -> first word of the cache header ("HIT", "MISS", …) or "-"
  curl -fsS -o /dev/null -D - --max-time 30 "$1" 2>/dev/null |
    awk 'tolower($1) == "x-cache:" || tolower($1) == "x-cache-status:" { print $2; found = 1; exit }
         END { if (!found) print "-" }' | tr -d '\r,'
}

# warm url...: fetch each until the cache answers HIT (at most 5 tries each).
warm() {
  local url state i
  for url in "$@"; do
    for ((i = 0; i < 5; i++)); do
      state="$(cache_state "$url")"
      [[ "$state" == HIT ]] && break
    done
    [[ "$state" == HIT ]] || {
      [[ "${EDGE_ROLE:-edge}" == origin ]] && continue
      die "$url never answered HIT (last cache state: $state)"
    }
  done
}

# --- neighbours --------------------------------------------------------------------
# On a shared machine the load average mixes our own servers and client with everybody
# else. Once a second, note which processes outside our process group are running
# (state R): a compiler showing up there means the figures are noisy.
neighbours_start() {
  local me
  me="$(ps -o pgid= -p $$ | tr -d ' ')"
  (
    while :; do
      ps -e -o pgid=,stat=,comm= | awk -v me="$me" '$1 != me && $1 != 0 && $2 ~ /^R/ { printf "%s ", $3 } END { print "" }'
      sleep 1
    done
  ) >"$TMP/neighbours.txt" 2>/dev/null &
  PIDS+=("$!:neighbour-watch")
}
neighbours_stop() { stop_named neighbour-watch; }
neighbours_summary() { # -> one line (after neighbours_stop)
  awk '{ n++; if (NF) { busy++; for (i = 1; i <= NF; i++) c[$i]++ } }
    END {
      printf "%d of %d one-second samples saw other processes running", busy, n
      if (busy) { printf " ("; sep = ""; for (k in c) { printf "%s%s×%d", sep, k, c[k]; sep = ", " }; printf ")" }
      if (busy > n / 20) printf ": figures are noisy"
      print ""
    }' "$TMP/neighbours.txt"
}

# --- wrk --------------------------------------------------------------------------
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

# write_rotate_lua paths-file lua-file: a wrk script that rotates over the paths (one per
# line), each thread from its own random offset. Requests are formatted once in init(),
# so the script costs the client as little as possible whatever the paths are.
write_rotate_lua() {
  {
    echo 'local paths = {'
    sed 's/.*/  "&",/' "$1"
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
  } >"$2"
}

# measure_wrk url lua raw-output -> parse_wrk's line for one measured run, after an
# unmeasured one of $WARMUP seconds (0: none); $THREADS, $CONNECTIONS, $DURATION as wrk's
# -t, -c and -d.
measure_wrk() {
  local url="$1" lua="$2" raw="$3"
  if [[ $WARMUP -gt 0 ]]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$lua" "$url" >/dev/null 2>&1 || true
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$lua" "$url" >"$raw" 2>&1 ||
    { show_log "$raw"; die "wrk failed against $url"; }
  parse_wrk "$raw" || { show_log "$raw"; die "cannot parse wrk's output ($raw)"; }
}

# --- numbers ----------------------------------------------------------------------
ratio() { # a b -> a/b with 3 decimals, or "" when either is missing or b is 0
  [[ -n "$1" && -n "$2" ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b }'
  return 0
}
cell() { if [[ -n "$1" ]]; then printf '%s' "$1"; else printf -- '-'; fi; }
json_num() { if [[ -n "$1" ]]; then printf '%s' "$1"; else printf 'null'; fi; }
load_avg() { awk '{ print $1, $2, $3 }' /proc/loadavg; }
git_commit() { git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown; }

# count_media access-log -> lines for /media/ paths (the edge's health checks are not fetches)
count_media() {
  [[ -f "$1" ]] || { echo 0; return; }
  grep -c '"path":"/media/' "$1" || true
}

# count_fetches access-log path -> GET/HEAD lines the origin logged for exactly that path
count_fetches() {
  [[ -f "$1" ]] || { echo 0; return; }
  grep -cF "\"path\":\"$2\"" "$1" || true
}
