// Protected titles made by the real pipeline (--protection=on, 'cenc' on one platform
// and 'cbcs' on another) play in a real browser (Debian's chromium through
// playwright-core) with the W3C ClearKey key system:
//   - dash.js and Shaka Player on manifest.mpd, the license either fetched from the
//     URL the MPD names (dashif:Laurl) or the keys given to the player directly;
//   - Shaka Player on master-sample-aes.m3u8 (the same CMAF segments, HLS identity keys);
//   - hls.js on master.m3u8, the AES-128 variant, fetching its keys from the URLs the
//     playlists name;
//   - a wrong key does not play.
// The license and key endpoints are a stand-in in this harness (the license role
// comes later): they derive the keys from the platforms' development secret exactly as
// DevKeySource does, and record what was asked.
//
//   cd tests/browser && PLATFORM_BIN=../../build/release/app/platform node --test protection.test.mjs

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchChromium } from './browser.mjs';

import { ingestedTitle, PIPELINE_ARGS } from './media.mjs';
import { repoRoot, startPlatform } from './platform.mjs';
import { startStaticServer } from './static-server.mjs';

const here = path.join(repoRoot, 'tests', 'browser');
const SHOTS = path.join(repoRoot, 'build', 'browser');
const LIBS = {
  '/lib/dashjs/': path.join(here, 'node_modules/dashjs/dist/modern/umd'),
  '/lib/hls.js/': path.join(here, 'node_modules/hls.js/dist'),
  '/lib/shaka/': path.join(repoRoot, 'ui/node_modules/shaka-player/dist'),
};
const CLIP_SECONDS = 12;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b64url = (buf) => Buffer.from(buf).toString('base64url');

// DevKeySource's derivation (modules/encode/devkeysource.h).
const derive = (secret, purpose, title, track) =>
  createHmac('sha256', secret).update(`reelstack-dev-v1|${purpose}|${title}|${track}`).digest().subarray(0, 16);

describe('protected titles in dash.js, Shaka Player and hls.js (ClearKey, AES-128)', { timeout: 200000 }, () => {
  let work;
  let secret;
  let server;
  let browser;
  const platforms = {};
  const titles = {};          // scheme → { id, dash, hls, sampleAes, kids: {video, audio} }
  const keysById = new Map(); // kid hex → key (CENC and AES-128 keys alike)
  const licenseRequests = []; // { title, kids: [hex] }
  const keyRequests = [];     // kid hex

  before(async () => {
    for (const [prefix, dir] of Object.entries(LIBS)) {
      assert.ok(existsSync(dir), `${dir} is missing (for ${prefix}): run installer/setup-deps.sh`);
    }
    work = mkdtempSync(path.join(tmpdir(), 'reelstack-protection-'));
    secret = randomBytes(32);
    const secretFile = path.join(work, 'dev-key-secret');
    writeFileSync(secretFile, `${secret.toString('hex')}\n`, { mode: 0o600 });
    chmodSync(secretFile, 0o600);

    server = await startStaticServer({ '/': path.join(here, 'pages'), ...LIBS }, {
      // W3C ClearKey license exchange (EME §9.1.3): {"kids":[b64url]} → JWK set.
      '/license': (req, res, body) => {
        const title = new URL(req.url, 'http://x').searchParams.get('title');
        let kids;
        try {
          kids = JSON.parse(body.toString('utf8')).kids.map((k) => Buffer.from(k, 'base64url').toString('hex'));
        } catch {
          res.writeHead(400).end('bad license request');
          return;
        }
        licenseRequests.push({ title, kids });
        const keys = kids.filter((k) => keysById.has(k))
          .map((k) => ({ kty: 'oct', kid: b64url(Buffer.from(k, 'hex')), k: b64url(keysById.get(k)) }));
        res.writeHead(keys.length ? 200 : 404, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ keys, type: 'temporary' }));
      },
      // HLS keys: the raw 16 bytes for /keys/<kid hex>.
      '/keys/': (req, res) => {
        const kid = new URL(req.url, 'http://x').pathname.slice('/keys/'.length);
        keyRequests.push(kid);
        if (!keysById.has(kid)) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(keysById.get(kid));
      },
    });

    for (const scheme of ['cenc', 'cbcs']) {
      platforms[scheme] = await startPlatform([...PIPELINE_ARGS, '--protection=on', `--protection-scheme=${scheme}`,
        `--protection-dev-key-file=${secretFile}`, `--protection-license-url=${server.url}/license?title={title}`,
        `--protection-hls-key-url=${server.url}/keys/{kid}`]);
    }
    // Both encode at once (each platform has its own encoder).
    await Promise.all(['cenc', 'cbcs'].map(async (scheme) => {
      const t = await ingestedTitle(platforms[scheme], { name: `Protected ${scheme}`, seconds: CLIP_SECONDS, timeoutMs: 120000 });
      const kids = {};
      for (const track of ['video', 'audio']) {
        const kid = derive(secret, 'kid', t.id, track);
        kids[track] = kid.toString('hex');
        keysById.set(kids[track], derive(secret, 'key', t.id, track));
        keysById.set(derive(secret, 'aes128-kid', t.id, track).toString('hex'), derive(secret, 'aes128-key', t.id, track));
      }
      titles[scheme] = { ...t, kids, sampleAes: `${t.mediaUrl}master-sample-aes.m3u8` };
    }));
    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  });

  after(async () => {
    try {
      if (browser) await browser.close();
      if (server) await server.close();
    } finally {
      for (const p of Object.values(platforms)) {
        const stopped = await p.stop(5000);
        assert.equal(stopped.code, 0, `platform exit after SIGTERM:\n${p.log()}`);
      }
      if (work) rmSync(work, { recursive: true, force: true });
    }
  });

  // The title's renditions say how they are protected (the catalogue keeps it).
  test('the catalogue and the published files describe the protection', async () => {
    for (const scheme of ['cenc', 'cbcs']) {
      const t = titles[scheme];
      for (const r of t.renditions) {
        assert.equal(r.protection.scheme, scheme);
        const kid = t.kids[r.kind].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
        assert.equal(r.protection.kid, kid, `${r.id} KID`);
      }
      const mpd = await (await fetch(t.dash)).text();
      assert.match(mpd, new RegExp(`value="${scheme}" cenc:default_KID="`));
      assert.ok(mpd.includes(`<dashif:Laurl>${server.url}/license?title=${t.id}</dashif:Laurl>`), mpd);
      const master = await (await fetch(t.hls)).text();
      assert.ok(master.includes('hls-aes128/video/'), master);
      for (const key of keysById.values()) {
        assert.ok(!mpd.includes(key.toString('hex')) && !mpd.includes(b64url(key)), 'a key in the MPD');
        assert.ok(!master.includes(key.toString('hex')), 'a key in the master playlist');
      }
    }
  });

  const CASES = [
    { label: 'dash.js, cenc, license URL from the MPD', player: 'dashjs', scheme: 'cenc', manifest: 'dash', keys: 'manifest' },
    { label: 'dash.js, cbcs, keys given directly', player: 'dashjs', scheme: 'cbcs', manifest: 'dash', keys: 'direct' },
    { label: 'Shaka Player, cenc, keys given directly', player: 'shaka', scheme: 'cenc', manifest: 'dash', keys: 'direct' },
    { label: 'Shaka Player, cbcs, license URL from the MPD', player: 'shaka', scheme: 'cbcs', manifest: 'dash', keys: 'manifest' },
    { label: 'Shaka Player, cenc, HLS SAMPLE-AES-CTR (identity key URL)', player: 'shaka', scheme: 'cenc', manifest: 'sampleAes', keys: 'manifest' },
    { label: 'hls.js, AES-128 variant (key URL from the playlist)', player: 'hlsjs', scheme: 'cenc', manifest: 'hls', keys: 'manifest' },
  ];

  for (const c of CASES) {
    test(`${c.label} plays`, async () => {
      const t = titles[c.scheme];
      const keys = c.keys === 'manifest' ? 'manifest'
        : Object.values(t.kids).map((kid) => `${kid}:${keysById.get(kid).toString('hex')}`).join(',');
      const licenseMark = licenseRequests.length;
      const keyMark = keyRequests.length;
      const s = await play(c, t[c.manifest], keys, async (page, waitFor) => {
        const started = await waitFor('playback start', (st) => st.time > 0 && !st.paused && st.videoHeight > 0, 20000);
        return waitFor('4 s of playback', (st) => st.time >= started.time + 4, 20000);
      });
      assert.ok(s.videoHeight >= 240, `decoded picture ${s.videoWidth}x${s.videoHeight}`);
      const licenses = licenseRequests.slice(licenseMark);
      const hlsKeys = keyRequests.slice(keyMark);
      if (c.player !== 'hlsjs') assert.ok(s.mediaKeys && s.encrypted > 0, `EME in use: ${JSON.stringify(s)}`);
      if (c.manifest === 'dash' && c.keys === 'manifest') {
        // The license URL is the one the MPD named, and the request names this title's KIDs.
        assert.ok(licenses.length > 0, 'no license request');
        for (const l of licenses) {
          assert.equal(l.title, t.id);
          for (const kid of l.kids) assert.ok(Object.values(t.kids).includes(kid), `unknown KID ${kid} in ${JSON.stringify(l)}`);
        }
      }
      if (c.keys === 'direct') assert.equal(licenses.length, 0, 'keys were given directly, yet a license was fetched');
      if (c.manifest === 'hls') {
        const aesKids = ['video', 'audio'].map((track) => derive(secret, 'aes128-kid', t.id, track).toString('hex'));
        assert.ok(hlsKeys.length > 0 && hlsKeys.every((k) => aesKids.includes(k)), `AES-128 key requests ${JSON.stringify(hlsKeys)}`);
      }
      if (c.manifest === 'sampleAes') {
        assert.ok(hlsKeys.some((k) => k === t.kids.video), `identity key requests ${JSON.stringify(hlsKeys)}`);
      }
      console.log(`${c.label}: ${s.time.toFixed(1)} s played at ${s.videoWidth}x${s.videoHeight}; `
        + `${licenses.length} license and ${hlsKeys.length} key requests`);
    });
  }

  test('a wrong key does not play (Shaka Player, cenc, keys given directly)', async () => {
    const t = titles.cenc;
    const wrong = Object.values(t.kids).map((kid) => `${kid}:${'00'.repeat(16)}`).join(',');
    const c = { label: 'wrong key', player: 'shaka' };
    const s = await play(c, t.dash, wrong, async (page) => {
      // Either the pipeline reports a decode error or the playhead never gets going.
      const deadline = Date.now() + 10000;
      let st;
      do {
        await sleep(250);
        st = await page.evaluate(() => window.harness.state());
      } while (Date.now() < deadline && st.errors.length === 0);
      return st;
    }, { allowErrors: true });
    assert.ok(s.errors.length > 0 || s.time < 1, `played ${s.time} s with the wrong key: ${JSON.stringify(s)}`);
    console.log(`wrong key: ${s.errors.length ? s.errors[0].slice(0, 160) : `playhead at ${s.time}`}`);
  });

  // Last: after every title was encoded, packaged and played, no key (nor the secret)
  // appears in either platform's log, in hex or base64 of any flavour.
  test('no key material in the platforms\' logs', () => {
    const secrets = [...keysById.values(), secret];
    for (const [scheme, p] of Object.entries(platforms)) {
      const log = p.log();
      assert.ok(log.includes('protected with'), `${scheme}: the log says nothing of protection:\n${log.slice(-2000)}`);
      for (const k of secrets) {
        for (const form of [k.toString('hex'), k.toString('hex').toUpperCase(), k.toString('base64'), b64url(k)]) {
          assert.ok(!log.includes(form), `${scheme}: a key appears in the log`);
        }
      }
    }
  });

  async function play(c, src, keys, body, { allowErrors = false } = {}) {
    const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    try {
      await page.goto(`${server.url}/protected.html?player=${c.player}&src=${encodeURIComponent(src)}&keys=${encodeURIComponent(keys)}`);
      await page.evaluate(() => window.harness.ready).catch(() => {});
      const waitFor = async (what, predicate, timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const s = await page.evaluate(() => window.harness.state());
          assert.deepEqual(s.errors, [], `${c.label}: player error while waiting for ${what}`);
          if (predicate(s)) return s;
          if (Date.now() > deadline) assert.fail(`${c.label}: no ${what} within ${timeoutMs} ms; last state ${JSON.stringify(s)}; problems ${JSON.stringify(problems)}`);
          await sleep(100);
        }
      };
      const s = await body(page, waitFor);
      if (!allowErrors) assert.deepEqual(problems, [], `${c.label}: HTTP or page problems`);
      return s;
    } catch (e) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `protection-${c.player}-failed.png`) }).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  }
});
