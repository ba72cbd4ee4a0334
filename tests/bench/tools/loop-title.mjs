// Makes a longer title from a packaged one by playing it LOOPS times in a row: every
// SegmentTimeline's entries repeated (the first entry's @t dropped after the first
// pass), the durations multiplied, and segment files seg-N hard-linked to the source's
// seg-((N-1) mod count + 1), so every size is a real encoded segment's.
//
//   node loop-title.mjs SRC_DIR DST_DIR LOOPS
import { linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [src, dst, loopsArg] = process.argv.slice(2);
const loops = Number(loopsArg);
if (!src || !dst || !(loops >= 1)) throw new Error('usage: loop-title.mjs SRC_DIR DST_DIR LOOPS');
let mpd = readFileSync(path.join(src, 'manifest.mpd'), 'utf8');
mpd = mpd.replace(/<SegmentTimeline>([\s\S]*?)<\/SegmentTimeline>/g, (_, body) => {
  const again = body.replace(/ t="\d+"/, '');
  return `<SegmentTimeline>${body}${again.repeat(loops - 1)}</SegmentTimeline>`;
});
mpd = mpd.replace(/mediaPresentationDuration="PT([0-9.]+)S"/, (_, s) => `mediaPresentationDuration="PT${(Number(s) * loops).toFixed(3)}S"`);
mkdirSync(dst, { recursive: true });
writeFileSync(path.join(dst, 'manifest.mpd'), mpd);
for (const kind of ['video', 'audio']) {
  for (const rung of readdirSync(path.join(src, kind))) {
    const from = path.join(src, kind, rung);
    const to = path.join(dst, kind, rung);
    mkdirSync(to, { recursive: true });
    linkSync(path.join(from, 'init.mp4'), path.join(to, 'init.mp4'));
    const count = readdirSync(from).filter((f) => /^seg-\d+\.m4s$/.test(f)).length;
    for (let n = 1; n <= count * loops; n++) linkSync(path.join(from, `seg-${(n - 1) % count + 1}.m4s`), path.join(to, `seg-${n}.m4s`));
  }
}
