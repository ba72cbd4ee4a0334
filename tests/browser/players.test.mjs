// Our packaged output plays in the three players that matter, in a real browser
// (Debian's chromium through playwright-core): dash.js and Shaka Player on
// manifest.mpd, hls.js on master.m3u8. Each must advance the playhead ≥ 5 s without
// a player error, then switch to the other rung when forced (ABR off): the other
// rung's segments are requested and the player and the decoder report its height.
//
// The test page and the libraries come from a tiny node server on loopback; the
// media comes cross-origin from the real `origin` role (CORS as in production).
//
//   cd tests/browser && PLATFORM_BIN=../../build/release/app/platform node --test players.test.mjs

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchChromium } from './browser.mjs';

import { PLATFORM_ARGS, prepareTitle, videoRungs } from './media.mjs';
import { repoRoot, startPlatform } from './platform.mjs';
import { startStaticServer } from './static-server.mjs';

const here = path.join(repoRoot, 'tests', 'browser');
const SHOTS = path.join(repoRoot, 'build', 'browser');
const LIBS = {
  '/lib/dashjs/': path.join(here, 'node_modules/dashjs/dist/modern/umd'),
  '/lib/hls.js/': path.join(here, 'node_modules/hls.js/dist'),
  // The exact Shaka build the web UI ships (ui/ is its own npm project).
  '/lib/shaka/': path.join(repoRoot, 'ui/node_modules/shaka-player/dist'),
};

const PLAYERS = [
  { kind: 'dashjs', label: 'dash.js', manifest: 'dash' },
  { kind: 'shaka', label: 'Shaka Player', manifest: 'dash' },
  { kind: 'hlsjs', label: 'hls.js', manifest: 'hls' },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('packaged title in dash.js, Shaka Player and hls.js', { timeout: 110000 }, () => {
  let platform;
  let server;
  let browser;
  let title;

  before(async () => {
    for (const [prefix, dir] of Object.entries(LIBS)) {
      assert.ok(existsSync(dir), `${dir} is missing (for ${prefix}): run installer/setup-deps.sh (npm ci in tests/browser and ui)`);
    }
    platform = await startPlatform(PLATFORM_ARGS);
    title = await prepareTitle(platform);
    server = await startStaticServer({ '/': path.join(here, 'pages'), ...LIBS });
    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  });

  after(async () => {
    try {
      if (browser) await browser.close();
      if (server) await server.close();
    } finally {
      if (platform) {
        const stopped = await platform.stop(5000);
        assert.equal(stopped.code, 0, `platform exit after SIGTERM:\n${platform.log()}`);
      }
    }
  });

  for (const p of PLAYERS) {
    test(`${p.label} plays ${p.manifest === 'dash' ? 'manifest.mpd' : 'master.m3u8'} and switches rung when forced`, async () => {
      const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
      const page = await context.newPage();
      const requests = [];
      const problems = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
      try {
        await run(page, p, requests, problems);
      } catch (e) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `players-${p.kind}-failed.png`) }).catch(() => {});
        throw e;
      } finally {
        await context.close();
      }
    });
  }

  async function run(page, p, requests, problems) {
    const src = title[p.manifest];
    await page.goto(`${server.url}/players.html?player=${p.kind}&src=${encodeURIComponent(src)}`);
    await page.evaluate(() => window.harness.ready);

    // Polls the harness; any player error ends the wait (and the test) at once.
    const waitFor = async (what, predicate, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      let s;
      for (;;) {
        s = await page.evaluate(() => window.harness.state());
        assert.deepEqual(s.errors, [], `${p.label} reported an error while waiting for ${what}`);
        if (predicate(s)) return s;
        if (Date.now() > deadline) {
          assert.fail(`${p.label}: no ${what} within ${timeoutMs} ms; last state ${JSON.stringify(s)}; `
            + `problems ${JSON.stringify(problems)}; last requests ${JSON.stringify(requests.slice(-8))}`);
        }
        await sleep(100);
      }
    };

    const started = await waitFor('playback start', (s) => s.time > 0 && !s.paused && s.current, 15000);
    const t0 = started.time;
    await waitFor('5 s of playback', (s) => s.time >= t0 + 5, 20000);

    const rungs = videoRungs(title);
    assert.ok(rungs.length >= 2, `the title needs two rungs to switch between: ${JSON.stringify(rungs)}`);
    const heights = (await page.evaluate(() => window.harness.rungs())).map((r) => r.height).sort((a, b) => a - b);
    assert.deepEqual(heights, rungs.map((r) => r.height), `${p.label} sees the packaged rungs`);

    // Force whichever rung is not playing now, so the switch is a real one.
    const now = (await page.evaluate(() => window.harness.state())).current.height;
    const target = rungs.find((r) => r.height !== now);
    const mark = requests.length;
    await page.evaluate((height) => window.harness.force(height), target.height);
    const switched = await waitFor(`switch to ${target.name}`,
      (s) => s.current && s.current.height === target.height && s.videoHeight === target.height, 15000);
    const fetched = requests.slice(mark).filter((u) => u.includes(`/video/${target.name}/seg-`));
    assert.ok(fetched.length > 0, `no ${target.name} segment requested after forcing it: ${JSON.stringify(requests.slice(mark))}`);
    for (const u of fetched) assert.ok(u.startsWith(title.mediaUrl), `segment from origin: ${u}`);
    console.log(`${p.label}: forced ${now}p → ${target.name} at ${switched.time.toFixed(1)} s, ${fetched.length} ${target.name} segments fetched after`);

    // And it keeps playing on the forced rung.
    await waitFor('playback after the switch', (s) => s.time >= switched.time + 1, 10000);
    assert.deepEqual(problems, [], `${p.label}: HTTP or page problems`);
    const warnings = await page.evaluate(() => window.harness.warnings);
    if (warnings.length) console.log(`${p.label} non-fatal: ${warnings.join('; ')}`);
  }
});
