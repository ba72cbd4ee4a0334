// Seek-preview thumbnails from a WebVTT file whose cues point into a sprite:
//
//   00:00:05.000 --> 00:00:10.000
//   thumbs.jpg#xywh=160,0,160,90
//
// parseThumbnails(text, baseUrl) → [{start, end, url, x, y, w, h}], sorted by start.

function vttTime(s) {
  const parts = s.trim().split(':').map(Number);
  if (parts.some((p) => !Number.isFinite(p))) return NaN;
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

export function parseThumbnails(text, baseUrl) {
  const cues = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const i = lines.findIndex((l) => l.includes('-->'));
    if (i < 0 || i + 1 >= lines.length) continue;
    const [a, b] = lines[i].split('-->');
    const start = vttTime(a);
    const end = vttTime(b.trim().split(/\s+/)[0]);
    const target = lines[i + 1].trim();
    const hash = target.indexOf('#xywh=');
    const url = new URL(hash < 0 ? target : target.slice(0, hash), baseUrl).href;
    const [x, y, w, h] = hash < 0 ? [0, 0, 0, 0] : target.slice(hash + 6).split(',').map(Number);
    if (Number.isFinite(start) && Number.isFinite(end)) cues.push({ start, end, url, x, y, w, h });
  }
  return cues.sort((p, q) => p.start - q.start);
}

export function thumbnailAt(cues, t) {
  let lo = 0;
  let hi = cues.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cues[mid].end <= t) lo = mid + 1;
    else if (cues[mid].start > t) hi = mid - 1;
    else return cues[mid];
  }
  return null;
}
