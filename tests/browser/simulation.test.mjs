// The player's pages in a real browser against a real `platform` with a title made by
// the real pipeline: the simulation page runs every ABR algorithm on a bundled trace
// and draws the QoE table, the bitrate and buffer charts (uPlot, from our own origin
// under the CSP) and an algorithm's decision log; the player page's decisions panel
// lists the segments Shaka fetches as it plays. Both as a viewer: students simulate too.
// Any console error, page error or HTTP error fails the test.
//
//   cd tests/browser && PLATFORM_BIN=../../build/release/app/platform node --test simulation.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addUser, must, signIn } from './auth.mjs';
import { launchChromium } from './browser.mjs';

import { PLATFORM_ARGS, prepareTitle } from './media.mjs';
import { repoRoot, startPlatform } from './platform.mjs';

const SHOTS = path.join(repoRoot, 'build', 'browser');
const ALGORITHMS = ['throughput', 'bba', 'bola', 'dynamic', 'mpc'];

describe('player pages', { timeout: 150000 }, () => {
  let platform;
  let browser;
  let title;

  before(async () => {
    platform = await startPlatform(PLATFORM_ARGS);
    title = await prepareTitle(platform, { name: 'Simulation test title' });
    await addUser(platform, 'sim-viewer', 'viewer', 'sim-viewer-password');
    browser = await launchChromium();
  });

  after(async () => {
    if (browser) await browser.close();
    if (platform) {
      const stopped = await platform.stop(5000);
      assert.equal(stopped.code, 0, `platform exit after SIGTERM:\n${platform.log()}`);
    }
  });

  async function withPage(name, fn) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await signIn(context, platform, { username: 'sim-viewer', password: 'sim-viewer-password' });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    try {
      await fn(page, () => assert.deepEqual(problems, [], 'console, page or HTTP problems'));
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `player-${name}.png`), fullPage: true });
    } catch (e) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `player-${name}-failed.png`), fullPage: true }).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  }

  test('the simulation page compares every algorithm on a bundled trace', () => withPage('simulate', async (page, check) => {
    await page.goto(`${platform.url('api')}/#/simulate?title=${title.id}`);
    await page.locator('#sim-run:not([disabled])').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#sim-title').inputValue(), title.id);
    const traces = await page.locator('#sim-trace option').count();
    assert.equal(traces, 8, 'the eight bundled traces');
    await page.selectOption('#sim-trace', 'hsdpa-metro');
    assert.equal(await page.locator('#sim-abr input:checked').count(), ALGORITHMS.length);
    await page.click('#sim-run');
    await page.locator('#sim-table tbody tr').first().waitFor({ timeout: 30000 });

    // One row per algorithm, with the numbers the API answered.
    const rows = await page.locator('#sim-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      abr: tr.dataset.abr, qoe: Number(tr.dataset.qoe), cells: [...tr.cells].map((c) => c.textContent),
    })));
    assert.deepEqual(rows.map((r) => r.abr), ALGORITHMS);
    const api = await must(platform, 'POST', '/api/v1/simulation',
      { body: { title: title.id, trace: 'hsdpa-metro', abr: ALGORITHMS } });
    for (const [i, r] of rows.entries()) {
      assert.equal(r.qoe, api.reports[i].qoe_lin, `${r.abr}: the page shows what a second run computes (deterministic)`);
      assert.match(r.cells[3], /(kbit|Mbit)\/s$/);
      assert.match(r.cells[7], /^\d+ ms$/);
    }

    // Two charts, each a uPlot canvas with a legend entry per algorithm.
    for (const id of ['#sim-bitrate', '#sim-buffer']) {
      const chart = page.locator(`${id} .uplot`);
      await chart.waitFor({ timeout: 10000 });
      const box = await chart.locator('canvas').boundingBox();
      assert.ok(box && box.width > 300 && box.height > 100, `${id} canvas ${JSON.stringify(box)}`);
      const legend = await chart.locator('.u-legend .u-series').allInnerTexts();
      for (const name of ALGORITHMS) assert.ok(legend.some((t) => t.includes(name)), `${id} legend has ${name}: ${legend}`);
    }

    // The decision log of one algorithm: a row per segment with the engine's reason.
    await page.selectOption('#sim-log-abr', 'bba');
    const reasons = await page.locator('#sim-log tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.reason));
    const segments = api.reports[1].segments.length;
    assert.equal(reasons.length, segments);
    assert.ok(reasons.every((r) => r.startsWith('bba')), reasons.slice(0, 3).join(' | '));
    await page.selectOption('#sim-log-abr', 'mpc');
    assert.ok((await page.locator('#sim-log tbody tr').first().getAttribute('data-reason')).startsWith('mpc'));
    check();
  }));

  test('the player page lists Shaka\'s decisions as it plays', () => withPage('decisions', async (page, check) => {
    await page.goto(`${platform.url('api')}/#/play/${title.id}`);
    await page.waitForFunction(() => { const v = document.getElementById('video'); return v && v.currentTime > 1 && !v.paused; },
      null, { timeout: 20000 });
    await page.waitForFunction(() => document.querySelectorAll('#decisions tbody tr[data-index]').length >= 2, null, { timeout: 15000 });
    const rows = await page.locator('#decisions tbody tr[data-index]').evaluateAll((trs) => trs.map((tr) => ({
      index: Number(tr.dataset.index), rung: tr.dataset.rung, reason: tr.dataset.reason, cells: [...tr.cells].map((c) => c.textContent),
    })));
    const rungs = title.renditions.filter((r) => r.kind === 'video').map((r) => r.id);
    for (const r of rows) {
      assert.ok(rungs.includes(r.rung), `rung ${r.rung} of ${rungs}`);
      assert.ok(r.reason.startsWith('shaka:'), r.reason);
      assert.match(r.cells[3], /\d/, 'a size');
      assert.match(r.cells[4], /^\d+ ms$/, 'a download time');
    }
    assert.ok(rows.some((r) => r.index === 0), 'the first segment is listed');
    check();
  }));
});
