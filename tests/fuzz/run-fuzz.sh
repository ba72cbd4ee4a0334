#!/usr/bin/env bash
# Fuzzes the HTTP request parser for SECONDS (default 60) with libFuzzer + ASan/UBSan.
# Usage: tests/fuzz/run-fuzz.sh [SECONDS]
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="$root/build/fuzz"
corpus="$build/corpus/requestparser"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER=clang++ -DREELSTACK_DESKTOP=OFF -DREELSTACK_TESTS=ON
cmake --build "$build" --target fuzz_requestparser

# libFuzzer adds what it finds to the corpus directory, so it works on a copy: the
# checked-in seeds stay small and reviewable, and earlier runs' findings are kept.
mkdir -p "$corpus"
cp -n "$root"/tests/fuzz/corpus/requestparser/* "$corpus"/

cd "$build"  # crash-*/leak-* reproducers land here
"$build/tests/fuzz/fuzz_requestparser" -max_total_time="$seconds" -print_final_stats=1 \
  -max_len=4096 "$corpus"
