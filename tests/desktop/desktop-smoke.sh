#!/usr/bin/env bash
# The desktop shell under a virtual X display: the window's WebEngine view must load
# the UI from the api role and run its script, signed in without a password prompt by
# the local admin token (app/desktop/localsignin.h): the page's header shows the admin
# token's user, the admin-only /api/v1/status answers it 200 (access log), nothing was
# refused 401, a request the page sends to another port of this host carries no
# Authorization header, and SIGTERM must still exit 0 within 5 s.
set -euo pipefail

PLATFORM="${1:?usage: desktop-smoke.sh PATH/TO/platform}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
pid=""
probe_pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  [[ -n "$probe_pid" ]] && kill "$probe_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

listen=()
for r in api origin edge control license monitor; do listen+=("--$r-listen=127.0.0.1:0"); done

# The window's page is read through Qt WebEngine's remote debugging, on a free port.
debug_port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"

# xvfb-run starts the X server, runs the command and stops the server after it.
QTWEBENGINE_REMOTE_DEBUGGING="127.0.0.1:$debug_port" xvfb-run -a -s "-screen 0 1280x800x24" \
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

# Signed in: the header names the local admin token's user, with the admin role, and
# the page never met a 401 (no login page on the way).
user=""
for _ in $(seq 1 100); do
  user="$(node --experimental-websocket "$here/page-eval.mjs" "$debug_port" \
    "(() => { const u = document.getElementById('user'); return u && !u.hidden ? document.getElementById('user-name').textContent + ' | ' + document.getElementById('user-role').textContent + ' | ' + u.dataset.via : null; })()" \
    2>/dev/null || true)"
  [[ "$user" == \"local* ]] && break
  sleep 0.2
done
[[ "$user" =~ ^\"local.*\|\ admin\ \|\ token\"$ ]] || fail "the window's header does not show the local admin token's user (got: ${user:-nothing})"
grep -q '"path":"/api/v1/session","status":200' "$work/access.log" || fail "GET /api/v1/session did not answer 200"
if grep -q '"status":401' "$work/access.log"; then fail "a request of the window was refused 401: $(grep '"status":401' "$work/access.log" | head -n 3)"; fi
grep -q 'desktop window: signed in to' "$work/platform.log" || fail "the shell did not say it signed the window in"
login_shown="$(node --experimental-websocket "$here/page-eval.mjs" "$debug_port" "!!document.getElementById('login-form')" 2>/dev/null || true)"
[[ "$login_shown" == "false" ]] || fail "the window shows the login page"

# The token is for the api's origin only: not even another port of the same host
# (where origin and edge listen) may see it.
node "$here/header-probe.mjs" "$work/probe.port" "$work/probe.log" &
probe_pid=$!
for _ in $(seq 1 50); do [[ -s "$work/probe.port" ]] && break; sleep 0.1; done
probe_port="$(cat "$work/probe.port" 2>/dev/null || true)"
[[ -n "$probe_port" ]] || fail "the header probe did not start"
fetched="$(node --experimental-websocket "$here/page-eval.mjs" "$debug_port" \
  "fetch('http://127.0.0.1:$probe_port/probe').then((r) => r.text())" 2>&1 || true)"
[[ "$fetched" == '"ok"' ]] || fail "the page could not fetch from another port: $fetched"
grep -q '^GET /probe ' "$work/probe.log" || fail "the probe saw no request"
if grep -q 'authorization=yes' "$work/probe.log"; then
  fail "a request to another origin carried an Authorization header: $(cat "$work/probe.log")"
fi

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
echo "desktop-smoke: window loaded the UI signed in as ${user}; SIGTERM exit 0 in ${elapsed_ms} ms"
