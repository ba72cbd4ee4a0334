// Accounts in the web UI against a real `platform`, in a real browser (Debian's
// chromium through playwright-core):
//   - the login page: a wrong password is refused plainly, the right one signs in and
//     the header shows the user; the page asked for comes back after signing in;
//     "Sign out" ends the session on the server and shows the login page again;
//   - the session cookie is HttpOnly and SameSite=Strict, as the browser stores it
//     (no script reads it), and cookie-signed changes need X-ReelStack-CSRF: 1;
//   - a viewer sees browse and play only: no admin navigation, "admins only" on admin
//     pages opened by URL (without calling their APIs), 403 from every admin API;
//   - the admin page adds users, changes a role, resets a password, refuses to remove
//     the last admin, creates an API token shown once and revokes it, and the audit
//     trail lists all of it;
//   - (last) too many failed sign-ins: the login page says how long to wait (429,
//     Retry-After) and the right password works once the wait is over.
// Secrets (passwords, tokens, cookie values) must not show in console messages.
//
//   cd tests/browser && PLATFORM_BIN=../../build/release/app/platform node --test accounts.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { addUser, adminPassword, call, CSRF, login, must, redact, signIn } from './auth.mjs';
import { launchChromium } from './browser.mjs';
import { repoRoot, startPlatform } from './platform.mjs';

const SHOTS = path.join(repoRoot, 'build', 'browser');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ADMIN_PAGES = ['upload', 'status', 'delivery', 'admin'];

describe('accounts in the web UI', { timeout: 150000 }, () => {
  let platform;
  let browser;
  let api;

  before(async () => {
    platform = await startPlatform(['--role=control,origin,api']);
    api = platform.url('api');
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

  // A fresh context recording console errors, page errors and HTTP errors (except
  // those `allowed(text)` accepts) and every console message; check() asserts none,
  // and that no console message carries a secret. `as`: a user to sign in first.
  async function withPage(name, fn, { allowed = () => false, as = null, secrets = () => [] } = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // For the admin page's copy button (a real browser asks the user).
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api });
    if (as) await signIn(context, platform, as);
    const page = await context.newPage();
    const problems = [];
    const consoleText = [];
    const note = (text) => { if (!allowed(text)) problems.push(redact(text)); };
    page.on('console', (m) => {
      consoleText.push(m.text());
      if (m.type() === 'error') note(`console error: ${m.text()} at ${m.location().url}`);
    });
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    page.on('requestfailed', (r) => note(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText} (${r.resourceType()}, frame ${r.frame().url()})`));
    page.on('response', (r) => { if (r.status() >= 400) note(`HTTP ${r.status()}: ${r.request().method()} ${new URL(r.url()).pathname}`); });
    const check = () => {
      assert.deepEqual(problems, [], 'console, page or HTTP problems');
      for (const secret of [adminPassword(platform), ...secrets()]) {
        assert.ok(!consoleText.some((t) => t.includes(secret)), 'a secret in a console message');
      }
    };
    try {
      await fn(page, { context, check });
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `accounts-${name}.png`), fullPage: true });
    } catch (e) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `accounts-${name}-failed.png`), fullPage: true }).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  }

  // fetch() from the page (so with its cookie), answering { status, body }.
  const pageFetch = (page, method, p, { body, csrf = method !== 'GET' } = {}) => page.evaluate(async ({ method, p, body, csrf }) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
    if (csrf) headers['X-ReelStack-CSRF'] = '1';
    const res = await fetch(p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* empty */ }
    return { status: res.status, body: json };
  }, { method, p, body, csrf });

  const visibleNav = (page) => page.$$eval('header nav a', (as) => as.filter((a) => !a.hidden && a.offsetParent !== null).map((a) => a.dataset.nav));

  test('login page: a wrong password is refused, the right one signs in, sign-out ends the session', () => withPage('login', async (page, { context, check }) => {
    const loginPosts = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url() === `${api}/api/v1/session`) loginPosts.push(r); });
    await page.goto(`${api}/#/status`);
    await page.locator('#login-form').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('header nav').isHidden(), true, 'no navigation before signing in');
    assert.equal(await page.locator('#user').isHidden(), true);
    assert.equal(await page.locator('#roles').count(), 0, 'the status page is not shown');

    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', 'not-the-password');
    await page.click('#login-submit');
    await page.locator('#login-error:not([hidden])').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#login-error').innerText(), 'Wrong username or password.');
    assert.equal(await page.inputValue('#login-password'), '', 'the password field is cleared');

    await page.fill('#login-password', adminPassword(platform));
    const answered = page.waitForResponse((r) => r.url() === `${api}/api/v1/session` && r.request().method() === 'POST');
    await page.click('#login-submit');
    const res = await answered;
    assert.equal(res.status(), 200);
    for (const r of loginPosts) assert.equal(r.headers()['x-reelstack-csrf'], '1', 'the login POST carries the CSRF header');
    // assert.ok, not match: a failure prints the message, never the cookie.
    const setCookie = (await res.headerValue('set-cookie')) || '';
    assert.ok(/^rs_session=[^;]+;/.test(setCookie), redact(setCookie));
    assert.ok(/;\s*HttpOnly/i.test(setCookie), redact(setCookie));
    assert.ok(/;\s*SameSite=Strict/i.test(setCookie), redact(setCookie));

    // Signed in: the page asked for (the status page) comes back, the header shows the user.
    await page.locator('#roles').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#user-name').innerText(), 'admin');
    assert.equal(await page.locator('#user-role').innerText(), 'admin');
    assert.equal(await page.locator('#user').getAttribute('data-via'), 'session');
    assert.deepEqual(await visibleNav(page), ['catalogue', 'upload', 'status', 'delivery', 'admin', 'simulate']);
    assert.equal(await page.locator('#logout').isVisible(), true);

    // The cookie as the browser keeps it: HttpOnly (no script sees it), SameSite=Strict.
    const cookies = (await context.cookies(api)).filter((c) => c.name === 'rs_session');
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].httpOnly, true);
    assert.equal(cookies[0].sameSite, 'Strict');
    assert.equal(cookies[0].path, '/');
    assert.equal(await page.evaluate(() => document.cookie.includes('rs_session')), false, 'document.cookie does not show it');
    const me = await pageFetch(page, 'GET', '/api/v1/session');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { user: { name: 'admin', role: 'admin' }, via: 'session' });

    await page.click('#logout');
    await page.locator('#login-form').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#login-notice').innerText(), 'Signed out.');
    assert.equal(await page.locator('header nav').isHidden(), true);
    assert.equal((await context.cookies(api)).filter((c) => c.name === 'rs_session').length, 0, 'the cookie is cleared');
    assert.equal((await pageFetch(page, 'GET', '/api/v1/session')).status, 401);
    // Ended on the server, not only forgotten by the browser.
    const replayed = await call(platform, 'GET', '/api/v1/session', { auth: { cookie: `rs_session=${cookies[0].value}` } });
    assert.equal(replayed.status, 401);
    check();
  }, { allowed: (t) => /^HTTP 401: (GET|POST) \/api\/v1\/session$/.test(t) || /status of 401/.test(t) }));

  test('cookie-signed changes need X-ReelStack-CSRF: 1', () => withPage('csrf', async (page, { check }) => {
    await page.goto(`${api}/#/`);
    await page.locator('#user-name').waitFor({ timeout: 10000 });
    const without = await pageFetch(page, 'POST', '/api/v1/tokens', { body: { name: 'csrf probe', role: 'viewer' }, csrf: false });
    assert.equal(without.status, 403);
    assert.match(without.body.error.message, /X-ReelStack-CSRF/);
    const withHeader = await pageFetch(page, 'POST', '/api/v1/tokens', { body: { name: 'csrf probe', role: 'viewer' } });
    assert.equal(withHeader.status, 201);
    assert.equal((await pageFetch(page, 'DELETE', `/api/v1/tokens/${withHeader.body.id}`)).status, 204);
    check();
  }, { as: {}, allowed: (t) => /^HTTP 403: POST \/api\/v1\/tokens$/.test(t) || /status of 403/.test(t) }));

  test('a viewer sees browse, play and simulate only, "admins only" on admin pages, and 403 from admin APIs', async () => {
    await addUser(platform, 'vera', 'viewer', 'vera-viewer-password');
    await withPage('viewer', async (page, { check }) => {
      const apiCalls = [];
      page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/')) apiCalls.push(new URL(r.url()).pathname); });
      await page.goto(`${api}/#/`);
      await page.locator('#user-name').waitFor({ timeout: 10000 });
      assert.equal(await page.locator('#user-name').innerText(), 'vera');
      assert.equal(await page.locator('#user-role').innerText(), 'viewer');
      assert.deepEqual(await visibleNav(page), ['catalogue', 'simulate'], 'viewers browse, play and simulate');
      assert.equal(await page.locator('#health').isHidden(), true, 'no health summary (GET /api/v1/status is for admins)');
      await page.locator('#empty:not([hidden])').waitFor({ timeout: 10000 });
      assert.equal(await page.locator('#empty a[href="#/upload"]').count(), 0, 'no upload link for a viewer');

      for (const p of ADMIN_PAGES) {
        await page.goto(`${api}/#/${p}`);
        await page.locator('#admins-only').waitFor({ timeout: 10000 });
        assert.equal(await page.locator('#admins-only h2').innerText(), 'Admins only');
        assert.match(await page.locator('#admins-only').innerText(), /signed in as vera \(viewer\)/);
      }
      const adminCalls = apiCalls.filter((x) => !['/api/v1/session', '/api/v1/titles'].includes(x));
      assert.deepEqual(adminCalls, [], 'a viewer\'s pages call no admin API');

      for (const [method, p, body] of [['GET', '/api/v1/users'], ['GET', '/api/v1/tokens'], ['GET', '/api/v1/audit'],
        ['GET', '/api/v1/status'], ['GET', '/api/v1/delivery/edges'], ['POST', '/api/v1/users', { name: 'x', role: 'admin', password: 'xxxxxxxxxxxx' }],
        ['POST', '/api/v1/tokens', { name: 'x', role: 'admin' }], ['PATCH', '/api/v1/users/vera', { role: 'admin' }],
        ['DELETE', '/api/v1/titles/t_nope'], ['PATCH', '/api/v1/titles/t_nope', { public: true }], ['POST', '/api/v1/delivery/fill/run']]) {
        const r = await pageFetch(page, method, p, { body });
        assert.equal(r.status, 403, `${method} ${p} as a viewer`);
        assert.match(r.body.error.message, /admin/, `${method} ${p}: ${r.body.error.message}`);
      }
      // What a viewer may do still works.
      assert.equal((await pageFetch(page, 'GET', '/api/v1/titles')).status, 200);
      check();
    }, { as: { username: 'vera', password: 'vera-viewer-password' }, allowed: (t) => /^HTTP 403: /.test(t) || /status of 403/.test(t) });
  });

  test('the admin page manages users and tokens, and the audit trail shows it', async () => {
    let created = null;  // the new token's value, for the secrets check
    await withPage('admin', async (page, { check }) => {
      await page.goto(`${api}/#/admin`);
      await page.locator('#users-table tr[data-user="admin"]').waitFor({ timeout: 10000 });
      assert.equal(await page.locator('nav a[data-nav="admin"]').getAttribute('aria-current'), 'page');
      const row = (name) => page.locator(`#users-table tr[data-user="${name}"]`);

      // Add a user; the password policy's refusal is shown as the api words it.
      await page.fill('#new-user-name', 'bob');
      await page.fill('#new-user-password', 'short');
      await page.click('#new-user-add');
      await page.locator('#users-error:not([hidden])').waitFor({ timeout: 10000 });
      assert.match(await page.locator('#users-error').innerText(), /^Could not add bob: .*password too short/);
      await page.fill('#new-user-name', 'alice');
      await page.selectOption('#new-user-role', 'viewer');
      await page.fill('#new-user-password', 'alice-first-password');
      await page.click('#new-user-add');
      await row('alice').waitFor({ timeout: 10000 });
      assert.equal(await row('alice').getAttribute('data-role'), 'viewer');
      assert.equal(await page.locator('#users-notice').innerText(), 'Added alice (viewer).');
      assert.equal(await page.locator('#users-error').isHidden(), true);
      assert.equal(await page.inputValue('#new-user-password'), '');

      // Role: viewer → admin.
      await row('alice').locator('select[data-action="role"]').selectOption('admin');
      await page.locator('#users-table tr[data-user="alice"][data-role="admin"]').waitFor({ timeout: 10000 });
      assert.equal((await must(platform, 'GET', '/api/v1/users')).users.find((u) => u.name === 'alice').role, 'admin');

      // Reset the password: the new one signs in, the old one no longer.
      await row('alice').locator('button[data-action="reset"]').click();
      await row('alice').locator('input[data-action="password"]').fill('alice-second-password');
      await row('alice').locator('button[data-action="set-password"]').click();
      await page.locator('#users-notice', { hasText: 'New password set for alice' }).waitFor({ timeout: 10000 });
      await login(platform, 'alice', 'alice-second-password');
      const old = await call(platform, 'POST', '/api/v1/session', { auth: null, headers: CSRF, body: { username: 'alice', password: 'alice-first-password' } });
      assert.equal(old.status, 401);

      // A token, shown once with a copy hint; it works as a viewer's credential.
      await page.fill('#token-name', 'nightly script');
      await page.selectOption('#token-role', 'viewer');
      await page.selectOption('#token-expiry', String(86400));
      await page.click('#token-create-submit');
      await page.locator('#new-token:not([hidden])').waitFor({ timeout: 10000 });
      created = await page.locator('#new-token-value').innerText();
      assert.ok(/^rst_[A-Za-z0-9_-]{20,}$/.test(created), 'an API token');
      assert.ok(/shown only this once/.test(await page.locator('#new-token').innerText()), 'the box says it is shown once');
      assert.match(await page.locator('#new-token-label').innerText(), /nightly script.*viewer.*expires/);
      const tokenRow = page.locator('#tokens-table tr[data-name="nightly script"]');
      await tokenRow.waitFor({ timeout: 10000 });
      assert.equal(await tokenRow.getAttribute('data-state'), 'active');
      assert.equal(await page.evaluate((t) => document.body.innerText.split(t).length - 1, created), 1, 'the token shows once, in the box only');
      const me = await must(platform, 'GET', '/api/v1/session', { auth: created });
      assert.deepEqual(me, { user: { name: 'token:nightly script', role: 'viewer' }, via: 'token' });
      await page.click('#new-token-copy');
      await page.locator('#new-token-copied', { hasText: 'Copied.' }).waitFor({ timeout: 5000 });
      assert.ok(await page.evaluate((t) => navigator.clipboard.readText().then((c) => c === t), created), 'the token is on the clipboard');
      await page.click('#new-token-dismiss');
      assert.equal(await page.locator('#new-token').isHidden(), true);
      assert.equal(await page.evaluate((t) => document.body.innerHTML.includes(t), created), false, 'gone after Done');

      // Revoke it (two clicks): the api refuses it from then on.
      await tokenRow.locator('button[data-action="revoke"]').click();
      await tokenRow.locator('button[data-action="revoke"]').click();
      await page.locator('#tokens-table tr[data-name="nightly script"][data-state="revoked"]').waitFor({ timeout: 10000 });
      assert.equal((await call(platform, 'GET', '/api/v1/session', { auth: created })).status, 401);

      // Remove alice; then the last admin cannot be removed (409, said on the page).
      await row('alice').locator('button[data-action="remove"]').click();
      await row('alice').locator('button[data-action="remove"]').click();
      await page.waitForFunction(() => !document.querySelector('#users-table tr[data-user="alice"]'), null, { timeout: 10000 });
      await row('admin').locator('button[data-action="remove"]').click();
      await row('admin').locator('button[data-action="remove"]').click();
      await page.locator('#users-error:not([hidden])').waitFor({ timeout: 10000 });
      assert.match(await page.locator('#users-error').innerText(), /^Could not remove admin: .*HTTP 409/);
      assert.equal(await row('admin').count(), 1);

      // The audit trail, newest first, has all of it.
      await page.locator('#audit-table tr[data-action="user_removed"][data-target="admin"]').waitFor({ timeout: 10000 });
      const wanted = [['user_added', 'alice'], ['user_role', 'alice'], ['user_password', 'alice'], ['token_created', ''],
        ['token_revoked', ''], ['user_removed', 'alice'], ['login_failed', 'alice'], ['login', 'alice']];
      const entries = await page.$$eval('#audit-table tbody tr', (trs) => trs.map((tr) => ({ ...tr.dataset })));
      for (const [action, target] of wanted) {
        assert.ok(entries.some((e) => e.action === action && (!target || e.target === target)), `audit has ${action} ${target}: ${JSON.stringify(entries.map((e) => e.action))}`);
      }
      const ids = entries.map((e) => Number(e.id));
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
      assert.ok(entries.some((e) => e.action === 'user_removed' && e.target === 'admin' && e.ok === 'false'), 'the refused removal is audited too');

      // Reloaded, the page shows the token nowhere.
      await page.reload();
      await page.locator('#tokens-table tr[data-name="nightly script"]').waitFor({ timeout: 10000 });
      assert.equal(await page.evaluate((t) => document.body.innerHTML.includes(t), created), false);
      check();
    }, {
      as: {},
      secrets: () => (created ? [created, 'alice-first-password', 'alice-second-password'] : []),
      allowed: (t) => /^HTTP (400|409): (POST \/api\/v1\/users|DELETE \/api\/v1\/users\/admin)$/.test(t) || /status of (400|409)/.test(t),
    });
  });

  // Last: it leaves this address backed off for a few seconds.
  test('too many failed sign-ins: the login page says how long to wait, then the right password works', () => withPage('throttle', async (page, { check }) => {
    // Failures from this address (earlier tests made some): 5 are free, then each
    // doubles the wait (1 s, 2 s, 4 s…). Fail until the wait is 4 s, sitting out the
    // shorter ones (attempts while waiting are refused and do not count).
    const fail = () => call(platform, 'POST', '/api/v1/session', { auth: null, headers: CSRF, body: { username: 'admin', password: 'wrong-password' } });
    let wait = 0;
    for (let i = 0; i < 20 && wait < 4; i++) {
      const r = await fail();
      assert.ok(r.status === 401 || r.status === 429, `a failed login: HTTP ${r.status}`);
      if (r.status === 429) {
        wait = Number(r.headers.get('retry-after'));
        assert.ok(wait >= 1, 'a 429 says how long to wait');
        if (wait < 4) await sleep(wait * 1000 + 100);
      }
    }
    assert.ok(wait >= 4, `the wait grew to ${wait} s`);

    await page.goto(`${api}/#/`);
    await page.locator('#login-form').waitFor({ timeout: 10000 });
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', adminPassword(platform));
    const answered = page.waitForResponse((r) => r.url() === `${api}/api/v1/session` && r.request().method() === 'POST');
    await page.click('#login-submit');
    const res = await answered;
    assert.equal(res.status(), 429, 'even the right password waits');
    const retryAfter = Number(await res.headerValue('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= wait, `Retry-After ${retryAfter}`);
    await page.locator('#login-error:not([hidden])').waitFor({ timeout: 5000 });
    assert.match(await page.locator('#login-error').innerText(), /^Too many failed sign-ins for this account or address\. Try again in \d s\.$/);
    assert.equal(await page.locator('#login-submit').isDisabled(), true, 'the button waits');
    assert.match(await page.locator('#login-submit').innerText(), /^Sign in \(wait \d s\)$/);
    await page.waitForFunction(() => !document.getElementById('login-submit').disabled, null, { timeout: (retryAfter + 2) * 1000 });
    await page.fill('#login-password', adminPassword(platform));
    await page.click('#login-submit');
    await page.locator('#user-name').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#user-name').innerText(), 'admin');
    check();
  }, { allowed: (t) => /^HTTP (401|429): (GET|POST) \/api\/v1\/session$/.test(t) || /status of (401|429)/.test(t) }));
});
