// Test media for the browser tests: a generated source clip, and a packaged title in
// the published layout of docs/media-pipeline.md:
//
//   media/<id>/manifest.mpd  master.m3u8
//             video/<rung>/init.mp4  seg-<n>.m4s  index.m3u8      (n from 1)
//             audio/aac/init.mp4     seg-<n>.m4s  index.m3u8
//             poster.jpg  thumbs.jpg  thumbs.vtt  title.json
//
// prepareTitle() makes the title with the real pipeline: a generated clip uploaded with
// tus, probed, encoded, packaged and published, waited for until ready.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { localToken, redact } from './auth.mjs';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_BIN || 'ffmpeg';

// Two rungs far enough apart that every player tells them apart by height.
export const TEST_RUNGS = [
  { name: '240p', width: 426, height: 240, kbps: 300 },
  { name: '360p', width: 640, height: 360, kbps: 800 },
];
export const TEST_SECONDS = 24;
export const TEST_SEGMENT_SECONDS = 2;

// Every role, with a small ladder and short segments so the encode takes seconds.
export const PIPELINE_ARGS = ['--role=all', `--segment-seconds=${TEST_SEGMENT_SECONDS}`,
  `--encode-ladder=${TEST_RUNGS.map((r) => `${r.name}:${r.kbps}`).join(',')}`];

async function ffmpeg(args) {
  try {
    await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { maxBuffer: 16 << 20 });
  } catch (e) {
    throw new Error(`ffmpeg ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

// An H.264/AAC MP4 with moving test pictures and a tone (for uploads). `kbps` sets a
// video bitrate, to make a file of a given size (about seconds × kbps / 8 KB).
export async function generateClip(file, { seconds = 4, size = '320x180', rate = 25, kbps = 0 } = {}) {
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    // CBR with filler, or test pictures compress far below any requested bitrate.
    ...(kbps ? ['-b:v', `${kbps}k`, '-minrate', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps}k`,
      '-x264-params', 'nal-hrd=cbr'] : []),
    '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', file]);
  return file;
}

// The video rungs of a prepared title, lowest first: [{ name, width, height }].
export function videoRungs(title) {
  return title.renditions.filter((r) => r.kind === 'video')
    .map((r) => ({ name: r.id, width: r.width, height: r.height }))
    .sort((a, b) => a.height - b.height);
}

// "http://o/m/<token>/t_1/manifest.mpd" → "http://o/media/t_1/manifest.mpd": the same
// object (an edge caches it under that name), for comparing URLs minted at other times
// or for other viewers.
export const withoutToken = (url) => String(url).replace(/\/m\/[^/]+\//, '/media/');

// A title made by the real pipeline: a generated clip uploaded with tus to the api
// listener (as an admin: the local admin token), then ingest → probe → encode →
// package → publish, waited for until ready. Needs a platform started with
// PIPELINE_ARGS. Its URLs carry a playback token minted for that admin token.
export async function ingestedTitle(platform, { name = 'Browser test title', timeoutMs = 90000, seconds = TEST_SECONDS } = {}) {
  const api = platform.url('api');
  const auth = { Authorization: `Bearer ${localToken(platform)}` };
  const call = async (method, url) => {
    const res = await fetch(url, { method, headers: auth });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status}: ${redact(text.slice(0, 300))}`);
    return text ? JSON.parse(text) : null;
  };
  const work = mkdtempSync(path.join(tmpdir(), 'reelstack-clip-'));
  let id;
  try {
    const top = TEST_RUNGS[TEST_RUNGS.length - 1];
    const clip = await generateClip(path.join(work, 'clip.mp4'),
      { seconds, size: `${top.width}x${top.height}`, rate: 30 });
    const bytes = readFileSync(clip);
    const b64 = (v) => Buffer.from(v).toString('base64');
    const created = await fetch(`${api}/api/v1/uploads`, {
      method: 'POST',
      headers: { ...auth, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length),
        'Upload-Metadata': `filename ${b64('clip.mp4')},title ${b64(name)}` },
    });
    if (created.status !== 201) throw new Error(`tus creation: HTTP ${created.status}: ${await created.text()}`);
    id = created.headers.get('x-title-id');
    const location = new URL(created.headers.get('location'), api);
    // Several PATCHes, as a resumable client sends them.
    const CHUNK = 1024 * 1024;
    for (let offset = 0; offset < bytes.length; offset += CHUNK) {
      const patched = await fetch(location, {
        method: 'PATCH',
        headers: { ...auth, 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
        body: bytes.subarray(offset, offset + CHUNK),
      });
      if (patched.status !== 204) throw new Error(`tus PATCH at ${offset}: HTTP ${patched.status}: ${await patched.text()}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await call('GET', `${api}/api/v1/titles/${id}`);
    if (t.state === 'failed') throw new Error(`title ${id} failed: ${t.reason}`);
    if (t.state === 'ready') {
      return { id, name, mediaUrl: t.manifests.dash.replace(/manifest\.mpd$/, ''), dash: t.manifests.dash,
        hls: t.manifests.hls, renditions: t.renditions };
    }
    if (Date.now() > deadline) throw new Error(`title ${id} not ready after ${timeoutMs} ms: ${redact(JSON.stringify(t))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// One playable title on a running platform started with PLATFORM_ARGS:
// { id, name, mediaUrl, dash, hls, renditions }, ready in the catalogue; the URLs are
// the origin's, with a playback token of the local admin token.
export const PLATFORM_ARGS = PIPELINE_ARGS;
export const prepareTitle = (platform, o = {}) => ingestedTitle(platform, o);
