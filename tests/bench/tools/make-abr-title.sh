#!/usr/bin/env bash
# Makes the ABR benchmarks' title with the real pipeline: a 2-minute 1080p clip
# (test pattern with a moving fractal, so there is motion to encode) ingested into a
# throw-away stack and encoded to a ladder like the Pensieve study's
# (~300/750/1200/1850/2850/4300 kbit/s, bitrate-targeted VBV, 4 s segments). The
# packaged title lands in OUTDIR/data/media/<id>/ with its id in OUTDIR/title-id, and
# control's database (the title, ready, in the catalogue) in OUTDIR/data/control/, so
# `platform --role=origin --data-dir=OUTDIR/data` serves it and a stack on a copy of
# OUTDIR/data lists it.
#   tools/make-abr-title.sh OUTDIR
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
PLATFORM="${PLATFORM:-$ROOT/build/release/app/platform}"
OUT="${1:?usage: make-abr-title.sh OUTDIR}"
WORK="$(mktemp -d /tmp/reelstack-abr-title.XXXXXX)"
BASE="${BENCH_TITLE_PORT_BASE:-18380}"
log() { printf 'make-abr-title: %s\n' "$*" >&2; }

ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=120" -f lavfi -i "mandelbrot=size=640x360:rate=30" \
  -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=120" \
  -filter_complex "[0:v][1:v]overlay=x='(W-w)*abs(sin(t/3))':y='(H-h)*abs(cos(t/4))':shortest=1[v]" \
  -map "[v]" -map 2:a -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -b:a 128k "$WORK/source.mp4"
log "source: $(du -h "$WORK/source.mp4" | cut -f1)"

"$PLATFORM" --role=all --headless --data-dir="$WORK/data" --access-log= \
  --api-listen=127.0.0.1:$BASE --origin-listen=127.0.0.1:$((BASE + 1)) --edge-listen=127.0.0.1:$((BASE + 2)) \
  --control-listen=127.0.0.1:$((BASE + 3)) --license-listen=127.0.0.1:$((BASE + 4)) --monitor-listen=127.0.0.1:$((BASE + 5)) \
  --control=http://127.0.0.1:$((BASE + 3)) --segment-seconds=4 --encode-rate-control=vbv \
  --encode-ladder=240p:300,360p:750,480p:1200,720p:1850,900p:2850,1080p:4300 2>"$WORK/stack.log" &
STACK=$!
trap 'kill -TERM $STACK 2>/dev/null || true; wait $STACK 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
# Uploading needs an admin since issue 9: --data-dir hands ingest the stack's local admin
# token (<data-dir>/secrets/local-admin.token, written by the api at start).
for _ in $(seq 1 100); do [[ -s "$WORK/data/secrets/local-admin.token" ]] && break; sleep 0.2; done
"$PLATFORM" ingest "$WORK/source.mp4" --title "ABR benchmark (Pensieve-like ladder)" --api "http://127.0.0.1:$BASE" \
  --data-dir "$WORK/data" --wait >"$WORK/ingest.json"
ID="$(sed -n 's/.*"titleId":"\([^"]*\)".*/\1/p' "$WORK/ingest.json")"
[[ -n "$ID" ]] || { log "ingest failed: $(cat "$WORK/ingest.json")"; exit 1; }
kill -TERM $STACK && wait $STACK || true  # closes the database cleanly before the copy
mkdir -p "$OUT/data/media"
rm -rf "$OUT/data/media/$ID" "$OUT/data/control"
cp -r "$WORK/data/media/$ID" "$OUT/data/media/$ID"
cp -r "$WORK/data/control" "$OUT/data/control"
echo "$ID" >"$OUT/title-id"
log "title $ID in $OUT/data/media/$ID"
