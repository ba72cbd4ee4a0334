#!/usr/bin/env bash
# Protection benchmark, on demand only (not in CI). Two questions from issue 10:
#   1. What does encryption add to packaging a ladder? The default H.264 ladder up to
#      1080p (plus AAC) is encoded once with rs-transcode (that wall time is the
#      reference); then every rung is packaged clear, 'cenc', 'cbcs' and as the HLS
#      AES-128 variant with rs-package, in the same run, BENCH_REPEAT rounds in turn
#      (the fastest round counts). A protected title is packaged as CENC + AES-128
#      (docs/protection.md), so its extra cost is (cenc|cbcs) + aes128 - clear.
#      Target: < 3 % of the encode wall time.
#   2. How fast is our sample encryptor? rs-package bench-cipher encrypts BENCH_MIB MiB
#      of 16 KiB samples in place (one 32-byte clear run each, like a slice header, and
#      a fresh IV per sample) with 'cenc'; `openssl speed -evp aes-128-ctr -bytes 16384`
#      is the ceiling on this machine. openssl speed divides by user CPU time unless
#      given -elapsed, so both are compared both ways (CPU time, and wall time against
#      -elapsed), alternating, best of BENCH_CIPHER_ROUNDS each. Target: >= 0.8x.
#      ('cbcs' touches one block in ten: its figure is shown against aes-128-cbc for
#      what it is, not as a like-for-like ratio.)
#
#   tests/bench/protection.sh                    # 30 s source, 5 rounds
#   BENCH_SECONDS=10 BENCH_REPEAT=3 tests/bench/protection.sh
#
# Knobs: BENCH_SECONDS (30), BENCH_REPEAT (5), BENCH_MIB (2048), BENCH_CIPHER_ROUNDS (3),
# BENCH_PRESET (veryfast),
# RS_TRANSCODE / RS_PACKAGE (found in build/release), BENCH_OUT
# (build/bench/protection.json), BENCH_KEEP_TMP (keep the files).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${BENCH_SECONDS:-30}"
REPEAT="${BENCH_REPEAT:-5}"
MIB="${BENCH_MIB:-2048}"
CIPHER_ROUNDS="${BENCH_CIPHER_ROUNDS:-3}"
PRESET="${BENCH_PRESET:-veryfast}"
OUT="${BENCH_OUT:-$ROOT/build/bench/protection.json}"
RS_TRANSCODE="${RS_TRANSCODE:-$ROOT/build/release/modules/media/rs-transcode}"
RS_PACKAGE="${RS_PACKAGE:-$ROOT/build/release/modules/package/rs-package}"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

[[ "$DURATION" =~ ^[0-9]+$ && $DURATION -ge 4 ]] || die "BENCH_SECONDS must be a whole number >= 4"
[[ "$REPEAT" =~ ^[0-9]+$ && $REPEAT -ge 1 ]] || die "BENCH_REPEAT must be a whole number >= 1"
[[ -x "$RS_TRANSCODE" ]] || die "rs-transcode not found at $RS_TRANSCODE (cmake --build build/release --target rs-transcode)"
[[ -x "$RS_PACKAGE" ]] || die "rs-package not found at $RS_PACKAGE (cmake --build build/release --target rs-package)"
for t in ffmpeg openssl python3; do command -v "$t" >/dev/null || die "$t not found"; done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/protection-bench.XXXXXX")"
cleanup() { if [[ -n "${BENCH_KEEP_TMP:-}" ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi; }
trap cleanup EXIT
now() { date +%s.%N; }

# Test keys for the benchmark only.
KEY=000102030405060708090a0b0c0d0e0f
KID=101112131415161718191a1b1c1d1e1f

log "generating a ${DURATION} s 1080p30 source (testsrc2 + noise, AAC)"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=s=1920x1080:r=30:d=$DURATION" -f lavfi -i "sine=f=440:r=48000:d=$DURATION" \
  -vf "noise=alls=12:allf=t" -c:v libx264 -preset superfast -crf 26 -pix_fmt yuv420p \
  -c:a aac -b:a 192k -ac 2 -shortest "$TMP/source.mp4"

LADDER="240p:235,360p:750,480p:1750,720p:3000,1080p:4500"
log "encoding the ladder ($LADDER, $PRESET) with rs-transcode"
t0=$(now)
"$RS_TRANSCODE" "$TMP/source.mp4" "$TMP/enc" --ladder "$LADDER" --codec h264 --preset "$PRESET" --segment-seconds 4 \
  >"$TMP/transcode.json" 2>"$TMP/transcode.log" || { tr '\r' '\n' <"$TMP/transcode.log" | tail -5 >&2; die "rs-transcode failed"; }
t1=$(now)
ENCODE_WALL=$(python3 -c "print($t1 - $t0)")
log "  encode: $ENCODE_WALL s wall; load $(cut -d' ' -f1 /proc/loadavg)"

TRACKS=("$TMP"/enc/video-*.mp4 "$TMP/enc/audio.mp4")
[[ -f "$TMP/enc/audio.mp4" ]] || die "rs-transcode wrote no audio.mp4"
RESULTS="$TMP/rounds.txt"
: >"$RESULTS"
for ((round = 1; round <= REPEAT; round++)); do
  for mode in clear cenc cbcs aes128; do
    total=0
    for track in "${TRACKS[@]}"; do
      out="$TMP/pkg/$mode/$(basename "$track" .mp4)"
      rm -rf "$out"
      case "$mode" in
        clear) args=(split "$track" "$out") ;;
        cenc|cbcs) args=(split "$track" "$out" --scheme="$mode" --key="$KEY" --kid="$KID") ;;
        aes128) args=(aes128 "$track" "$out" --key="$KEY") ;;
      esac
      s=$("$RS_PACKAGE" "${args[@]}" | python3 -c "import json,sys; print(json.load(sys.stdin)['seconds'])")
      total=$(python3 -c "print($total + $s)")
    done
    echo "$round $mode $total" >>"$RESULTS"
    log "  round $round: $mode packaging ${total} s (${#TRACKS[@]} tracks)"
  done
done

log "encryptor throughput: rs-package bench-cipher vs openssl speed (16 KiB blocks), $CIPHER_ROUNDS rounds"
CIPHER="$TMP/cipher.txt"
: >"$CIPHER"
speed() {  # cipher [-elapsed] → thousands of bytes per second for 16 KiB blocks
  openssl speed "${@:2}" -evp "$1" -seconds 1 -bytes 16384 2>/dev/null | awk -v c="$1" 'tolower($1) == c { print $NF }' | tr -d k
}
for ((round = 1; round <= CIPHER_ROUNDS; round++)); do
  echo "ours-cenc $("$RS_PACKAGE" bench-cipher --scheme=cenc --mib="$MIB")" >>"$CIPHER"
  echo "ours-cbcs $("$RS_PACKAGE" bench-cipher --scheme=cbcs --mib="$MIB")" >>"$CIPHER"
  echo "openssl-ctr-user $(speed aes-128-ctr)" >>"$CIPHER"
  echo "openssl-ctr-elapsed $(speed aes-128-ctr -elapsed)" >>"$CIPHER"
  echo "openssl-cbc-user $(speed aes-128-cbc)" >>"$CIPHER"
  log "  round $round done; load $(cut -d' ' -f1 /proc/loadavg)"
done

mkdir -p "$(dirname "$OUT")"
python3 - "$RESULTS" "$ENCODE_WALL" "$CIPHER" "$OUT" "$DURATION" "$REPEAT" <<'PY'
import json, sys
rounds, encode, cipher, out, duration, repeat = sys.argv[1:7]
best = {}
for line in open(rounds):
    _, mode, seconds = line.split()
    best[mode] = min(best.get(mode, float("inf")), float(seconds))
encode = float(encode)
top = {}
for line in open(cipher):
    name, value = line.split(" ", 1)
    if name.startswith("ours"):
        v = json.loads(value)
        for k in ("MBps", "MBpsCpu"):
            top[f"{name}-{k}"] = max(top.get(f"{name}-{k}", 0), v[k])
    else:
        top[name] = max(top.get(name, 0), float(value) * 1000 / 1e6)  # openssl: 1000s of bytes/s
extra = {s: best[s] + best["aes128"] - best["clear"] for s in ("cenc", "cbcs")}
cpu_ratio = top["ours-cenc-MBpsCpu"] / top["openssl-ctr-user"]
wall_ratio = top["ours-cenc-MBps"] / top["openssl-ctr-elapsed"]
result = {
    "sourceSeconds": int(duration), "rounds": int(repeat), "encodeWallSeconds": round(encode, 3),
    "packagingSeconds": {m: round(v, 4) for m, v in best.items()},
    "protectedExtraSeconds": {s: round(v, 4) for s, v in extra.items()},
    "protectedExtraPercentOfEncode": {s: round(100 * v / encode, 3) for s, v in extra.items()},
    "cipherMBps": {k: round(v, 1) for k, v in top.items()},
    "cencVsOpensslCtr": {"cpuTime": round(cpu_ratio, 3), "wallTime": round(wall_ratio, 3)},
}
json.dump(result, open(out, "w"), indent=2)
print(f"encode (rs-transcode, 5 rungs + AAC, {duration} s source): {encode:.2f} s wall")
print(f"packaging, fastest of {repeat} rounds:  " + "  ".join(f"{m} {best[m]:.3f} s" for m in ("clear", "cenc", "cbcs", "aes128")))
for s in ("cenc", "cbcs"):
    pct = 100 * extra[s] / encode
    print(f"protected ({s} + AES-128 variant) adds {extra[s]:.3f} s = {pct:.2f} % of encode wall time  (target < 3 %: {'met' if pct < 3 else 'MISSED'})")
print(f"encryptor, cenc, 16 KiB samples: {top['ours-cenc-MBpsCpu']:.0f} MB/s per CPU second vs openssl aes-128-ctr {top['openssl-ctr-user']:.0f} = {cpu_ratio:.2f}x;"
      f" wall {top['ours-cenc-MBps']:.0f} vs openssl -elapsed {top['openssl-ctr-elapsed']:.0f} = {wall_ratio:.2f}x"
      f"  (target >= 0.8x: {'met' if min(cpu_ratio, wall_ratio) >= 0.8 else 'MISSED'})")
print(f"encryptor, cbcs: {top['ours-cbcs-MBpsCpu']:.0f} MB/s of samples per CPU second (1 block in 10 encrypted) vs openssl aes-128-cbc {top['openssl-cbc-user']:.0f}")
print(f"wrote {out}")
PY
