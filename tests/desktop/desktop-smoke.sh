#!/usr/bin/env bash
# The desktop shell under a virtual X display: the window's WebEngine view must load
# the status page from the api role and run its script (seen as requests for
# /api/v1/status in the access log), and SIGTERM must still exit 0 within 5 s.
set -euo pipefail

PLATFORM="${1:?usage: desktop-smoke.sh PATH/TO/platform}"
work="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

listen=()
for r in api origin edge control license monitor; do listen+=("--$r-listen=127.0.0.1:0"); done

# xvfb-run starts the X server, runs the command and stops the server after it.
xvfb-run -a -s "-screen 0 1280x800x24" \
  "$PLATFORM" --data-dir "$work/data" --access-log="$work/access.log" "${listen[@]}" \
  >"$work/platform.log" 2>&1 &
pid=$!

fail() {
  echo "desktop-smoke: FAIL: $*" >&2
  echo "--- platform log (tail) ---" >&2
  tail -n 40 "$work/platform.log" >&2 || true
  exit 1
}

# The page polls /api/v1/status every 2 s once its script runs in the window.
for _ in $(seq 1 300); do
  if [[ -f "$work/access.log" ]] && grep -q '"path":"/api/v1/status","status":200' "$work/access.log"; then
    break
  fi
  kill -0 "$pid" 2>/dev/null || fail "platform exited before the window loaded the page"
  sleep 0.1
done
grep -q '"path":"/api/v1/status","status":200' "$work/access.log" 2>/dev/null ||
  fail "the window never loaded the status page within 30 s"
grep -q '"path":"/ui/app.js","status":200' "$work/access.log" || fail "the page's script was not fetched"
grep -q 'NOT BUILT YET' "$work/platform.log" || fail "pending roles did not announce themselves"

# SIGTERM goes to the platform (a child of xvfb-run); xvfb-run then exits with its code.
platform_pid="$(pgrep -P "$pid" -f -- "--data-dir $work/data" || true)"
[[ -n "$platform_pid" ]] || fail "cannot find the platform process under xvfb-run"
start=$(date +%s%N)
kill -TERM "$platform_pid"
rc=0
wait "$pid" || rc=$?
pid=""
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[[ $rc -eq 0 ]] || fail "exit code $rc after SIGTERM"
[[ $elapsed_ms -lt 5000 ]] || fail "took ${elapsed_ms} ms to exit after SIGTERM"
echo "desktop-smoke: window loaded the status page; SIGTERM exit 0 in ${elapsed_ms} ms"
