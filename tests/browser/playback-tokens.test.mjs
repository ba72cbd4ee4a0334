// Playback tokens end to end, in a real browser against a real `platform` (every role,
// --playback-token-ttl=10 s):
//   - the edge refuses a tampered token and another title's token (403 JSON), a URL
//     without one (401), and a token past its expiry (403), to a player in the page
//     as much as to a plain request;
//   - a second viewer, with a token of their own, hits the object the first viewer's
//     token filled (X-Cache: HIT): the cache key leaves the token out;
//   - the web UI's player renews its token and keeps loading new segments after the
//     first token stopped working;
//   - signed out in another tab, the player page shows the login page at its next
//     renewal, the api renews nothing for the ended session, and the last token the
//     page held stops working within one token lifetime of the sign-out.
//
//   cd tests/browser && PLATFORM_BIN=../../build/release/app/platform node --test playback-tokens.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { addUser, call, CSRF, login, must, redact, serviceToken, signIn } from './auth.mjs';
import { launchChromium } from './browser.mjs';
import { harnessWaiter, openHarness, startHarnessServer } from './harness.mjs';
import { PLATFORM_ARGS, prepareTitle, videoRungs, withoutToken } from './media.mjs';
import { repoRoot, startPlatform } from './platform.mjs';

const SHOTS = path.join(repoRoot, 'build', 'browser');
const TTL = 10;
// Edges accept a token this long after its expiry (core/auth/playbacktoken.h).
const SKEW = 5;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tokenOf = (url) => (new URL(url).pathname.match(/^\/m\/([^/]+)\//) || [])[1] || '';
// p1.<key id>.<expiry, base36 seconds>.<session>.<mac>
const expiryOf = (token) => parseInt(token.split('.')[2], 36) * 1000;
const firstHop = (xcache) => (xcache || '').split(',')[0].trim().split(/\s+/)[0].toUpperCase();

describe('playback tokens at the edge and in the web UI player', { timeout: 200000 }, () => {
  let platform;
  let server;
  let browser;
  let title;
  let edgeUrl;
  const password = 'token-viewer-password';
  const viewers = {};  // name → { cookie }
  let early;  // a playback answer from the start, expired by the last test

  before(async () => {
    // No scheduled fill: what the edge holds is what these viewers put there.
    platform = await startPlatform([...PLATFORM_ARGS, `--playback-token-ttl=${TTL}`, '--fill-interval=0']);
    title = await prepareTitle(platform, { name: 'Token test title' });
    edgeUrl = platform.url('edge');
    for (const name of ['viewer-a', 'viewer-b', 'viewer-c']) {
      await addUser(platform, name, 'viewer', password);
      viewers[name] = await login(platform, name, password);
    }
    early = await playback('viewer-a');
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

  // A viewer's playback start: the answer, with the edge's source first.
  async function playback(name) {
    const answer = await must(platform, 'POST', `/api/v1/titles/${title.id}/playback`, { auth: viewers[name] });
    assert.equal(answer.sources[0].base, edgeUrl, redact(JSON.stringify(answer.sources)));
    return answer;
  }

  // A fresh context recording every media response from the edge:
  // { key (path without the token), token, status, xcache }.
  async function withHarness(name, fn) {
    const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
    const page = await context.newPage();
    const media = [];
    page.on('response', async (r) => {
      const u = new URL(r.url());
      if (u.origin !== edgeUrl) return;
      media.push({ key: withoutToken(r.url()), token: tokenOf(r.url()), status: r.status(), xcache: await r.headerValue('x-cache') });
    });
    try {
      return await fn(page, media);
    } catch (e) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `tokens-${name}-failed.png`) }).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  }

  // A token with one character of its signature changed.
  function tampered(token) {
    const i = token.length - 10;
    return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
  }

  // Shaka in the harness on `src`: fails to load, and the edge answered `status`.
  async function playerRefused(page, media, src, status) {
    await openHarness(page, server, { kind: 'shaka', src });
    const deadline = Date.now() + 15000;
    let s;
    do {
      await sleep(100);
      s = await page.evaluate(() => window.harness.state());
    } while (!s.errors.length && Date.now() < deadline);
    assert.ok(s.errors.length > 0, 'Shaka reports an error for a refused manifest');
    // BAD_HTTP_STATUS with the edge's status: the player can tell a refusal from an
    // edge that is down (the refusal carries CORS headers like the media does).
    assert.ok(s.errors.some((e) => e.startsWith('shaka error 1001 ') && e.includes(`,${status},`)),
      redact(`Shaka's error names HTTP ${status}: ${s.errors}`));
    assert.ok(s.time === 0, `nothing played: ${s.time}`);
    const manifest = media.filter((m) => m.key.endsWith('/manifest.mpd'));
    assert.ok(manifest.length > 0, 'the manifest was asked for');
    assert.deepEqual(manifest.map((m) => m.status), manifest.map(() => status), 'the edge refused every attempt');
  }

  test('the edge refuses a tampered token and another title\'s (403), and a URL without one (401)', async () => {
    const answer = await playback('viewer-a');
    const good = answer.sources[0].dash;
    const token = answer.playbackToken.value;
    const path0 = new URL(good).pathname;
    const cases = {
      tampered: good.replace(`/m/${token}/`, `/m/${tampered(token)}/`),
      otherTitle: good.replace(`/${title.id}/`, `/${title.id}x/`),
      none: withoutToken(good),
    };
    // The good URL itself plays (a control for the refusals below).
    const ok = await call(platform, 'GET', path0, { base: edgeUrl, auth: null });
    assert.equal(ok.status, 200);
    for (const [what, url] of Object.entries({ tampered: cases.tampered, otherTitle: cases.otherTitle })) {
      const r = await call(platform, 'GET', new URL(url).pathname, { base: edgeUrl, auth: null });
      assert.equal(r.status, 403, `${what}: ${redact(r.text)}`);
      assert.match(r.body.error.code, /\w/, `${what}: a JSON error`);
      assert.match(r.body.error.message, /signature|another title/i, `${what}: ${r.body.error.message}`);
    }
    const none = await call(platform, 'GET', new URL(cases.none).pathname, { base: edgeUrl, auth: null });
    assert.equal(none.status, 401, redact(none.text));
    assert.match(none.headers.get('www-authenticate') || '', /^Bearer/);
    assert.match(none.body.error.message, /playback token/);

    await withHarness('tampered', (page, media) => playerRefused(page, media, cases.tampered, 403));
    await withHarness('no-token', (page, media) => playerRefused(page, media, cases.none, 401));
  });

  // Shaka in the harness plays `answer`'s edge source for 2 s; the edge's answers.
  const watch = (name, answer) => withHarness(name, async (page, media) => {
    await openHarness(page, server, { kind: 'shaka', src: answer.sources[0].dash });
    const waitFor = harnessWaiter(page, `Shaka (${name})`);
    const s = await waitFor('playback start', (x) => x.time > 0 && !x.paused, 15000);
    await waitFor('2 s of playback', (x) => x.time >= s.time + 2, 15000);
    return media.slice();
  });

  test('a second viewer\'s token hits the object the first viewer\'s token filled (X-Cache: HIT)', async () => {
    const purged = await must(platform, 'DELETE', `/edge/v1/cache?prefix=${encodeURIComponent(`/media/${title.id}/`)}`,
      { base: edgeUrl, auth: serviceToken(platform) });
    assert.ok(purged.purged >= 0);
    const a = await playback('viewer-a');
    const b = await playback('viewer-b');
    assert.ok(a.playbackToken.value !== b.playbackToken.value, 'two viewers, two tokens');
    const first = await watch('viewer-a', a);
    const second = await watch('viewer-b', b);
    assert.ok(first.every((m) => m.token === a.playbackToken.value) && second.every((m) => m.token === b.playbackToken.value),
      'each viewer fetched with their own token');
    const missedByA = new Set(first.filter((m) => m.status === 200 && firstHop(m.xcache) === 'MISS').map((m) => m.key));
    assert.ok(missedByA.size > 0, `the first viewer filled the purged cache: ${JSON.stringify(first.map((m) => [m.key, m.xcache]))}`);
    const hits = second.filter((m) => m.status === 200 && missedByA.has(m.key) && firstHop(m.xcache) === 'HIT');
    assert.ok(hits.length > 0, `the second viewer hit what the first filled: ${JSON.stringify(second.map((m) => [m.key, m.xcache]))}`);
    console.log(`second viewer: ${hits.length} HITs on objects the first viewer's token filled (${missedByA.size} MISSes)`);
  });

  // The web UI as a signed-in viewer, in a fresh context. `log` gets every media
  // response from the edge ({ url, status, at }) and `tokens` every playback token the
  // api handed the page (start and renewals); check() asserts no console, page or HTTP
  // problem except those `allowed(text)` accepts.
  async function withUi(name, viewer, fn, { allowed = () => false } = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await signIn(context, platform, { username: viewer, password });
    const page = await context.newPage();
    const problems = [];
    const log = [];
    const tokens = [];
    const note = (text) => { if (!allowed(text)) problems.push(redact(text)); };
    page.on('console', (m) => { if (m.type() === 'error') note(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') note(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', async (r) => {
      if (r.status() >= 400) note(`HTTP ${r.status()}: ${r.url()}`);
      if (r.url().startsWith(`${edgeUrl}/m/`)) log.push({ url: r.url(), status: r.status(), at: Date.now() });
      if (/\/api\/v1\/titles\/[^/]+\/playback(\/renew)?$/.test(new URL(r.url()).pathname) && r.ok()) {
        const body = await r.json().catch(() => null);
        const t = body && (body.playbackToken || body);
        if (t && t.value) tokens.push({ ...t, at: Date.now() });
      }
    });
    try {
      await fn(page, { context, log, tokens, check: () => assert.deepEqual(problems, [], 'console, page or HTTP problems') });
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `tokens-${name}.png`), fullPage: true });
    } catch (e) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `tokens-${name}-failed.png`), fullPage: true }).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  }

  const playing = (page, timeout = 15000) => page.waitForFunction(() => {
    const v = document.getElementById('video');
    return v && v.currentTime > 0 && !v.paused;
  }, null, { timeout });
  const currentTime = (page) => page.evaluate(() => document.getElementById('video').currentTime);
  // page.waitForFunction(predicate, arg); on a timeout, says where the video was.
  async function videoUntil(page, what, predicate, arg, timeout) {
    try {
      await page.waitForFunction(predicate, arg, { timeout });
    } catch (e) {
      const state = await page.evaluate(() => {
        const v = document.getElementById('video');
        return v && { time: v.currentTime, ended: v.ended, paused: v.paused, readyState: v.readyState, height: v.videoHeight,
          error: document.getElementById('player-error')?.textContent };
      });
      assert.fail(redact(`no ${what} within ${timeout} ms: video ${JSON.stringify(state)} (${e.message.split('\n')[0]})`));
    }
  }

  test('the web UI player renews its token and loads new segments after the first token stopped working', () => withUi('renewal', 'viewer-c', async (page, { log, tokens, check }) => {
    await page.goto(`${platform.url('api')}/#/play/${title.id}`);
    await playing(page);
    assert.ok(tokens.length >= 1, 'the page started playback through the api');
    const first = tokens[0].value;
    // Wait until the edges refuse the first token, playing all along.
    const deadAt = expiryOf(first) + (SKEW + 1) * 1000;
    const t0 = await currentTime(page);
    await sleep(Math.max(0, deadAt - Date.now()));
    const refused = await call(platform, 'GET', new URL(log[0].url).pathname, { base: edgeUrl, auth: null });
    assert.equal(refused.status, 403, 'the first token is dead now');
    assert.match(refused.body.error.message, /expired/);
    assert.ok(await page.evaluate(() => !document.getElementById('video').paused), 'still playing');
    assert.ok(await currentTime(page) > t0 + TTL, `the playhead moved on past one token lifetime (from ${t0})`);
    const renewals = Number(await page.locator('#live-panel [data-k="token"]').getAttribute('data-renewals'));
    assert.ok(renewals >= 2, `renewed ${renewals} times in ${TTL + SKEW} s`);
    assert.match(await page.locator('#live-panel [data-k="token"]').innerText(), /^valid until .*, renewed \d+×$/);

    // Back near the start (far from the clip's end, whatever the machine's load) and the
    // other rung forced: the buffer is dropped, so segments load now, with whatever
    // token the page holds.
    const rungs = videoRungs(title);
    const current = await page.locator('#live-panel [data-k="rung"]').getAttribute('data-rung');
    const target = rungs.find((r) => r.name !== current);
    const value = await page.locator(`#rung-select option[data-height="${target.height}"]`).getAttribute('value');
    const mark = log.length;
    await page.evaluate(() => { document.getElementById('video').currentTime = 2; });
    await page.selectOption('#rung-select', value);
    await videoUntil(page, `the forced ${target.name} on screen`, (h) => document.getElementById('video').videoHeight === h, target.height, 20000);
    const t1 = await currentTime(page);
    await videoUntil(page, 'playback on the forced rung', (t) => document.getElementById('video').currentTime >= t + 1, t1, 10000);
    const fetched = log.slice(mark).filter((x) => x.url.includes(`/video/${target.name}/seg-`));
    assert.ok(fetched.length > 0, `segments of ${target.name} after forcing it`);
    for (const x of fetched) {
      assert.ok(x.status === 200 && tokenOf(x.url) !== first, redact(`${x.url}: HTTP ${x.status}, with a renewed token`));
    }
    assert.equal(await page.locator('#player-error').isHidden(), true, redact(await page.locator('#player-error').innerText()));
    console.log(`web UI player: ${renewals} renewals; ${fetched.length} ${target.name} segments loaded ${((fetched[0].at - deadAt) / 1000 + SKEW + 1).toFixed(1)} s after the first token expired`);
    check();
  }));

  test('signed out in another tab: the player page asks to sign in at its next renewal, and its last token dies within one lifetime', () => withUi('logout', 'viewer-c', async (page, { context, tokens, log, check }) => {
    await page.goto(`${platform.url('api')}/#/play/${title.id}`);
    await playing(page);
    const renewUrl = tokens[0].renewUrl;
    const cookie = (await context.cookies(platform.url('api'))).find((c) => c.name === 'rs_session');
    assert.ok(cookie, 'signed in with a session cookie');

    const other = await context.newPage();
    await other.goto(`${platform.url('api')}/#/`);
    await other.locator('#logout').click();
    await other.locator('#login-form').waitFor({ timeout: 10000 });
    const signedOutAt = Date.now();

    // The player page learns it at its next renewal (every TTL/2 s).
    await page.locator('#login-form').waitFor({ timeout: (TTL / 2 + 3) * 1000 });
    const shownAfter = Date.now() - signedOutAt;
    assert.match(await page.locator('#login-notice').innerText(), /session has ended/);
    assert.equal(await page.locator('#video').count(), 0, 'the player is gone');
    // The api renews nothing for the ended session, whoever asks with its cookie.
    const renew = await call(platform, 'POST', renewUrl, { auth: { cookie: `rs_session=${cookie.value}` } });
    assert.equal(renew.status, 401);

    // The newest token the page was given was minted before the sign-out: it works for
    // at most one lifetime (and the edges' clock skew) after it.
    const last = tokens[tokens.length - 1].value;
    const expiry = expiryOf(last);
    assert.ok(expiry <= signedOutAt + TTL * 1000 + 1000, `expires ${expiry - signedOutAt} ms after the sign-out`);
    const segment = new URL(log[log.length - 1].url).pathname.replace(/^\/m\/[^/]+\//, `/m/${last}/`);
    await sleep(Math.max(0, expiry + (SKEW + 1) * 1000 - Date.now()));
    const r = await call(platform, 'GET', segment, { base: edgeUrl, auth: null });
    assert.equal(r.status, 403, redact(r.text));
    assert.match(r.body.error.message, /expired/);
    console.log(`signed out: login page ${shownAfter} ms later; the page's last token refused `
      + `${((Date.now() - signedOutAt) / 1000).toFixed(1)} s after the sign-out (bound ${TTL} s + ${SKEW} s skew)`);
    check();
  }, { allowed: (t) => /^HTTP 401: .*\/playback\/renew$/.test(t) || /status of 401/.test(t) }));

  // Last: by now the token from the start is well past its expiry.
  test('a token past its expiry gets 403, to a player and to a plain request', async () => {
    const wait = expiryOf(early.playbackToken.value) + (SKEW + 1) * 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    const r = await call(platform, 'GET', new URL(early.sources[0].dash).pathname, { base: edgeUrl, auth: null });
    assert.equal(r.status, 403, redact(r.text));
    assert.match(r.body.error.message, /expired/);
    await withHarness('expired', (page, media) => playerRefused(page, media, early.sources[0].dash, 403));
  });
});
