#!/usr/bin/env bash
# What checking playback tokens costs the edge (issue 9): cache hits on our edge with a
# playback token in the path (/m/<token>/<title>/…; one token, and 1,000 viewers' tokens
# spread over the connections), the same hits on the same title without a token (it is
# public), and nginx proxy_cache in front of the same origin, with and without its
# secure_link check (MD5 signed URLs), all in the same run, measured with wrk on loopback.
# On demand only (not in CI). See tests/bench/README.md for the knobs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME=edge-tokens
# shellcheck source=lib/edge-common.bash
source "$ROOT/tests/bench/lib/edge-common.bash"

WORKERS="${BENCH_WORKERS:-2}"
DURATION="${BENCH_SECONDS:-10}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WARMUP="${BENCH_WARMUP_SECONDS:-1}"
ROUNDS="${BENCH_ROUNDS:-3}"
OBJECTS="${BENCH_OBJECTS:-16}"
VIEWERS="${BENCH_VIEWERS:-1000}"
VARIANTS="${BENCH_VARIANTS:-public token tokens nginx nginx-link}"
PORT_BASE="${BENCH_PORT_BASE:-18190}"
OUT="${BENCH_OUT:-$ROOT/build/bench/edge-tokens.json}"
read -r -a EDGE_FLAGS <<<"${BENCH_EDGE_FLAGS:-}"
MINT="$ROOT/tests/bench/tools/playback-tokens.mjs"

need_whole WORKERS DURATION THREADS CONNECTIONS WARMUP ROUNDS OBJECTS VIEWERS PORT_BASE
[[ $WORKERS -ge 1 && $DURATION -ge 1 && $ROUNDS -ge 1 && $OBJECTS -ge 1 && $VIEWERS -ge 1 ]] ||
  die "BENCH_WORKERS, BENCH_SECONDS, BENCH_ROUNDS, BENCH_OBJECTS and BENCH_VIEWERS must be at least 1"
[[ "${EDGE_ROLE:-edge}" == edge ]] || die "EDGE_ROLE=${EDGE_ROLE}: this benchmark measures the edge's token check; it needs the edge"

# Every variant is a server and a set of request paths.
declare -A SERVER=([public]=ours [token]=ours [tokens]=ours [nginx]=nginx [nginx-link]=nginx)
declare -A DESCRIBE=(
  [public]="ReelStack edge, /media/<title>/…, public title, no token"
  [token]="ReelStack edge, /m/<token>/<title>/…, one playback token"
  [tokens]="ReelStack edge, /m/<token>/<title>/…, $VIEWERS viewers' tokens in turn"
  [nginx]="nginx proxy_cache, /media/<title>/…, no check"
  [nginx-link]="nginx proxy_cache + secure_link (MD5), /m/<md5,expires>/<title>/…, $VIEWERS links in turn")
variants=()
for v in $VARIANTS; do
  [[ -n "${SERVER[$v]:-}" ]] || die "BENCH_VARIANTS: unknown variant '$v' (use: public token tokens nginx nginx-link)"
  variants+=("$v")
done
[[ ${#variants[@]} -gt 0 ]] || die "nothing to measure (BENCH_VARIANTS='$VARIANTS')"
has() { [[ " ${variants[*]} " == *" $1 "* ]]; }
run_ours=0 run_nginx=0
for v in "${variants[@]}"; do [[ ${SERVER[$v]} == ours ]] && run_ours=1 || run_nginx=1; done

need_tool wrk "installer/setup-deps.sh installs it"
need_tool curl "installer/setup-deps.sh installs it"
need_tool node "installer/setup-deps.sh installs nodejs"
need_platform
ORIGIN_PORT=$PORT_BASE CONTROL_PORT=$((PORT_BASE + 9))
declare -A PORT=([ours]=$((PORT_BASE + 1)) [nginx]=$((PORT_BASE + 2)))
for p in "$ORIGIN_PORT" "$CONTROL_PORT" "${PORT[ours]}" "${PORT[nginx]}"; do need_free_port "$p" BENCH_PORT_BASE; done

make_tmp
LOAD_BEFORE="$(load_avg)"

# --- a title, its objects, the tokens --------------------------------------------------
# One title, public, so /media/<title>/… plays without a token; the tokens are checked all
# the same (a path with a token is verified whatever the title), so both kinds of request
# hit the same cached objects and differ only in the check.
start_control "$CONTROL_PORT" "$TMP/control"
TITLE="$(public_title edge-tokens)"
MEDIA_PROBE="/media/$TITLE/not-an-object"
MEDIA="$TMP/origin/media/$TITLE"
mkdir -p "$MEDIA"
for size in 1k 2m; do
  bytes=1024
  [[ $size == 2m ]] && bytes=$((2 * 1024 * 1024))
  for ((i = 1; i <= OBJECTS; i++)); do head -c "$bytes" /dev/urandom >"$MEDIA/$size-$i.m4s"; done
done
log "$OBJECTS objects of 1 KiB and $OBJECTS of 2 MiB in $MEDIA (title $TITLE, public)"

# Tokens made outside our C++ (tools/playback-tokens.mjs, Node's crypto) from the ring
# control created: an hour's lifetime, so none expires during the run.
NGINX_SECRET="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
node "$MINT" reelstack --key-file "$KEY_FILE" --title "$TITLE" --count "$VIEWERS" --ttl 3600 >"$TMP/tokens.txt" ||
  die "could not mint playback tokens"
node "$MINT" nginx --secret "$NGINX_SECRET" --title "$TITLE" --count "$VIEWERS" --ttl 3600 >"$TMP/links.txt" ||
  die "could not mint nginx secure links"
node "$MINT" reelstack --key-file "$KEY_FILE" --title other-title --count 1 --ttl 3600 >"$TMP/other-title-token.txt"
TOKEN1="$(head -n 1 "$TMP/tokens.txt")"

# Request paths per variant and size. The many-token variants pair token k with object
# k mod OBJECTS, over lcm(VIEWERS, OBJECTS) lines, so every token and every object is used
# and consecutive requests carry different tokens.
gcd() { local a=$1 b=$2 t; while ((b)); do t=$((a % b)); a=$b; b=$t; done; echo "$a"; }
LINES=$((VIEWERS * OBJECTS / $(gcd "$VIEWERS" "$OBJECTS")))
for size in 1k 2m; do
  for ((i = 1; i <= OBJECTS; i++)); do echo "/media/$TITLE/$size-$i.m4s"; done >"$TMP/paths-public-$size.txt"
  cp "$TMP/paths-public-$size.txt" "$TMP/paths-nginx-$size.txt"
  sed "s|^/media/|/m/$TOKEN1/|" "$TMP/paths-public-$size.txt" >"$TMP/paths-token-$size.txt"
  for kind in tokens nginx-link; do
    list="$TMP/tokens.txt"
    [[ $kind == nginx-link ]] && list="$TMP/links.txt"
    awk -v n="$LINES" -v objects="$OBJECTS" -v title="$TITLE" -v size="$size" '
      { tok[NR - 1] = $0 } END { for (i = 0; i < n; i++) printf "/m/%s/%s/%s-%d.m4s\n", tok[i % NR], title, size, i % objects + 1 }' \
      "$list" >"$TMP/paths-$kind-$size.txt"
  done
  for v in "${variants[@]}"; do write_rotate_lua "$TMP/paths-$v-$size.txt" "$TMP/rotate-$v-$size.lua"; done
done

# --- servers ---------------------------------------------------------------------------
ORIGIN_LOG="$TMP/origin-access.log"
start_origin "$ORIGIN_PORT" "$TMP/origin" "$WORKERS" "$ORIGIN_LOG"
[[ $run_ours -eq 0 ]] || start_edge edge "${PORT[ours]}" "$TMP/edge" "$WORKERS" "http://$HOST:$ORIGIN_PORT" "${EDGE_FLAGS[@]}"
[[ $run_nginx -eq 0 ]] || start_nginx_cache "${PORT[nginx]}" "$ORIGIN_PORT" "$WORKERS" off "$NGINX_SECRET"

# --- correctness: every variant's first path gives the origin's bytes; forgeries fail ---
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$1"; }
expect_status() { # url status what
  local got
  got="$(status_of "$1")"
  [[ "$got" == "$2" ]] || die "$3: expected $2, got $got ($1)"
}
flip_last() { # token -> the same token with its last character changed (a bad signature)
  local t="$1" c="${1: -1}"
  [[ $c == A ]] && c=B || c=A
  printf '%s%s' "${t%?}" "$c"
}
for v in "${variants[@]}"; do
  base="http://$HOST:${PORT[${SERVER[$v]}]}"
  for size in 1k 2m; do
    p="$(head -n 1 "$TMP/paths-$v-$size.txt")"
    curl -fsS --max-time 10 -o "$TMP/check.bin" "$base$p" || die "$v: GET $p failed ($(status_of "$base$p"))"
    cmp -s "$TMP/check.bin" "$MEDIA/$size-1.m4s" || die "$v: $p differs from the origin's file"
  done
done
rm -f "$TMP/check.bin"
if [[ $run_ours -eq 1 ]]; then
  base="http://$HOST:${PORT[ours]}"
  expect_status "$base/m/$(flip_last "$TOKEN1")/$TITLE/1k-1.m4s" 403 "our edge, a token with a changed signature"
  expect_status "$base/m/$(cat "$TMP/other-title-token.txt")/$TITLE/1k-1.m4s" 403 "our edge, another title's token"
  expect_status "$base/m/${TOKEN1/p1./p2.}/$TITLE/1k-1.m4s" 403 "our edge, a token of an unknown kind"
fi
if [[ $run_nginx -eq 1 ]]; then
  link1="$(head -n 1 "$TMP/links.txt")"
  expect_status "http://$HOST:${PORT[nginx]}/m/$(flip_last "${link1%,*}"),${link1#*,}/$TITLE/1k-1.m4s" 403 "nginx, a link with a changed MD5"
fi
log "every variant serves the origin's bytes; forged tokens get 403"

# Warm: every object is a HIT in each cache (the token variants share the edge's copy).
for s in ours nginx; do
  [[ $s == ours && $run_ours -eq 1 || $s == nginx && $run_nginx -eq 1 ]] || continue
  urls=()
  for size in 1k 2m; do while read -r p; do urls+=("http://$HOST:${PORT[$s]}$p"); done <"$TMP/paths-public-$size.txt"; done
  warm "${urls[@]}"
done
if [[ $run_ours -eq 1 ]]; then
  state="$(cache_state "http://$HOST:${PORT[ours]}/m/$TOKEN1/$TITLE/1k-2.m4s")"
  [[ "$state" == HIT ]] || die "a token path does not hit the copy the public path cached (X-Cache: $state)"
fi
log "all $((2 * OBJECTS)) objects answer HIT, with and without a token"

# --- measurements ----------------------------------------------------------------------
declare -A RESULT=() FETCHED=()
bench_one() { # variant size round
  local v="$1" size="$2" r="$3" before after
  before="$(count_media "$ORIGIN_LOG")"
  log "round $r: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $size objects: $v"
  RESULT[$v,$size,$r]="$(measure_wrk "http://$HOST:${PORT[${SERVER[$v]}]}/" "$TMP/rotate-$v-$size.lua" "$TMP/wrk-$v-$size-$r.txt")"
  after="$(count_media "$ORIGIN_LOG")"
  FETCHED[$v,$size,$r]=$((after - before))
}

neighbours_start
# Rounds of every variant, the order rotating, so a neighbour's burst lands on different
# variants; the medians over rounds are what counts.
n=${#variants[@]}
k=0
for size in 1k 2m; do
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((j = 0; j < n; j++)); do bench_one "${variants[$(((j + k) % n))]}" "$size" "$r"; done
    k=$((k + 1))
  done
done
LOAD_AFTER="$(load_avg)"
neighbours_stop
NEIGHBOURS="$(neighbours_summary)"

# --- report ----------------------------------------------------------------------------
field() { # FIELD variant size round -> number or "" (1 rps, 2 bytes/s, 3 p50, 4 p99, 5 errors, 6 non-2xx, 7 requests)
  local v="${RESULT[$2,$3,$4]:-}"
  [[ -n "$v" ]] || return 0
  awk -v f="$1" '{ print $f }' <<<"$v"
}
gbit() { [[ -n "$1" ]] && awk -v b="$1" 'BEGIN { printf "%.3f", b * 8 / 1e9 }'; return 0; }
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%s", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
metric() { # name variant size -> median over rounds
  local r vals=""
  for ((r = 1; r <= ROUNDS; r++)); do
    case "$1" in
      rps) vals+="$(field 1 "$2" "$3" "$r") " ;;
      gbit) vals+="$(gbit "$(field 2 "$2" "$3" "$r")") " ;;
      p50) vals+="$(field 3 "$2" "$3" "$r") " ;;
      p99) vals+="$(field 4 "$2" "$3" "$r") " ;;
    esac
  done
  median <<<"$vals"
}
spread() { # name variant size -> "min–max" over rounds
  local r vals=""
  for ((r = 1; r <= ROUNDS; r++)); do
    case "$1" in
      rps) vals+="$(field 1 "$2" "$3" "$r") " ;;
      gbit) vals+="$(gbit "$(field 2 "$2" "$3" "$r")") " ;;
    esac
  done
  tr ' ' '\n' <<<"$vals" | awk 'NF' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s–%s", lo, hi }'
}
# cost a b -> 1 - a/b as a percentage with one decimal (what b's extra work costs a)
cost() { [[ -n "$1" && -n "$2" ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f%%", (1 - a / b) * 100 }'; return 0; }

echo
echo "Playback tokens on the edge: cache hits with and without a token, against nginx ${NGINX_VERSION:-(not run)} proxy_cache"
echo "workers: ours --workers=$WORKERS, nginx worker_processes $WORKERS; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency"
echo "(after a ${WARMUP}s warm-up), $ROUNDS round(s) per variant in rotating order, medians shown; $OBJECTS objects per size, all HITs;"
echo "upstream: our origin (--workers=$WORKERS); $(nproc)-core machine; load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo "while measuring, $NEIGHBOURS"
for v in "${variants[@]}"; do printf '  %-11s %s\n' "$v" "${DESCRIBE[$v]}"; done
printf '%-6s %-11s %12s %10s %9s %9s  %s\n' object variant requests/s Gbit/s "p50 ms" "p99 ms" "requests/s over rounds"
for size in 1k 2m; do
  name="1 KiB"
  [[ $size == 2m ]] && name="2 MiB"
  for v in "${variants[@]}"; do
    printf '%-6s %-11s %12s %10s %9s %9s  %s\n' "$name" "$v" "$(cell "$(metric rps "$v" "$size")")" "$(cell "$(metric gbit "$v" "$size")")" \
      "$(cell "$(metric p50 "$v" "$size")")" "$(cell "$(metric p99 "$v" "$size")")" "$(cell "$(spread rps "$v" "$size")")"
  done
done
# The figures the issue asks for.
PAIRS=("token public" "tokens public" "token nginx" "tokens nginx" "tokens nginx-link" "nginx-link nginx")
echo "ratios of the medians (requests/s and Gbit/s: > 1 favours the first; p99: < 1 favours the first):"
printf '%-20s %-6s %11s %11s %11s %11s\n' pair object requests/s Gbit/s p99 "cost (req/s)"
for pair in "${PAIRS[@]}"; do
  read -r a b <<<"$pair"
  has "$a" && has "$b" || continue
  for size in 1k 2m; do
    name="1 KiB"
    [[ $size == 2m ]] && name="2 MiB"
    printf '%-20s %-6s %11s %11s %11s %11s\n' "$a/$b" "$name" "$(cell "$(ratio "$(metric rps "$a" "$size")" "$(metric rps "$b" "$size")")")" \
      "$(cell "$(ratio "$(metric gbit "$a" "$size")" "$(metric gbit "$b" "$size")")")" \
      "$(cell "$(ratio "$(metric p99 "$a" "$size")" "$(metric p99 "$b" "$size")")")" \
      "$(cell "$(cost "$(metric rps "$a" "$size")" "$(metric rps "$b" "$size")")")"
  done
done
echo "targets (issue 9): token checking costs < 5 % of requests/s (token/public, tokens/public), and the edge stays >= 1.0x nginx"
for key in "${!RESULT[@]}"; do
  IFS=, read -r v size r <<<"$key"
  e="$(field 5 "$v" "$size" "$r")" x="$(field 6 "$v" "$size" "$r")"
  if [[ $e -gt 0 || $x -gt 0 ]]; then echo "WARNING: $v $size round $r: $e socket errors, $x non-2xx/3xx responses"; fi
  if [[ ${FETCHED[$key]} -gt 0 ]]; then echo "WARNING: $v $size round $r: the origin saw ${FETCHED[$key]} requests (not all hits)"; fi
done

variant_json() { # variant size
  local v="$1" size="$2" r sep=""
  printf '{"requests_per_sec": %s, "gbit_per_sec": %s, "latency_p50_ms": %s, "latency_p99_ms": %s, "rounds": [' \
    "$(json_num "$(metric rps "$v" "$size")")" "$(json_num "$(metric gbit "$v" "$size")")" \
    "$(json_num "$(metric p50 "$v" "$size")")" "$(json_num "$(metric p99 "$v" "$size")")"
  for ((r = 1; r <= ROUNDS; r++)); do
    [[ -n "${RESULT[$v,$size,$r]:-}" ]] || continue
    printf '%s{"requests_per_sec": %s, "transfer_bytes_per_sec": %s, "latency_p50_ms": %s, "latency_p99_ms": %s, "requests": %s, "socket_errors": %s, "non_2xx_3xx": %s, "origin_requests_during_run": %s}' \
      "$sep" "$(field 1 "$v" "$size" "$r")" "$(field 2 "$v" "$size" "$r")" "$(field 3 "$v" "$size" "$r")" "$(field 4 "$v" "$size" "$r")" \
      "$(field 7 "$v" "$size" "$r")" "$(field 5 "$v" "$size" "$r")" "$(field 6 "$v" "$size" "$r")" "${FETCHED[$v,$size,$r]}"
    sep=", "
  done
  printf ']}'
}
mkdir -p "$(dirname "$OUT")"
{
  printf '{\n  "benchmark": "edge-tokens",\n'
  printf '  "date": "%s",\n  "git_commit": "%s",\n  "nproc": %s,\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git_commit)" "$(nproc)"
  printf '  "load_average_before": "%s",\n  "load_average_after": "%s",\n  "neighbours": "%s",\n' "$LOAD_BEFORE" "$LOAD_AFTER" "$NEIGHBOURS"
  printf '  "config": {"workers": %s, "seconds": %s, "wrk_threads": %s, "wrk_connections": %s, "warmup_seconds": %s, "rounds": %s, "objects_per_size": %s, "viewers": %s, "nginx_version": "%s", "variants": "%s", "edge_flags": "%s"},\n' \
    "$WORKERS" "$DURATION" "$THREADS" "$CONNECTIONS" "$WARMUP" "$ROUNDS" "$OBJECTS" "$VIEWERS" "$NGINX_VERSION" "${variants[*]}" "${EDGE_FLAGS[*]}"
  printf '  "ratio_convention": "first/second of each pair, from the medians over rounds: > 1 is better for requests and Gbit/s, < 1 is better for latency",\n'
  printf '  "results": {\n'
  ssep=""
  for size in 1k 2m; do
    printf '%s    "%s": {\n' "$ssep" "$size"
    for v in "${variants[@]}"; do printf '      "%s": %s,\n' "$v" "$(variant_json "$v" "$size")"; done
    printf '      "ratios": {'
    psep=""
    for pair in "${PAIRS[@]}"; do
      read -r a b <<<"$pair"
      has "$a" && has "$b" || continue
      printf '%s"%s/%s": {"requests_per_sec": %s, "gbit_per_sec": %s, "latency_p99_ms": %s}' "$psep" "$a" "$b" \
        "$(json_num "$(ratio "$(metric rps "$a" "$size")" "$(metric rps "$b" "$size")")")" \
        "$(json_num "$(ratio "$(metric gbit "$a" "$size")" "$(metric gbit "$b" "$size")")")" \
        "$(json_num "$(ratio "$(metric p99 "$a" "$size")" "$(metric p99 "$b" "$size")")")"
      psep=", "
    done
    printf '}\n    }'
    ssep=$',\n'
  done
  printf '\n  }\n}\n'
} >"$OUT"
log "results written to $OUT"
