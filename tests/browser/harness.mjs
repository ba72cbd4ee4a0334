// Driving pages/players.html (players-harness.js) from a test: the static server with
// the three players' builds, opening the harness on a manifest URL, and polling its
// state until a condition holds (any player error ends the wait at once).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { redact } from './auth.mjs';
import { repoRoot } from './platform.mjs';
import { startStaticServer } from './static-server.mjs';

const here = path.join(repoRoot, 'tests', 'browser');
const LIBS = {
  '/lib/dashjs/': path.join(here, 'node_modules/dashjs/dist/modern/umd'),
  '/lib/hls.js/': path.join(here, 'node_modules/hls.js/dist'),
  // The exact Shaka build the web UI ships (ui/ is its own npm project).
  '/lib/shaka/': path.join(repoRoot, 'ui/node_modules/shaka-player/dist'),
};

export const PLAYERS = [
  { kind: 'dashjs', label: 'dash.js', manifest: 'dash' },
  { kind: 'shaka', label: 'Shaka Player', manifest: 'dash' },
  { kind: 'hlsjs', label: 'hls.js', manifest: 'hls' },
];

// The test page and the libraries, on loopback; media comes cross-origin from the
// platform (CORS as in production).
export async function startHarnessServer() {
  for (const [prefix, dir] of Object.entries(LIBS)) {
    assert.ok(existsSync(dir), `${dir} is missing (for ${prefix}): run installer/setup-deps.sh (npm ci in tests/browser and ui)`);
  }
  return startStaticServer({ '/': path.join(here, 'pages'), ...LIBS });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Opens the harness with `kind` on `src`; renew: seconds between token renewals (the
// page calls window.renewPlaybackToken, which the caller must have exposed). A player
// that fails to set up is no exception here: its error is in the harness state, where
// harnessWaiter (or a test expecting the failure) finds it.
export async function openHarness(page, server, { kind, src, renew = 0 }) {
  const q = new URLSearchParams({ player: kind, src });
  if (renew) q.set('renew', String(renew));
  await page.goto(`${server.url}/players.html?${q}`);
  await page.evaluate(() => window.harness.ready.catch(() => {}));
}

// waitFor(what, predicate(state), timeoutMs) → the state that satisfied it. Fails at
// once on a player error, and after the timeout with the last state and `context()`.
export function harnessWaiter(page, label, context = () => '') {
  return async (what, predicate, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    let s;
    for (;;) {
      s = await page.evaluate(() => window.harness.state());
      assert.deepEqual(s.errors.map(redact), [], `${label} reported an error while waiting for ${what}`);
      if (predicate(s)) return s;
      if (Date.now() > deadline) {
        assert.fail(redact(`${label}: no ${what} within ${timeoutMs} ms; last state ${JSON.stringify(s)}; ${context()}`));
      }
      await sleep(100);
    }
  };
}
