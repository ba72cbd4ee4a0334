// Our packaged output plays in the three players that matter, in a real browser
// (Debian's chromium through playwright-core), the way a signed-in viewer plays it:
// through the edge, with the playback token the api hands out (POST …/playback) in
// every media path. dash.js and Shaka Player on manifest.mpd, hls.js on master.m3u8.
// Each must advance the playhead ≥ 5 s without a player error, then switch to the
// other rung when forced (ABR off): the other rung's segments are requested and the
// player and the decoder report its height.
//
// Tokens live --playback-token-ttl=10 s here, so the page renews them (as the viewer,
// through the api, every renewAfterSeconds) and each player's own request hook — dash.js
// addRequestInterceptor, Shaka's request filter, hls.js xhrSetup — must carry the
// renewed token: the forced rung's segments, requested after a renewal, may not carry
// the first one.
//
// The test page and the libraries come from a tiny node server on loopback; the
// media comes cross-origin from the real `edge` role (CORS as in production).
//
//   cd tests/browser && PLATFORM_BIN=../../build/release/app/platform node --test players.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { addUser, login, must, redact } from './auth.mjs';
import { launchChromium } from './browser.mjs';
import { harnessWaiter, openHarness, PLAYERS, startHarnessServer } from './harness.mjs';
import { PLATFORM_ARGS, prepareTitle, videoRungs } from './media.mjs';
import { repoRoot, startPlatform } from './platform.mjs';

const SHOTS = path.join(repoRoot, 'build', 'browser');
const TTL = 10;
const tokenOf = (url) => (new URL(url).pathname.match(/^\/m\/([^/]+)\//) || [])[1] || '';

describe('packaged title in dash.js, Shaka Player and hls.js, through the edge with playback tokens', { timeout: 150000 }, () => {
  let platform;
  let server;
  let browser;
  let title;
  let viewer;  // a viewer account's session: { cookie }

  before(async () => {
    platform = await startPlatform([...PLATFORM_ARGS, `--playback-token-ttl=${TTL}`]);
    title = await prepareTitle(platform);
    await addUser(platform, 'player-viewer', 'viewer', 'player-viewer-password');
    viewer = await login(platform, 'player-viewer', 'player-viewer-password');
    server = await startHarnessServer();
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
    test(`${p.label} plays ${p.manifest === 'dash' ? 'manifest.mpd' : 'master.m3u8'} from the edge with a renewed token and switches rung when forced`, async () => {
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
    const answer = await must(platform, 'POST', `/api/v1/titles/${title.id}/playback`, { auth: viewer });
    const edge = answer.sources[0];
    assert.equal(edge.kind, 'edge', redact(JSON.stringify(answer.sources)));
    assert.equal(edge.base, platform.url('edge'));
    const first = answer.playbackToken;
    assert.ok(first.value && tokenOf(edge[p.manifest]) === first.value, 'the manifest URL carries the playback token');
    assert.equal(first.renewAfterSeconds, TTL / 2);
    // The page renews through the api as the viewer, like the web UI does.
    await page.exposeFunction('renewPlaybackToken', () => must(platform, 'POST', first.renewUrl, { auth: viewer }));
    await openHarness(page, server, { kind: p.kind, src: edge[p.manifest], renew: first.renewAfterSeconds });
    const waitFor = harnessWaiter(page, p.label, () => `problems ${JSON.stringify(problems)}; last requests ${JSON.stringify(requests.slice(-8))}`);

    const started = await waitFor('playback start', (s) => s.time > 0 && !s.paused && s.current, 15000);
    const t0 = started.time;
    await waitFor('5 s of playback', (s) => s.time >= t0 + 5, 20000);
    const media = requests.filter((u) => u.includes(`/${title.id}/`));
    assert.ok(media.length > 0 && media.every((u) => u.startsWith(`${edge.base}/m/`)), redact(`media from the edge with a token: ${media}`));

    const rungs = videoRungs(title);
    assert.ok(rungs.length >= 2, `the title needs two rungs to switch between: ${JSON.stringify(rungs)}`);
    const heights = (await page.evaluate(() => window.harness.rungs())).map((r) => r.height).sort((a, b) => a - b);
    assert.deepEqual(heights, rungs.map((r) => r.height), `${p.label} sees the packaged rungs`);

    // Force whichever rung is not playing now, once the token has been renewed.
    const renewed = await waitFor('a token renewal', (s) => s.renewals >= 1, (TTL / 2 + 3) * 1000);
    // assert.ok, not notEqual: a failure must not print the tokens.
    assert.ok(renewed.token && renewed.token !== first.value, 'the renewal gave a new token');
    const now = renewed.current.height;
    const target = rungs.find((r) => r.height !== now);
    const mark = requests.length;
    await page.evaluate((height) => window.harness.force(height), target.height);
    const switched = await waitFor(`switch to ${target.name}`,
      (s) => s.current && s.current.height === target.height && s.videoHeight === target.height, 15000);
    const fetched = requests.slice(mark).filter((u) => u.includes(`/video/${target.name}/seg-`));
    assert.ok(fetched.length > 0, redact(`no ${target.name} segment requested after forcing it: ${JSON.stringify(requests.slice(mark))}`));
    for (const u of fetched) {
      assert.ok(u.startsWith(`${edge.base}/m/`), redact(`segment from the edge: ${u}`));
      assert.ok(tokenOf(u) !== first.value, redact(`${p.label} sent the first token after it was renewed: ${u}`));
    }
    console.log(`${p.label}: forced ${now}p → ${target.name} at ${switched.time.toFixed(1)} s, ${fetched.length} ${target.name} segments fetched after, `
      + `with a renewed token (${renewed.renewals} renewal${renewed.renewals === 1 ? '' : 's'})`);

    // And it keeps playing on the forced rung.
    await waitFor('playback after the switch', (s) => s.time >= switched.time + 1, 10000);
    assert.deepEqual(problems.map(redact), [], `${p.label}: HTTP or page problems`);
    const warnings = await page.evaluate(() => window.harness.warnings);
    if (warnings.length) console.log(redact(`${p.label} non-fatal: ${warnings.join('; ')}`));
  }
});
