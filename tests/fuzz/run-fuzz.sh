#!/usr/bin/env bash
# Fuzzes one target for SECONDS (default 60) with libFuzzer + ASan/UBSan: the HTTP
# request parser (default), the player's MPD or HLS reader, or a credential parser.
# Usage: tests/fuzz/run-fuzz.sh [SECONDS] [TARGET]
# TARGET: requestparser | mpd | hls | playbacktoken | servicetoken | keyring | credentials
set -euo pipefail

seconds="${1:-60}"
target="${2:-requestparser}"
case "$target" in requestparser | mpd | hls | playbacktoken | servicetoken | keyring | credentials) ;; *) echo "run-fuzz: unknown target '$target'" >&2; exit 2 ;; esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/build/fuzz"
corpus="$build/corpus/$target"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER=clang++ -DREELSTACK_DESKTOP=OFF -DREELSTACK_TESTS=ON
cmake --build "$build" --target "fuzz_$target"

# libFuzzer adds what it finds to the corpus directory, so it works on a copy: the
# checked-in seeds stay small and reviewable, and earlier runs' findings are kept.
mkdir -p "$corpus"
cp -n "$root"/tests/fuzz/corpus/"$target"/* "$corpus"/

cd "$build"  # crash-*/leak-* reproducers land here
max_len=4096
[[ "$target" == mpd || "$target" == hls ]] && max_len=65536
"$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 \
  -max_len="$max_len" "$corpus"
