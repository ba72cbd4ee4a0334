#!/usr/bin/env bash
# Runs the benchmarks in tests/bench/: every *.sh here except this one, one after
# another, or only those named on the command line (e.g. `run-all.sh static-files`).
# Keeps going when one fails; exits 1 if any did. On demand only, not in CI.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SELF="$(basename "${BASH_SOURCE[0]}")"

benches=()
if [[ $# -gt 0 ]]; then
  for name in "$@"; do
    name="${name%.sh}"
    [[ -f "$DIR/$name.sh" && "$name.sh" != "$SELF" ]] || {
      echo "run-all: no benchmark named '$name' in $DIR" >&2
      exit 2
    }
    benches+=("$DIR/$name.sh")
  done
else
  for f in "$DIR"/*.sh; do
    [[ "$(basename "$f")" == "$SELF" ]] || benches+=("$f")
  done
fi
[[ ${#benches[@]} -gt 0 ]] || { echo "run-all: no benchmarks in $DIR" >&2; exit 2; }

failed=()
for f in "${benches[@]}"; do
  echo "=== $(basename "$f" .sh)"
  if bash "$f"; then
    echo "=== $(basename "$f" .sh): done"
  else
    echo "=== $(basename "$f" .sh): FAILED (exit $?)"
    failed+=("$(basename "$f" .sh)")
  fi
done

echo "run-all: $((${#benches[@]} - ${#failed[@]})) of ${#benches[@]} benchmarks finished${failed[*]:+; failed: ${failed[*]}}"
[[ ${#failed[@]} -eq 0 ]]
