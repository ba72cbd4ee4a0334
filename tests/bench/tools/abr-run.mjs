// One ABR benchmark run: a title played through a fresh shaping proxy (trace from its
// first second, an RTT per request) by one player, scored the same way for all:
//
//   ours    platform play <proxy manifest> --seconds N --report … (our engine, default ABR)
//   dashjs  dash.js 5 at its defaults in Chromium (peer.html)
//   shaka   Shaka Player 5 at its defaults in Chromium
//
//   node abr-run.mjs --player ours|dashjs|shaka --origin URL --title ID --trace FILE
//        [--rtt-ms 80] [--seconds 80] [--platform BIN] --out FILE
//
// The result JSON: { player, trace, startup_ms, rebuffer_s, rebuffer_events, switches,
// mean_bitrate, qoe_lin, qoe_per_segment, played_segments, segments: [{index, rung,
// bitrate}], error } — QoE_lin over the segments whose playback began, bitrates from the
// MPD's bandwidth, exactly as docs/player.md defines it for `platform play`.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const browserDir = path.join(repo, 'tests/browser');

function parseArgs() {
  const a = { rttMs: 80, seconds: 80, platform: path.join(repo, 'build/release/app/platform') };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    a[k] = argv[i + 1];
  }
  a.rttMs = Number(a.rttMs);
  a.seconds = Number(a.seconds);
  for (const k of ['player', 'origin', 'title', 'trace', 'out']) if (!a[k]) throw new Error(`--${k} is required`);
  return a;
}

async function startProxy(upstream, trace, rttMs) {
  const dir = mkdtempSync(path.join(tmpdir(), 'abr-proxy-'));
  const ready = path.join(dir, 'ready.json');
  const proc = spawn(process.execPath, [path.join(here, 'shaping-proxy.mjs'), '--upstream', upstream, '--trace', trace,
    '--rtt-ms', String(rttMs), '--ready-file', ready], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(ready)) throw new Error('the shaping proxy did not start');
  const { url } = JSON.parse(readFileSync(ready, 'utf8'));
  return { url, stop: () => { proc.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } };
}

// rung id → bandwidth, and the segment duration, from the MPD.
async function ladderOf(manifestUrl) {
  const text = await (await fetch(manifestUrl)).text();
  const bandwidth = {};
  for (const m of text.matchAll(/<Representation id="([^"]+)" bandwidth="(\d+)"[^>]*width=/g)) bandwidth[m[1]] = Number(m[2]);
  const ts = text.match(/<SegmentTemplate timescale="(\d+)"[^]*?<S t="\d+" d="(\d+)"/);
  return { bandwidth, segmentS: ts ? Number(ts[2]) / Number(ts[1]) : 4 };
}

// The same scoring as src/player/engine/sessionlog.cpp summarise().
export function score({ segments, stalls, positionS, startupMs }) {
  const played = segments.filter((s) => s.mediaS < positionS).sort((a, b) => a.index - b.index);
  let sum = 0; let changes = 0; let switches = 0; let prev = -1; let bitrate = 0;
  for (const s of played) {
    const mbps = s.bitrate / 1e6;
    sum += mbps;
    bitrate += s.bitrate;
    if (prev >= 0) {
      changes += Math.abs(mbps - prev);
      if (mbps !== prev) switches++;
    }
    prev = mbps;
  }
  const rebuffer = stalls.reduce((t, s) => t + s.durationS, 0);
  const qoe = sum - 4.3 * rebuffer - changes;
  return {
    startup_ms: Math.round(startupMs), rebuffer_s: +rebuffer.toFixed(3), rebuffer_events: stalls.length, switches,
    mean_bitrate: played.length ? Math.round(bitrate / played.length) : 0, qoe_lin: +qoe.toFixed(3),
    qoe_per_segment: played.length ? +(qoe / played.length).toFixed(4) : 0, played_segments: played.length,
    played_s: +positionS.toFixed(2), segments: played.map((s) => ({ index: s.index, rung: s.rung, bitrate: s.bitrate })),
  };
}

async function runOurs(a, proxy) {
  const work = mkdtempSync(path.join(tmpdir(), 'abr-ours-'));
  try {
    const report = path.join(work, 'report.json');
    await promisify(execFile)(a.platform, ['play', `${proxy}/media/${a.title}/manifest.mpd`, '--seconds', String(a.seconds),
      '--report', report, '--quiet'], { maxBuffer: 16 << 20, timeout: (a.seconds * 4 + 120) * 1000 });
    const r = JSON.parse(readFileSync(report, 'utf8'));
    return {
      abr: r.abr,
      ...score({
        segments: r.segments.map((s) => ({ index: s.index, rung: s.rung_id, bitrate: s.bitrate, mediaS: s.media_s })),
        stalls: r.stalls.map((s) => ({ durationS: s.duration_s })),
        positionS: r.played_s,
        startupMs: r.startup_ms,
      }),
      error: r.error || '',
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function runPeer(a, proxy) {
  const { launchChromium } = await import(path.join(browserDir, 'browser.mjs'));
  const { startStaticServer } = await import(path.join(browserDir, 'static-server.mjs'));
  const manifest = `${proxy}/media/${a.title}/manifest.mpd`;
  const ladder = await ladderOf(`${a.origin}/media/${a.title}/manifest.mpd`);
  const server = await startStaticServer({
    '/': here.replace(/tools$/, 'abr'),
    '/lib/dashjs/': path.join(browserDir, 'node_modules/dashjs/dist/modern/umd'),
    '/lib/shaka/': path.join(repo, 'ui/node_modules/shaka-player/dist'),
  });
  const browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/peer.html?player=${a.player}&src=${encodeURIComponent(manifest)}&seconds=${a.seconds}`);
    const out = await page.evaluate((ms) => Promise.race([window.peer.done,
      new Promise((r) => setTimeout(() => r({ ...window.peer.out, error: `timed out after ${ms} ms` }), ms))]),
    (a.seconds * 4 + 60) * 1000);
    // The last download of each segment is the one that played.
    const byIndex = new Map();
    for (const s of out.segments) {
      const m = s.url.match(/\/video\/([^/]+)\/seg-(\d+)\.m4s/);
      const index = Number(m[2]) - 1;
      byIndex.set(index, { index, rung: m[1], bitrate: ladder.bandwidth[m[1]] || 0, mediaS: index * ladder.segmentS, endS: s.endS });
    }
    return {
      abr: `${a.player} default`,
      ...score({ segments: [...byIndex.values()], stalls: out.stalls, positionS: out.positionS, startupMs: out.startupMs }),
      error: out.error || '',
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main() {
  const a = parseArgs();
  const proxy = await startProxy(a.origin, a.trace, a.rttMs);
  let result;
  try {
    result = a.player === 'ours' ? await runOurs(a, proxy.url) : await runPeer(a, proxy.url);
  } catch (e) {
    result = { error: e.message || String(e) };
  } finally {
    proxy.stop();
  }
  result = { player: a.player, trace: path.basename(a.trace, '.tsv'), rtt_ms: a.rttMs, seconds: a.seconds, ...result };
  writeFileSync(a.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`${result.player.padEnd(7)} ${result.trace.padEnd(12)} qoe/seg ${String(result.qoe_per_segment).padStart(7)} `
    + `rebuf ${String(result.rebuffer_s).padStart(6)} s  bitrate ${String(Math.round((result.mean_bitrate || 0) / 1000)).padStart(5)}k  `
    + `switches ${String(result.switches).padStart(3)}  start ${String(result.startup_ms).padStart(5)} ms${result.error ? `  ERROR ${result.error}` : ''}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main().catch((e) => { console.error(e); process.exit(1); });
