#!/usr/bin/env bash
# Encode-ladder benchmark: ReelStack's one-decode-many-encodes transcoder (rs-transcode)
# against the ffmpeg CLI doing the same H.264 ladder (a) in one command (one decode,
# split into scale + libx264 per rung) and (b) one command per rung, one after the
# other. Same x264 settings everywhere; PSNR of every rung measured the same way for
# ours and (a). On demand only (not in CI).
#
#   tests/bench/encode-ladder.sh                     # 60 s source, every target
#   BENCH_SECONDS=10 tests/bench/encode-ladder.sh    # a quick run
#
# Targets (BENCH_TARGETS, default "ours ours-noq a b"):
#   ours      rs-transcode: probe, one decode, 5 rung threads, AAC, PSNR/SSIM, poster, sprite
#   ours-noq  the same without the PSNR/SSIM pass (what quality measurement costs)
#   a         ffmpeg, one command: split → 5 × (scale bicubic → libx264) + AAC
#   b         ffmpeg, one command per rung, one after the other (+ AAC in the first)
# Knobs: BENCH_SECONDS (60), BENCH_REPEAT (1: rounds of all targets, in turn; the
# fastest round of each counts, as neighbours on a shared machine only slow things
# down), BENCH_PRESET (veryfast), BENCH_CRF (23),
# BENCH_SEGMENT_SECONDS (4), RS_TRANSCODE (found in build/{release,media,dev}),
# BENCH_OUT (build/bench/encode-ladder.json), BENCH_KEEP_TMP (keep the files).
# x264 settings are identical: preset, profile high, crf, maxrate = rung bitrate,
# bufsize = 2 × that, keyint = segment, forced IDR keyframes every segment, scenecut on.
# PSNR is ffmpeg's psnr filter (Y), rung vs the source scaled down with bicubic,
# averaged per frame (as rs-transcode does); ours' self-measured value is shown too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${BENCH_SECONDS:-60}"
PRESET="${BENCH_PRESET:-veryfast}"
CRF="${BENCH_CRF:-23}"
SEGMENT="${BENCH_SEGMENT_SECONDS:-4}"
TARGETS="${BENCH_TARGETS:-ours ours-noq a b}"
REPEAT="${BENCH_REPEAT:-1}"
OUT="${BENCH_OUT:-$ROOT/build/bench/encode-ladder.json}"
RS_TRANSCODE="${RS_TRANSCODE:-}"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

[[ "$DURATION" =~ ^[0-9]+$ && $DURATION -ge 2 ]] || die "BENCH_SECONDS must be a whole number ≥ 2, not '$DURATION'"
[[ "$CRF" =~ ^[0-9]+$ ]] || die "BENCH_CRF must be a whole number"
[[ "$REPEAT" =~ ^[0-9]+$ && $REPEAT -ge 1 ]] || die "BENCH_REPEAT must be a whole number ≥ 1"
[[ "$SEGMENT" =~ ^[0-9]+$ && $SEGMENT -ge 1 ]] || die "BENCH_SEGMENT_SECONDS must be a whole number ≥ 1"
command -v ffmpeg >/dev/null || die "ffmpeg not found"
command -v python3 >/dev/null || die "python3 not found (it builds the table and the JSON)"
if [[ -z "$RS_TRANSCODE" ]]; then
  for b in release media dev; do
    if [[ -x "$ROOT/build/$b/modules/media/rs-transcode" ]]; then RS_TRANSCODE="$ROOT/build/$b/modules/media/rs-transcode"; break; fi
  done
fi
[[ -n "$RS_TRANSCODE" && -x "$RS_TRANSCODE" ]] || die "rs-transcode not found: build the target (cmake --build build/release --target rs-transcode) or set RS_TRANSCODE"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/encode-ladder.XXXXXX")"
cleanup() { if [[ -n "${BENCH_KEEP_TMP:-}" ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi; }
trap cleanup EXIT

now() { date +%s.%N; }
# CPU seconds (user + sys) of a command, when GNU time is there: on a shared machine
# wall time swings with the neighbours, CPU time shows the work done.
declare -A CPU
TIME_BIN="$(command -v /usr/bin/time || true)"
timed() {  # name command...
  local name="$1"
  shift
  if [[ -n "$TIME_BIN" ]]; then
    "$TIME_BIN" -f "%U %S" -o "$TMP/$name.cpu" "$@"
    CPU[$name]=$(awk '{ print $1 + $2 }' "$TMP/$name.cpu")
  else
    "$@"
  fi
}

# --- the source: 1080p30 testsrc2 with temporal noise, so x264 has real work -------
SRC="$TMP/source.mp4"
log "generating a ${DURATION} s 1080p30 source (testsrc2 + noise, AAC stereo)"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=s=1920x1080:r=30:d=$DURATION" -f lavfi -i "sine=f=440:r=48000:d=$DURATION" \
  -vf "noise=alls=12:allf=t" -c:v libx264 -preset superfast -crf 26 -pix_fmt yuv420p \
  -c:a aac -b:a 192k -ac 2 -shortest "$SRC"

# The default ladder up to the source's 1080p: name height kbps width (16:9, nearest even).
RUNGS=("240p 240 235 426" "360p 360 750 640" "480p 480 1750 854" "720p 720 3000 1280" "1080p 1080 4500 1920")
KEYINT=$((SEGMENT * 30))
X264=(-c:v libx264 -preset "$PRESET" -profile:v high -crf "$CRF" -g "$KEYINT" -forced-idr 1
      -force_key_frames "expr:gte(t,n_forced*$SEGMENT)" -pix_fmt yuv420p)
AUDIO=(-c:a aac -b:a 128k -ac 2 -ar 48000)
LADDER=""
for r in "${RUNGS[@]}"; do read -r name h kbps w <<<"$r"; LADDER+="${LADDER:+,}${name}:${kbps}"; done

declare -A WALL
run_ours() {  # name extra-args...
  local name="$1" t0 t1
  shift
  t0=$(now)
  timed "$name" "$RS_TRANSCODE" "$SRC" "$TMP/$name" --ladder "$LADDER" --codec h264 --preset "$PRESET" --crf "$CRF" \
    --rate-control capped-crf --segment-seconds "$SEGMENT" "$@" >"$TMP/$name.json" 2>"$TMP/$name.log" \
    || { tr '\r' '\n' <"$TMP/$name.log" | tail -5 >&2; die "rs-transcode failed"; }
  t1=$(now)
  WALL[$name]=$(python3 -c "print($t1 - $t0)")
}
run_a() {
  local dir="$TMP/a" graph="[0:v]split=${#RUNGS[@]}" maps=() i=0 t0 t1
  mkdir -p "$dir"
  for r in "${RUNGS[@]}"; do graph+="[s$i]"; i=$((i + 1)); done
  i=0
  for r in "${RUNGS[@]}"; do
    read -r name h kbps w <<<"$r"
    graph+=";[s$i]scale=$w:$h:flags=bicubic[o$i]"
    maps+=(-map "[o$i]" "${X264[@]}" -maxrate "${kbps}k" -bufsize "$((2 * kbps))k" "$dir/video-$name.mp4")
    i=$((i + 1))
  done
  t0=$(now)
  timed a ffmpeg -hide_banner -loglevel error -y -i "$SRC" -filter_complex "$graph" "${maps[@]}" \
    -map 0:a "${AUDIO[@]}" "$dir/audio.mp4"
  t1=$(now)
  WALL[a]=$(python3 -c "print($t1 - $t0)")
}
run_b() {
  local dir="$TMP/b" t0 t1 first=1
  mkdir -p "$dir"
  t0=$(now)
  for r in "${RUNGS[@]}"; do
    read -r name h kbps w <<<"$r"
    local audio=(-an)
    if [[ $first -eq 1 ]]; then audio=(-map 0:a "${AUDIO[@]}" "$dir/audio.mp4"); first=0; fi
    timed "b-$name" ffmpeg -hide_banner -loglevel error -y -i "$SRC" -map 0:v -vf "scale=$w:$h:flags=bicubic" "${X264[@]}" \
      -maxrate "${kbps}k" -bufsize "$((2 * kbps))k" "$dir/video-$name.mp4" "${audio[@]}"
  done
  t1=$(now)
  WALL[b]=$(python3 -c "print($t1 - $t0)")
  if [[ -n "$TIME_BIN" ]]; then
    CPU[b]=0
    for r in "${RUNGS[@]}"; do read -r name _ <<<"$r"; CPU[b]=$(python3 -c "print(${CPU[b]} + ${CPU[b-$name]})"); done
  fi
}

declare -A BEST_WALL BEST_CPU ALL_WALL
for ((round = 1; round <= REPEAT; round++)); do
  for t in $TARGETS; do
    case "$t" in
      ours) log "ours: rs-transcode ($LADDER, $PRESET, crf $CRF)"; run_ours ours ;;
      ours-noq) log "ours without PSNR/SSIM"; run_ours ours-noq --no-quality ;;
      a) log "(a): one ffmpeg command, split into ${#RUNGS[@]} scale+libx264 outputs"; run_a ;;
      b) log "(b): one ffmpeg command per rung, sequentially"; run_b ;;
      *) die "BENCH_TARGETS: unknown target '$t' (use: ours ours-noq a b)" ;;
    esac
    log "  $t (round $round): ${WALL[$t]} s wall${CPU[$t]:+, ${CPU[$t]} s CPU}; load $(cut -d' ' -f1 /proc/loadavg)"
    ALL_WALL[$t]+="${ALL_WALL[$t]:+ }${WALL[$t]}"
    if [[ -z "${BEST_WALL[$t]:-}" ]] || python3 -c "import sys; sys.exit(0 if ${WALL[$t]} < ${BEST_WALL[$t]} else 1)"; then
      BEST_WALL[$t]=${WALL[$t]}
      BEST_CPU[$t]=${CPU[$t]:-}
    fi
  done
done
for t in $TARGETS; do WALL[$t]=${BEST_WALL[$t]}; CPU[$t]=${BEST_CPU[$t]}; done

# --- quality: every rung against the source scaled down (bicubic), Y, same way -----
psnr_of() {  # file w h → mean of per-frame Y PSNR (inf capped at 100, like ours)
  local stats="$TMP/psnr-$RANDOM.log"
  ffmpeg -hide_banner -loglevel error -i "$1" -i "$SRC" -lavfi \
    "[0:v]setpts=PTS-STARTPTS[d];[1:v]scale=$2:$3:flags=bicubic,setpts=PTS-STARTPTS[r];[d][r]psnr=stats_file=$stats" \
    -f null - >/dev/null
  python3 - "$stats" <<'EOF'
import re, sys
vals = [min(100.0, float('inf') if m == 'inf' else float(m))
        for m in re.findall(r'psnr_y:([0-9.]+|inf)', open(sys.argv[1]).read())]
print(f"{sum(vals) / len(vals):.4f} {len(vals)}")
EOF
}

log "measuring PSNR (ffmpeg psnr filter, Y, vs the source scaled with bicubic)"
ROWS="$TMP/rows.txt"
: >"$ROWS"
for r in "${RUNGS[@]}"; do
  read -r name h kbps w <<<"$r"
  line="$name $w $h"
  for t in ours a; do
    f="$TMP/$t/video-$name.mp4"
    if [[ -f "$f" ]]; then
      read -r p n <<<"$(psnr_of "$f" "$w" "$h")"
      line+=" $t $p $n $(stat -c %s "$f")"
    fi
  done
  echo "$line" >>"$ROWS"
done

mkdir -p "$(dirname "$OUT")"
ALL=""
if [[ $REPEAT -gt 1 ]]; then for t in $TARGETS; do ALL+="${ALL:+; }$t: ${ALL_WALL[$t]}"; done; fi
BENCH_ALL_WALL="$ALL" python3 - "$ROWS" "$TMP/ours.json" "$OUT" "$DURATION" "$PRESET" "$CRF" "$SEGMENT" \
  "${WALL[ours]:-}" "${WALL[ours-noq]:-}" "${WALL[a]:-}" "${WALL[b]:-}" \
  "${CPU[ours]:-}" "${CPU[ours-noq]:-}" "${CPU[a]:-}" "${CPU[b]:-}" <<'EOF'
import json, os, sys
rows_file, ours_json, out, duration, preset, crf, segment, w_ours, w_noq, w_a, w_b, c_ours, c_noq, c_a, c_b = sys.argv[1:16]
names = ("ours", "ours-noq", "a", "b")
wall = {k: float(v) for k, v in zip(names, (w_ours, w_noq, w_a, w_b)) if v}
cpu = {k: float(v) for k, v in zip(names, (c_ours, c_noq, c_a, c_b)) if v}
ours = json.load(open(ours_json)) if os.path.exists(ours_json) and os.path.getsize(ours_json) else {}
self_psnr = {v["name"]: v["psnr"]["mean"] for v in ours.get("video", [])}
rungs = []
for line in open(rows_file):
    f = line.split()
    row = {"rung": f[0], "width": int(f[1]), "height": int(f[2])}
    i = 3
    while i < len(f):
        row[f[i]] = {"psnr": float(f[i + 1]), "frames": int(f[i + 2]), "kbps": int(f[i + 3]) * 8 / 1000 / float(duration)}
        i += 4
    if row["rung"] in self_psnr:
        row["oursSelfMeasured"] = self_psnr[row["rung"]]
    rungs.append(row)
ratio = lambda x, y: wall[x] / wall[y] if x in wall and y in wall else None
result = {"durationSeconds": float(duration), "preset": preset, "crf": int(crf), "segmentSeconds": int(segment),
          "wallSeconds": wall, "ratioOursOverA": ratio("ours", "a"), "ratioOursOverB": ratio("ours", "b"),
          "ratioOursNoQualityOverA": ratio("ours-noq", "a"), "cpuSeconds": cpu,
          "rungs": rungs}
json.dump(result, open(out, "w"), indent=2)

print(f"\nencode ladder, {duration} s 1080p30 source, x264 {preset} capped crf {crf}, {segment} s segments, {os.cpu_count()} cores")
print("wall time" + (" (fastest of each)" if os.environ.get("BENCH_ALL_WALL") else "") + ": " +
      ", ".join(f"{k} {v:.2f} s" for k, v in wall.items()))
if os.environ.get("BENCH_ALL_WALL"):
    print("all runs:  " + os.environ["BENCH_ALL_WALL"])
    result["allWallSeconds"] = os.environ["BENCH_ALL_WALL"]
    json.dump(result, open(out, "w"), indent=2)
if cpu:
    print("CPU time:  " + ", ".join(f"{k} {v:.2f} s" for k, v in cpu.items()))
for name, r in (("ours/(a)", result["ratioOursOverA"]), ("ours/(b)", result["ratioOursOverB"]),
                ("ours-noq/(a)", result["ratioOursNoQualityOverA"])):
    if r is not None:
        print(f"  {name} = {r:.3f}  ({'ours faster' if r < 1 else 'ours slower'})")
print(f"\n{'rung':<6} {'size':>10} {'ours dB':>8} {'(a) dB':>8} {'diff':>7} {'ours kb/s':>10} {'(a) kb/s':>9} {'self dB':>8}")
for r in rungs:
    o, a = r.get("ours"), r.get("a")
    diff = f"{o['psnr'] - a['psnr']:+.3f}" if o and a else "-"
    print(f"{r['rung']:<6} {str(r['width']) + 'x' + str(r['height']):>10} "
          f"{o['psnr'] if o else float('nan'):8.3f} {a['psnr'] if a else float('nan'):8.3f} {diff:>7} "
          f"{o['kbps'] if o else float('nan'):10.0f} {a['kbps'] if a else float('nan'):9.0f} "
          f"{r.get('oursSelfMeasured', float('nan')):8.3f}")
print(f"\nwritten to {out}")
EOF
