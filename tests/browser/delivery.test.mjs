// Delivery in the web UI against a real `platform` (every role, its edge included), in
// a real browser (Debian's chromium through playwright-core):
//   - the player asks the api for steered sources and plays from the edge; its panel
//     names the edge and shows each segment's X-Cache: MISS the first time, HIT when
//     a second viewer (a fresh browser cache) watches the same segments;
//   - the delivery page lists the edge with its region and hit ratio, its steering
//     tester ranks the edge with a reason, a pin made on the page puts the title in
//     the edge's region, and "Run fill now" sends it to the edge, whose prefetch
//     progress reaches done;
//   - fallback: a second edge in the viewer's own region comes first in the steering
//     order; killed (SIGKILL) while the player streams from it, the player moves to
//     the next source at the same position and keeps playing.
// Any console error, page error or HTTP error fails a test, except the refused
// connections to the killed edge. Pages are signed in as the first admin; media goes
// out with the playback tokens the api hands out.
//
// Regions: viewers on 127.0.0.0/8 are in region "home"; the all-in-one edge serves
// "eu", so for a viewer it is the edge of another region (the only one until the
// fallback test starts an edge in "home").
//
//   cd tests/browser && PLATFORM_BIN=../../build/release/app/platform node --test delivery.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clusterKeyFile, must, redact, serviceToken, signIn } from './auth.mjs';
import { launchChromium } from './browser.mjs';

import { PLATFORM_ARGS, prepareTitle } from './media.mjs';
import { repoRoot, startPlatform } from './platform.mjs';

const SHOTS = path.join(repoRoot, 'build', 'browser');
const EDGE_REGION = 'eu';
const VIEWER_REGION = 'home';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('delivery in the web UI', { timeout: 200000 }, () => {
  let platform;
  let browser;
  let title;
  let edgeUrl;
  let edgeId;

  before(async () => {
    platform = await startPlatform([...PLATFORM_ARGS, `--edge-region=${EDGE_REGION}`,
      `--steer-regions=127.0.0.0/8=${VIEWER_REGION}`, '--fill-interval=0']);
    title = await prepareTitle(platform, { name: 'Delivery test title' });
    edgeUrl = platform.url('edge');
    assert.ok(edgeUrl, `the all-in-one platform runs an edge: ${JSON.stringify(platform.endpoints)}`);
    const edge = await waitForEdge((e) => e.url === edgeUrl);
    edgeId = edge.instanceId;
    browser = await launchChromium();
  });

  after(async () => {
    try {
      if (browser) await browser.close();
    } finally {
      if (platform) {
        const stopped = await platform.stop(5000);
        assert.equal(stopped.code, 0, `platform exit after SIGTERM:\n${platform.log()}`);
      }
    }
  });

  // As the first admin (the local admin token).
  const apiCall = (method, p, body) => must(platform, method, p, { body });

  // The edge control lists as live and healthy that `match`es, once it is there.
  async function waitForEdge(match, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      last = await apiCall('GET', '/api/v1/delivery/edges');
      const edge = last.edges.find((e) => match(e) && e.live && e.healthy !== false && e.load && e.load.healthy !== false);
      if (edge) return edge;
      if (Date.now() > deadline) assert.fail(redact(`no such live, healthy edge after ${timeoutMs} ms: ${JSON.stringify(last)}`));
      await sleep(250);
    }
  }

  // A fresh context (so a fresh browser cache) recording every console error, page
  // error, failed request and HTTP error; `check()` asserts there were none except
  // those `allowed(text)` accepts. Screenshot either way.
  async function withPage(name, fn, { allowed = () => false } = {}) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await signIn(context, platform);
    const page = await context.newPage();
    const problems = [];
    const note = (text) => { if (!allowed(text)) problems.push(redact(text)); };
    page.on('console', (m) => { if (m.type() === 'error') note(`console error: ${m.text()} at ${m.location().url}`); });
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') note(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => { if (r.status() >= 400) note(`HTTP ${r.status()}: ${r.url()}`); });
    try {
      await fn(page, () => assert.deepEqual(problems, [], 'console, page or HTTP problems'));
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `delivery-${name}.png`), fullPage: true });
    } catch (e) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `delivery-${name}-failed.png`), fullPage: true }).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  }

  const currentTime = (page) => page.evaluate(() => document.getElementById('video').currentTime);
  const xcacheEntries = (page) => page.$$eval('#xcache li[data-path]', (lis) => lis.map((li) => ({
    state: li.dataset.state, path: li.dataset.path, host: li.dataset.host, cls: li.querySelector('.xc-state').className,
  })));
  const hostOf = (url) => new URL(url).host;

  // Opens the player and waits until it has played `seconds` from `source` (a URL).
  async function playFrom(page, source, seconds = 3) {
    await page.goto(`${platform.url('api')}/#/play/${title.id}`);
    await page.waitForFunction(() => { const v = document.getElementById('video'); return v && v.currentTime > 0 && !v.paused; },
      null, { timeout: 20000 });
    const t0 = await currentTime(page);
    await page.waitForFunction((t) => document.getElementById('video').currentTime >= t, t0 + seconds, { timeout: 20000 });
    const shown = page.locator('#live-panel [data-k="source"]');
    assert.equal(await shown.getAttribute('data-index'), '0', await shown.innerText());
    assert.equal(hostOf(await shown.getAttribute('data-url')), hostOf(source), redact(`panel source ${await shown.getAttribute('data-url')}`));
    assert.ok((await shown.innerText()).includes(hostOf(source)), await shown.innerText());
    assert.notEqual((await page.locator('#live-panel [data-k="reason"]').innerText()).trim(), '–', 'a reason for the source');
  }

  test('the player plays from the edge and shows X-Cache: MISS first, HIT for a second viewer', async () => {
    const answer = await apiCall('POST', `/api/v1/titles/${title.id}/playback`);
    assert.equal(answer.region, VIEWER_REGION);
    assert.equal(answer.sources[0].base, edgeUrl, redact(JSON.stringify(answer)));
    assert.equal(answer.sources[answer.sources.length - 1].base, platform.url('origin'), 'the origin comes last');

    const firstSeen = new Set();  // paths the first viewer fetched from the edge
    await withPage('player-first', async (page, check) => {
      page.on('response', (r) => {
        const u = new URL(r.url());
        const m = u.pathname.match(new RegExp(`^/m/[^/]+/${title.id}/(.+)$`));
        if (u.host === hostOf(edgeUrl) && m && r.status() === 200) firstSeen.add(m[1]);
      });
      await playFrom(page, edgeUrl);
      const entries = await xcacheEntries(page);
      assert.ok(entries.length > 0, 'X-Cache entries in the panel');
      assert.ok(entries.length <= 10, `at most 10 entries: ${entries.length}`);
      for (const e of entries) {
        assert.equal(e.host, hostOf(edgeUrl), `segment from the edge: ${JSON.stringify(e)}`);
        assert.ok(['HIT', 'MISS', 'STALE'].includes(e.state), JSON.stringify(e));
        assert.match(e.path, /^(video\/[^/]+|audio\/[^/]+)\/(init\.mp4|seg-\d+\.m4s)$/, e.path);
        assert.ok(e.cls.includes(`xc-${e.state}`), `state colour class: ${e.cls}`);
      }
      assert.ok(entries.some((e) => e.state === 'MISS'), `a first viewer misses: ${JSON.stringify(entries)}`);
      for (const e of entries) assert.ok(firstSeen.has(e.path), `${e.path} fetched from the edge`);
      // The panel's newest entries are the segments the player fetched last.
      assert.ok(await page.locator('#xcache li[data-state="MISS"] .xc-state.xc-MISS').count() > 0);
      assert.equal(await page.locator('#player-error').isHidden(), true, await page.locator('#player-error').innerText());
      check();
    });

    // Another viewer, without the first one's browser cache: the edge has the segments.
    await withPage('player-second', async (page, check) => {
      await page.goto(`${platform.url('api')}/#/play/${title.id}`);
      await page.waitForFunction((paths) => [...document.querySelectorAll('#xcache li[data-state="HIT"]')]
        .some((li) => paths.includes(li.dataset.path)), [...firstSeen], { timeout: 20000 });
      const entries = await xcacheEntries(page);
      const again = entries.find((e) => e.state === 'HIT' && firstSeen.has(e.path));
      assert.ok(again, `a HIT for a segment the first viewer fetched: ${JSON.stringify(entries)}`);
      assert.ok(again.cls.includes('xc-HIT'), again.cls);
      assert.equal(again.host, hostOf(edgeUrl));
      const t0 = await currentTime(page);
      await page.waitForFunction((t) => document.getElementById('video').currentTime >= t, t0 + 1, { timeout: 15000 });
      check();
    });
  });

  test('the delivery page lists the edge, steers to it and fills it', () => withPage('page', async (page, check) => {
    await page.goto(`${platform.url('api')}/#/delivery`);
    assert.equal(await page.locator('nav a[data-nav="delivery"]').getAttribute('aria-current'), 'page');
    const row = page.locator(`#edges tbody tr[data-instance="${edgeId}"]`);
    await row.waitFor({ timeout: 10000 });
    assert.equal(await row.getAttribute('data-region'), EDGE_REGION);
    assert.equal(await row.locator('[data-k="region"]').innerText(), EDGE_REGION);
    assert.equal(await row.locator('[data-k="state"]').innerText(), 'live · healthy');
    // The player test's HITs reach the page with the edge's next heartbeat.
    await page.waitForFunction((id) => {
      const cell = document.querySelector(`#edges tr[data-instance="${id}"] [data-k="hit-ratio"]`);
      return cell && Number(cell.dataset.object) > 0;
    }, edgeId, { timeout: 10000 });
    const ratio = row.locator('[data-k="hit-ratio"]');
    assert.match(await ratio.innerText(), /^\d+\.\d % \/ \d+\.\d %$/);
    const object = Number(await ratio.getAttribute('data-object'));
    assert.ok(object > 0 && object <= 1, `object hit ratio ${object}`);
    const memory = row.locator('[data-k="memory"]');
    assert.ok(Number(await memory.getAttribute('data-value')) > 0, 'the memory tier holds the played segments');
    assert.ok(Number(await memory.getAttribute('data-max')) > 0);
    assert.match(await row.locator('[data-k="throughput"]').innerText(), /Mbit\/s$/);

    // Steering tester: the edge's region asked for explicitly, then the viewer's own.
    await page.locator(`#steer-title option[value="${title.id}"]`).waitFor({ state: 'attached', timeout: 10000 });
    await page.selectOption('#steer-title', title.id);
    await page.fill('#steer-region', EDGE_REGION);
    await page.click('#steer-run');
    const ranked = page.locator(`#steer-table tbody tr[data-instance="${edgeId}"]`);
    await ranked.waitFor({ timeout: 10000 });
    assert.equal(await ranked.getAttribute('data-rank'), '1');
    assert.equal(await ranked.locator('[data-k="url"]').innerText(), edgeUrl);
    assert.equal(await ranked.locator('[data-k="region"]').innerText(), EDGE_REGION);
    const reason = await ranked.locator('[data-k="reason"]').innerText();
    assert.ok(reason.length > 3 && reason.includes(EDGE_REGION), `reason "${reason}"`);
    assert.match(await ranked.locator('[data-k="holds-title"]').getAttribute('data-value'), /^(true|false)$/);
    assert.equal(await page.locator('#steer-summary').getAttribute('data-region'), EDGE_REGION);
    await page.fill('#steer-region', '');
    await page.click('#steer-run');
    await page.waitForFunction((r) => document.getElementById('steer-summary').dataset.region === r, VIEWER_REGION, { timeout: 10000 });
    assert.ok(await page.locator(`#steer-table tbody tr[data-instance="${edgeId}"]`).count() === 1,
      'the only edge also serves viewers of other regions');

    // Nobody in "eu" watched the title, so a pin puts it into eu's fill.
    // Purging is for services (the cluster key), as an operator's script has it.
    await must(platform, 'DELETE', `/edge/v1/cache?prefix=${encodeURIComponent(`/media/${title.id}/`)}`,
      { base: edgeUrl, auth: serviceToken(platform) });
    await page.selectOption('#pin-title', title.id);
    await page.fill('#pin-regions', EDGE_REGION);
    await page.click('#pin-add');
    const pinRow = page.locator(`#pins-table tr[data-title="${title.id}"]`);
    await pinRow.waitFor({ timeout: 10000 });
    assert.match(await pinRow.innerText(), new RegExp(`\\b${EDGE_REGION}\\b`));
    const planned = page.locator(`#fill-plan .plan-region[data-region="${EDGE_REGION}"] tr[data-title="${title.id}"]`);
    await planned.waitFor({ timeout: 10000 });
    assert.equal(await planned.getAttribute('data-pinned'), 'true');

    await page.click('#fill-run');
    const send = page.locator(`#fill-sends tr[data-instance="${edgeId}"]`);
    await send.waitFor({ timeout: 15000 });
    assert.equal(await send.getAttribute('data-status'), 'sent', await send.innerText());
    assert.ok((await send.innerText()).includes(title.name), await send.innerText());
    await send.locator('.prefetch[data-state="done"]').waitFor({ timeout: 60000 });
    const progress = send.locator('.prefetch');
    const total = Number(await progress.getAttribute('data-total'));
    assert.ok(total > 5, `objects of the title: ${total}`);
    assert.equal(Number(await progress.getAttribute('data-done')), total);
    assert.equal(await progress.locator('progress').evaluate((p) => p.value === p.max), true);
    assert.match(await progress.innerText(), /^done · (\d+)\/\1 · [\d.]+ (KiB|MiB)/);

    // Unpin from the pins table; the pin disappears.
    await pinRow.locator('button[data-action="unpin"]').click();
    await page.waitForFunction((id) => !document.querySelector(`#pins-table tr[data-title="${id}"]`), title.id, { timeout: 10000 });
    assert.equal(await page.locator('#fill-action-error').isHidden(), true, await page.locator('#fill-action-error').innerText());
    assert.equal(await page.locator('#edges-error').isHidden(), true);
    assert.equal(await page.locator('#fill-error').isHidden(), true);
    check();
  }));

  // The api's JSON errors are shown, not swallowed. Control answers errors rarely on
  // purpose, so the browser is given them (page.route) in the api's error shape.
  test('api errors show in the page with their message', () => withPage('page-errors', async (page, check) => {
    const failure = (code, message) => (route) => route.fulfill({
      status: 502, contentType: 'application/json', body: JSON.stringify({ error: { code, message } }),
    });
    await page.route('**/api/v1/delivery/edges', failure('bad_gateway', 'control did not answer: connection refused'));
    await page.route('**/api/v1/delivery/fill/run', failure('bad_gateway', 'control timed out after 10 s'));
    await page.goto(`${platform.url('api')}/#/delivery`);
    await page.locator('#edges-error:not([hidden])').waitFor({ timeout: 10000 });
    assert.match(await page.locator('#edges-error').innerText(), /HTTP 502: control did not answer: connection refused$/);
    await page.locator('#fill-summary').filter({ hasText: /per region/ }).waitFor({ timeout: 10000 });
    await page.click('#fill-run');
    await page.locator('#fill-action-error:not([hidden])').waitFor({ timeout: 10000 });
    assert.match(await page.locator('#fill-action-error').innerText(), /^Fill run failed: .*HTTP 502: control timed out after 10 s$/);
    // Once the api answers again, the next refresh clears the edges' error; the failed
    // action's message stays until the next action.
    await page.unroute('**/api/v1/delivery/edges');
    await page.locator(`#edges tbody tr[data-instance="${edgeId}"]`).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#edges-error').isHidden(), true);
    assert.equal(await page.locator('#fill-action-error').isVisible(), true);
    check();
  }, { allowed: (t) => /status of 502/.test(t) || /^HTTP 502: .*\/api\/v1\/delivery\/(edges|fill\/run)$/.test(t) }));

  test('fallback: the player moves to the next source when its edge dies and keeps playing', async () => {
    // A second edge in the viewer's own region: steering puts it first.
    // It joins with the stack's cluster key, as an edge on another machine would.
    const near = await startPlatform(['--role=edge', `--control=${platform.url('control')}`, `--cluster-key-file=${clusterKeyFile(platform)}`,
      `--edge-region=${VIEWER_REGION}`, `--upstream=${platform.url('origin')}`]);
    try {
      const nearUrl = near.url('edge');
      await waitForEdge((e) => e.url === nearUrl);
      const answer = await apiCall('POST', `/api/v1/titles/${title.id}/playback`);
      assert.equal(answer.sources[0].base, nearUrl, redact(JSON.stringify(answer)));
      assert.equal(answer.sources[1].base, edgeUrl, redact(JSON.stringify(answer)));

      const nearHost = hostOf(nearUrl);
      await withPage('fallback', async (page, check) => {
        await playFrom(page, nearUrl, 0.5);
        near.proc.kill('SIGKILL');
        const killedAt = await currentTime(page);
        const shown = page.locator('#live-panel [data-k="source"]');
        await page.waitForFunction(() => document.querySelector('#live-panel [data-k="source"]').dataset.index === '1',
          null, { timeout: 30000 });
        assert.equal(hostOf(await shown.getAttribute('data-url')), hostOf(edgeUrl));
        const from = Number(await shown.getAttribute('data-from'));
        assert.ok(from >= killedAt - 0.5, `resumed at ${from} s, the edge died at ${killedAt} s`);
        const reason = await page.locator('#live-panel [data-k="reason"]').innerText();
        assert.match(reason, /\(after #1 failed\)$/, reason);
        assert.equal(await page.locator('#sources li[data-index="0"]').getAttribute('data-failed'), 'true');
        // Playing again, from about where it was, on the other edge.
        await page.waitForFunction(() => { const v = document.getElementById('video'); return !v.paused && v.readyState >= 3; },
          null, { timeout: 20000 });
        const t1 = await currentTime(page);
        assert.ok(t1 >= from - 0.5, `position ${t1} after resuming at ${from}`);
        await page.waitForFunction((t) => document.getElementById('video').currentTime >= t, t1 + 3, { timeout: 20000 });
        const entries = await xcacheEntries(page);
        assert.ok(entries.length > 0 && entries[0].host === hostOf(edgeUrl), redact(`newest segment from the next edge: ${JSON.stringify(entries)}`));
        assert.equal(await page.locator('#player-error').isHidden(), true, await page.locator('#player-error').innerText());
        check();
      }, { allowed: (t) => t.includes(nearHost) || t.includes('ERR_CONNECTION_REFUSED') });
    } finally {
      await near.stop(1000);
    }
  });
});
