// The web UI against a real `platform`, in a real browser (Debian's chromium through
// playwright-core): the catalogue shows a ready title with its poster, the title page
// its renditions, quality and manifest URLs, the player plays it with seek previews
// and a live panel that follows a forced rung, uploads go through tus (one chunk, and
// two 8 MiB chunks) to 100 % and on to the new title's page, which follows a running
// job (progress, ETA, failure reason) and can delete the title; an admin marks the
// title public on its page and then it plays without a token. Every page is signed
// in as the first admin. Any console error, page error or HTTP error fails the test.
// The test title comes from prepareTitle() (media.mjs).
//
//   cd tests/browser && PLATFORM_BIN=../../build/release/app/platform node --test ui.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, must, redact, serviceToken, signIn } from './auth.mjs';
import { launchChromium } from './browser.mjs';

import { generateClip, PLATFORM_ARGS, prepareTitle, videoRungs, withoutToken } from './media.mjs';
import { repoRoot, startPlatform } from './platform.mjs';

const SHOTS = path.join(repoRoot, 'build', 'browser');

describe('web UI', { timeout: 110000 }, () => {
  let platform;
  let browser;
  let title;
  let work;
  let uploaded = null;  // title id from the upload test, for the delete test

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'reelstack-ui-'));
    platform = await startPlatform(PLATFORM_ARGS);
    title = await prepareTitle(platform, { name: 'UI test title', catalogue: true });
    browser = await launchChromium();
  });

  after(async () => {
    try {
      if (browser) await browser.close();
    } finally {
      if (work) rmSync(work, { recursive: true, force: true });
      if (platform) {
        const stopped = await platform.stop(5000);
        assert.equal(stopped.code, 0, `platform exit after SIGTERM:\n${platform.log()}`);
      }
    }
  });

  const apiGet = (p) => must(platform, 'GET', p);

  // A fresh page, signed in as the first admin, that records every console error, page
  // error, failed request and HTTP error; `check()` asserts there were none.
  // Screenshot on failure. on: the stack to sign in to.
  async function withPage(name, fn, { on = platform } = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await signIn(context, on);
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()} at ${m.location().url}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      // Players abort segment downloads they no longer need (a forced rung switch).
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    try {
      await fn(page, () => assert.deepEqual(problems.map(redact), [], 'console, page or HTTP problems'));
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `ui-${name}.png`), fullPage: true });
    } catch (e) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `ui-${name}-failed.png`), fullPage: true }).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  }

  test('the catalogue shows the ready title with its poster', () => withPage('catalogue', async (page, check) => {
    const fromApi = (await apiGet(`/api/v1/titles/${title.id}`));
    assert.equal(fromApi.state, 'ready');
    assert.ok(fromApi.poster, 'the API gives a poster URL');

    await page.goto(`${platform.url('api')}/#/`);
    const card = page.locator(`#titles li.card[data-id="${title.id}"]`);
    await card.waitFor({ timeout: 10000 });
    assert.equal(await card.locator('.card-name').innerText(), title.name);
    assert.equal(await card.locator('.badge').innerText(), 'ready');
    const poster = card.locator('img.poster');
    // The page's own playback token is in the URL (minted for its session).
    const src = await poster.getAttribute('src');
    // assert.ok, not match: the reporter would print the token of a failed match.
    assert.ok(new RegExp(`^/m/[^/]+/${title.id}/poster\\.jpg$`).test(new URL(src).pathname), redact(src));
    assert.equal(withoutToken(src), withoutToken(fromApi.poster));
    // The image really came from origin (another port) and decoded: the CSP allows it.
    await page.waitForFunction((id) => {
      const img = document.querySelector(`li.card[data-id="${id}"] img.poster`);
      return img && img.complete && img.naturalWidth > 0;
    }, title.id, { timeout: 10000 });
    assert.ok(await card.locator('a.play-link').isVisible(), 'a ready title offers Play');
    assert.equal(await page.locator('#catalogue-error').isHidden(), true);
    check();
  }));

  test('the title page shows renditions, quality and manifest URLs', () => withPage('title', async (page, check) => {
    const fromApi = await apiGet(`/api/v1/titles/${title.id}`);
    await page.goto(`${platform.url('api')}/#/title/${title.id}`);
    await page.locator('#renditions').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#title-name').innerText(), title.name);
    assert.equal(await page.locator('.badge').first().innerText(), 'ready');

    assert.equal(await page.locator('#renditions tbody tr').count(), fromApi.renditions.length);
    for (const r of fromApi.renditions) {
      const cells = await page.locator(`#renditions tr[data-rendition="${r.id}"] td`).allInnerTexts();
      assert.equal(cells[0], r.id);
      assert.equal(cells[1], r.kind);
      assert.ok(cells[2].startsWith(r.codec), `codec cell ${cells[2]}`);
      if (r.kind === 'video') {
        assert.ok(cells[3].startsWith(`${r.width}×${r.height}`), `resolution cell ${cells[3]}`);
        // PSNR/SSIM "mean / worst", or "–" when the encoder did not measure them.
        assert.equal(cells[5], r.psnr ? `${r.psnr.mean.toFixed(2)} / ${r.psnr.worstSegment.toFixed(2)}` : '–');
        assert.equal(cells[6], r.ssim ? `${r.ssim.mean.toFixed(4)} / ${r.ssim.worstSegment.toFixed(4)}` : '–');
      }
    }
    for (const kind of ['dash', 'hls']) {
      const link = page.locator(`#manifests a[data-link="${kind}"]`);
      const href = await link.getAttribute('href');
      assert.equal(withoutToken(href), withoutToken(fromApi.manifests[kind]));
      assert.ok(new RegExp(`^/m/[^/]+/${title.id}/`).test(new URL(href).pathname), 'the link carries a playback token');
      // The text leaves the token out.
      assert.equal(await link.innerText(), href.replace(/\/m\/[^/]+\//, '/m/…/'));
    }
    assert.ok(withoutToken(fromApi.manifests.dash).endsWith(`/media/${title.id}/manifest.mpd`), redact(fromApi.manifests.dash));
    assert.equal(await page.locator('#reason').count(), 0, 'no failure reason on a ready title');
    check();
  }));

  test('the player plays, shows a live panel and follows a forced rung', () => withPage('player', async (page, check) => {
    await page.goto(`${platform.url('api')}/#/play/${title.id}`);
    // Opened by URL, without a gesture: the page falls back to muted autoplay.
    await page.waitForFunction(() => { const v = document.getElementById('video'); return v && v.currentTime > 0 && !v.paused; },
      null, { timeout: 15000 });
    const t0 = await page.evaluate(() => document.getElementById('video').currentTime);
    await page.waitForFunction((t) => document.getElementById('video').currentTime >= t + 3, t0, { timeout: 15000 });

    const rung = page.locator('#live-panel [data-k="rung"]');
    const rungs = videoRungs(title);
    const names = rungs.map((r) => r.name);
    const current = await rung.getAttribute('data-rung');
    assert.ok(names.includes(current), `panel rung ${current}`);
    assert.match(await rung.innerText(), new RegExp(`^${current} \\(\\d+×\\d+\\)$`));
    assert.match(await page.locator('#live-panel [data-k="bandwidth"]').innerText(), /\d+ (kbit|Mbit)\/s/);
    assert.ok(Number(await page.locator('#live-panel [data-k="buffer"]').getAttribute('data-seconds')) > 0, 'buffer ahead');
    assert.match(await page.locator('#live-panel [data-k="buffer"]').innerText(), /^\d+\.\d s$/);
    assert.match(await page.locator('#live-panel [data-k="estimate"]').innerText(), /\d+(\.\d+)? (kbit|Mbit)\/s/);
    assert.match(await page.locator('#live-panel [data-k="dropped"]').innerText(), /^\d+ of \d+ decoded$/);
    assert.equal(await page.locator('#live-panel [data-k="mode"]').innerText(), 'Auto');

    // Force the other rung in the selector.
    const target = rungs.find((r) => r.name !== current);
    const value = await page.locator(`#rung-select option[data-height="${target.height}"]`).getAttribute('value');
    await page.selectOption('#rung-select', value);
    await page.waitForFunction((name) => document.querySelector('#live-panel [data-k="rung"]').dataset.rung === name,
      target.name, { timeout: 5000 });
    assert.equal(await page.locator('#live-panel [data-k="mode"]').innerText(), 'Forced');
    await page.waitForFunction((h) => document.getElementById('video').videoHeight === h, target.height, { timeout: 15000 });
    const t1 = await page.evaluate(() => document.getElementById('video').currentTime);
    await page.waitForFunction((t) => document.getElementById('video').currentTime >= t + 1, t1, { timeout: 10000 });

    // Seek preview: hovering the middle of the seek bar shows that moment's sprite tile.
    const bar = await page.locator('#scrub').boundingBox();
    await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
    await page.locator('.scrub-preview').waitFor({ state: 'visible', timeout: 5000 });
    const thumb = await page.locator('.scrub-preview .thumb').evaluate((el) => ({
      hidden: el.hidden, image: el.style.backgroundImage, width: el.offsetWidth, height: el.offsetHeight,
    }));
    assert.equal(thumb.hidden, false, 'a thumbnail for the middle of the title');
    assert.ok(withoutToken(thumb.image).includes(`${withoutToken(title.mediaUrl)}thumbs.jpg`), redact(thumb.image));
    assert.ok(thumb.width > 0 && thumb.height > 0, JSON.stringify(thumb));
    const sprite = await page.evaluate(async () => {
      const img = new Image();
      img.src = document.querySelector('.scrub-preview .thumb').style.backgroundImage.slice(5, -2);
      try {
        await img.decode();
      } catch (e) {
        return `not decodable: ${e.message}`;
      }
      return img.naturalWidth;
    });
    assert.ok(sprite > 0, `sprite ${sprite}`);
    await page.mouse.move(0, 0);

    await page.selectOption('#rung-select', 'auto');
    await page.waitForFunction(() => document.querySelector('#live-panel [data-k="mode"]').textContent === 'Auto', null, { timeout: 5000 });
    assert.equal(await page.locator('#player-error').isHidden(), true, await page.locator('#player-error').innerText());
    check();
  }));

  // Uploads `clip` through the upload page as `name`; returns what happened on the way:
  // { id, seen (every value of the progress bar), offsets (Upload-Offset of each
  // PATCH), creations (the tus creation answers) }. Fails unless the page ends on
  // the new title's page.
  async function uploadThroughUi(page, clip, name) {
    const offsets = [];
    const creations = [];
    page.on('request', (r) => { if (r.method() === 'PATCH') offsets.push(Number(r.headers()['upload-offset'])); });
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/uploads') creations.push(r);
    });
    await page.goto(`${platform.url('api')}/#/upload`);
    await page.setInputFiles('#file', clip);
    assert.equal(await page.inputValue('#name'), path.basename(clip, '.mp4'), 'the name defaults to the file name');
    await page.fill('#name', name);
    // Every value the progress bar takes, even if the page moves on right after 100 %.
    await page.evaluate(() => {
      const bar = document.getElementById('upload-progress');
      window.progressSeen = [];
      new MutationObserver(() => window.progressSeen.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
    await page.click('#start');
    await page.waitForFunction(
      () => /^#\/title\/[^/]+$/.test(location.hash) || !document.getElementById('upload-error').hidden, null, { timeout: 30000 },
    ).catch(() => {});
    if (!/^#\/title\//.test(await page.evaluate(() => location.hash))) {
      const shown = await page.evaluate(() => [document.getElementById('upload-text').textContent,
        document.getElementById('upload-error').textContent]);
      assert.fail(`no title page after the upload; progress "${shown[0]}", error "${shown[1]}", PATCH offsets ${JSON.stringify(offsets)}`);
    }
    const seen = await page.evaluate(() => window.progressSeen);
    assert.ok(seen.length > 0, 'the progress bar moved');
    assert.equal(seen[seen.length - 1], 100);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `progress went back: ${seen}`);

    assert.equal(creations.length, 1, 'one tus creation');
    assert.equal(creations[0].status(), 201);
    const headerId = await creations[0].headerValue('x-title-id');
    const id = decodeURIComponent((await page.evaluate(() => location.hash)).replace('#/title/', ''));
    assert.equal(id, headerId, 'the page went to the title named by X-Title-Id');

    await page.locator('#title-name').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#title-name').innerText(), name);
    // Ingest fills in the source (size, hash) once it has accepted the upload.
    let fromApi;
    for (const deadline = Date.now() + 10000; ; await new Promise((res) => setTimeout(res, 200))) {
      fromApi = await apiGet(`/api/v1/titles/${id}`);
      if ((fromApi.source && fromApi.source.sizeBytes) || fromApi.state === 'failed' || Date.now() > deadline) break;
    }
    assert.equal(fromApi.name, name);
    assert.notEqual(fromApi.state, 'failed', fromApi.reason);
    assert.equal(fromApi.source.fileName, path.basename(clip));
    assert.equal(fromApi.source.sizeBytes, statSync(clip).size);
    const shown = await page.locator('.badge').first().getAttribute('data-state');
    assert.ok(['uploading', 'probing', 'queued', 'encoding', 'packaging', 'ready'].includes(shown), `state badge ${shown}`);
    return { id, seen, offsets, fromApi };
  }

  test('upload: tus to 100 %, then the new title page', () => withPage('upload', async (page, check) => {
    const clip = await generateClip(path.join(work, 'clip.mp4'), { seconds: 3 });
    const r = await uploadThroughUi(page, clip, 'Uploaded clip');
    assert.deepEqual(r.offsets, [0], 'one PATCH for a file under the chunk size');
    uploaded = r.id;
    check();
  }));

  // The UI sends 8 MiB chunks: each PATCH is a request body of megabytes, which the
  // server must take at the pace a browser sends it.
  test('upload of a file over 8 MiB: two 8 MiB tus chunks', () => withPage('upload-large', async (page, check) => {
    const clip = await generateClip(path.join(work, 'large.mp4'), { seconds: 4, size: '640x360', kbps: 20000 });
    const size = statSync(clip).size;
    assert.ok(size > 8.5 * 1024 * 1024, `clip of ${size} bytes`);
    const r = await uploadThroughUi(page, clip, 'Large upload');
    assert.deepEqual(r.offsets, [0, 8 * 1024 * 1024], 'PATCHes of the UI\'s 8 MiB chunks');
    assert.ok(r.seen.some((v) => v > 0 && v < 100), `progress between 0 and 100: ${r.seen}`);
    check();
  }));

  // The title page while a job runs, driven through control's job API as an encoder
  // would: progress with percent, fps and ETA per stage, then a failure and its reason.
  // Its own platform without an encoder, so no real worker takes the job.
  // Control's job API takes service credentials only (the cluster key), as an encoder has.
  test('the title page follows its job: progress, ETA, failure reason', async () => {
    const own = await startPlatform(['--role=control,origin,api']);
    try {
      await withPage('job', (page, check) => followJob(own, page, check), { on: own });
    } finally {
      const stopped = await own.stop(5000);
      assert.equal(stopped.code, 0, own.log());
    }
  });

  async function followJob(own, page, check) {
    const control = own.url('control');
    const service = serviceToken(own);
    const post = async (p, body, status = 200) => {
      const r = await call(own, 'POST', p, { base: control, auth: service, body });
      assert.equal(r.status, status, `POST ${p}: ${redact(r.text)}`);
      return r.body;
    };
    const anonymous = await call(own, 'POST', '/control/v1/jobs/claim', { base: control, auth: null, body: { worker: 'x', leaseSeconds: 60 } });
    assert.equal(anonymous.status, 401, 'an anonymous encoder claims nothing');
    const t = await post('/control/v1/titles', { name: 'Job title', fileName: 'job.mov' }, 201);
    const job = await post('/control/v1/jobs', { titleId: t.id, spec: {} }, 201);
    await page.goto(`${own.url('api')}/#/title/${t.id}`);
    await page.locator('.badge[data-state="queued"]').waitFor({ timeout: 10000 });
    assert.match(await page.locator('#job').innerText(), /Waiting for an encoder/);

    const worker = 'ui-test-worker';
    const claimed = await post('/control/v1/jobs/claim', { worker, leaseSeconds: 60 });
    assert.equal(claimed.id, job.id);
    await post(`/control/v1/jobs/${job.id}/progress`, { worker, stage: 'encoding', percent: 42.5, fps: 61.2, etaSeconds: 12 });
    await page.waitForFunction(() => document.getElementById('job-progress')?.value === 42.5, null, { timeout: 5000 });
    assert.equal(await page.locator('.badge').first().getAttribute('data-state'), 'encoding');
    assert.equal(await page.locator('#job-text').innerText(), `encoding 42.5 % · 61 fps · ETA 12 s · on ${worker}`);

    await post(`/control/v1/jobs/${job.id}/progress`, { worker, stage: 'packaging', percent: 90, etaSeconds: -1 });
    await page.waitForFunction(() => document.getElementById('job-progress')?.value === 90, null, { timeout: 5000 });
    assert.match(await page.locator('#job-text').innerText(), /^packaging 90\.0 % · .*ETA – /);

    await post(`/control/v1/jobs/${job.id}/fail`, { worker, reason: 'decoder gave up at 00:01:02', retryable: false });
    await page.locator('#reason').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('#reason').innerText(), 'Failed: decoder gave up at 00:01:02');
    assert.equal(await page.locator('.badge').first().getAttribute('data-state'), 'failed');
    assert.equal(await page.locator('#job-progress').count(), 0, 'no progress bar on a failed title');
    check();
  }

  // Public titles play without a token, for anyone who can reach an edge; edges learn
  // which titles are public from control within a heartbeat interval.
  test('an admin marks the title public on its page; then it plays without a token', () => withPage('public', async (page, check) => {
    const bare = `/media/${title.id}/manifest.mpd`;
    const anonymous = () => call(platform, 'GET', bare, { base: platform.url('edge'), auth: null });
    const until = async (status) => {
      let r;
      for (const deadline = Date.now() + 10000; ; await new Promise((res) => setTimeout(res, 200))) {
        r = await anonymous();
        if (r.status === status || Date.now() > deadline) break;
      }
      assert.equal(r.status, status, `anonymous GET ${bare} at the edge: ${redact(r.text.slice(0, 200))}`);
      return r;
    };
    assert.equal((await anonymous()).status, 401, 'a private title needs a token');

    await page.goto(`${platform.url('api')}/#/title/${title.id}`);
    const box = page.locator('#public');
    await box.waitFor({ timeout: 10000 });
    assert.equal(await box.isChecked(), false);
    assert.equal(await page.locator('#public-badge').isHidden(), true);
    const patched = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/titles/${title.id}`));
    await box.check();
    assert.equal((await patched).status(), 200);
    await page.locator('#public-badge').waitFor({ timeout: 5000 });
    assert.equal((await apiGet(`/api/v1/titles/${title.id}`)).public, true);
    const open = await until(200);
    assert.match(open.text, /<MPD/, 'the manifest, without any token');

    const unpatched = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/titles/${title.id}`));
    await box.uncheck();
    assert.equal((await unpatched).status(), 200);
    await page.locator('#public-badge').waitFor({ state: 'hidden', timeout: 5000 });
    assert.equal((await apiGet(`/api/v1/titles/${title.id}`)).public, false);
    await until(401);
    check();
  }));

  test('a viewer\'s title page has neither "public" nor "delete"', async () => {
    await must(platform, 'POST', '/api/v1/users', { body: { name: 'ui-viewer', role: 'viewer', password: 'ui-viewer-password' }, expect: 201 });
    const context = await browser.newContext();
    try {
      await signIn(context, platform, { username: 'ui-viewer', password: 'ui-viewer-password' });
      const page = await context.newPage();
      await page.goto(`${platform.url('api')}/#/title/${title.id}`);
      await page.locator('#renditions').waitFor({ timeout: 10000 });
      assert.equal(await page.locator('#play').isVisible(), true, 'a viewer plays');
      assert.equal(await page.locator('#public').count(), 0);
      assert.equal(await page.locator('#delete').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('delete from the title page', () => withPage('delete', async (page, check) => {
    assert.ok(uploaded, 'the upload test did not leave a title');
    await page.goto(`${platform.url('api')}/#/title/${uploaded}`);
    await page.locator('#delete').waitFor({ timeout: 10000 });
    await page.click('#delete');
    assert.match(await page.locator('#delete').innerText(), /Really delete/);
    await page.click('#delete');
    await page.waitForFunction(() => location.hash === '#/', null, { timeout: 10000 });
    const res = await call(platform, 'GET', `/api/v1/titles/${uploaded}`);
    assert.equal(res.status, 404);
    await page.locator(`#titles li.card[data-id="${title.id}"]`).waitFor({ timeout: 10000 });
    assert.equal(await page.locator(`#titles li.card[data-id="${uploaded}"]`).count(), 0);
    check();
  }));
});
