// The status page of the web UI (#/status) served by the api role, in a real browser
// (Debian's chromium driven through playwright-core): it must list every role instance
// registered with control, with the health control's neighbours report, and load
// without errors, for an admin signed in through the login page.
//
//   cd tests/browser && npm ci && PLATFORM_BIN=../../build/apptest/app/platform node --test

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminPassword, call } from './auth.mjs';
import { launchChromium } from './browser.mjs';

import { ALL_ROLES, repoRoot, startPlatform } from './platform.mjs';

const SCREENSHOT = path.join(repoRoot, 'build', 'browser', 'status-page.png');

describe('status page', { timeout: 60000 }, () => {
  let platform;
  let browser;
  let stopped;
  let faviconProblems = null;  // filled by the first test, judged by the todo test

  before(async () => {
    platform = await startPlatform(['--role=all', '--heartbeat-interval=0.5']);
    browser = await launchChromium();
  });

  after(async () => {
    try {
      if (browser) await browser.close();
    } finally {
      if (platform) stopped = await platform.stop(5000);
    }
    if (stopped) {
      assert.ok(!stopped.killed, `platform ignored SIGTERM for 5 s:\n${platform.log()}`);
      assert.equal(stopped.signal, null, `platform died of ${stopped.signal}:\n${platform.log()}`);
      assert.equal(stopped.code, 0, `platform exit code after SIGTERM:\n${platform.log()}`);
    }
  });

  test('lists every role with its health, without errors', async () => {
    const apiUrl = platform.url('api');
    assert.match(apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await signInThroughPage(context);
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()} at ${m.location().url}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });

    try {
      await checkPage(page, problems);
    } catch (e) {
      // Keep evidence of what the browser showed.
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-failed.png'), fullPage: true }).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  });

  // Signs the context in through the login page, on a page of its own: the login
  // page's "who am I" probe answers 401 by design, which the page under test must not.
  async function signInThroughPage(context) {
    const page = await context.newPage();
    const response = await page.goto(`${platform.url('api')}/#/status`, { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    assert.equal(await page.title(), 'ReelStack');
    await page.locator('#login-form').waitFor({ timeout: 10000 });
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', adminPassword(platform));
    await page.click('#login-submit');
    await page.locator('#roles').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#user-name').innerText(), 'admin');
    await page.close();
  }

  async function checkPage(page, problems) {
    const apiUrl = platform.url('api');
    const response = await page.goto(`${apiUrl}/#/status`, { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    assert.equal(await page.title(), 'ReelStack');

    // One row per role, however many refreshes it takes (the page polls every 2 s).
    for (const role of ALL_ROLES) {
      await page.locator(`#roles tbody tr[data-role="${role}"]`).waitFor({ state: 'attached', timeout: 15000 });
    }
    assert.equal(await page.locator('#roles tbody tr').count(), ALL_ROLES.length);

    const row = async (role) => page.locator(`#roles tbody tr[data-role="${role}"] td`).allInnerTexts();
    const healthCell = (role) => page.locator(`#roles tbody tr[data-role="${role}"] td`).nth(3);

    for (const role of ['control', 'origin', 'edge']) {
      const cells = await row(role);
      assert.equal(cells[0], role);
      assert.match(cells[1], new RegExp(`-${role}-`), `instance id of ${role}: ${cells[1]}`);
      assert.equal(cells[2], platform.url(role), `address of ${role}`);
      assert.equal(cells[3], 'ok', `health of ${role}`);
      assert.equal(await healthCell(role).getAttribute('class'), 'ok');
      assert.equal(cells[5], '/metrics');
      const href = await page.locator(`#roles tbody tr[data-role="${role}"] a`).getAttribute('href');
      assert.equal(href, `${platform.url(role)}/metrics`);
    }

    // A role whose function is still pending says so, though its listener is healthy.
    const license = await row('license');
    assert.equal(license[2], platform.url('license'));
    assert.match(license[3], /not built yet/, `license health: ${license[3]}`);
    assert.match(license[3], /^ok\b/, 'license answers /healthz even though its function is pending');
    assert.equal(await healthCell('license').getAttribute('class'), 'warn');

    // Roles without a listener show that instead of an address.
    for (const role of ['encode', 'player']) {
      const cells = await row(role);
      assert.equal(cells[2], '(no listener)');
      assert.match(cells[3], /^heartbeating/);
    }

    const summary = await page.locator('#summary').innerText();
    assert.match(summary, new RegExp(`^${ALL_ROLES.length} role instances registered with control at `));
    assert.ok(summary.includes(platform.endpoints.control), summary);
    assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').innerText());

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Let at least one periodic refresh run, so its requests are checked too.
    await page.waitForResponse((r) => r.url().endsWith('/api/v1/status'), { timeout: 5000 });
    // The browser's own favicon fetch is judged separately (see the todo test below).
    faviconProblems = problems.filter((p) => p.includes('/favicon.ico'));
    assert.deepEqual(problems.filter((p) => !p.includes('/favicon.ico')), []);
  }

  // Chromium asks for /favicon.ico when a page declares no icon; the api role answers
  // 404, which is a console error on every visit of the status page.
  test('no console error for the favicon', () => {
    assert.ok(faviconProblems, 'the page test did not run');
    assert.deepEqual(faviconProblems, []);
  });

  test('the status API and page headers are sane', async () => {
    const apiUrl = platform.url('api');
    const page = await fetch(`${apiUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.headers.get('content-security-policy') || '', /default-src 'self'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');

    // Admins only: anonymous callers get 401 with the JSON error.
    const anonymous = await call(platform, 'GET', '/api/v1/status', { auth: null });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code.length > 0, true);
    assert.match(anonymous.headers.get('www-authenticate') || '', /^Bearer/);
    const status = await call(platform, 'GET', '/api/v1/status');
    assert.equal(status.status, 200);
    const body = status.body;
    assert.equal(body.control, platform.endpoints.control);
    assert.deepEqual(body.instances.map((i) => i.role).sort(), [...ALL_ROLES].sort());
  });
});
