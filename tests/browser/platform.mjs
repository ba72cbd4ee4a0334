// Starts the `platform` binary for browser tests: every listener on 127.0.0.1:0, a
// fresh data directory, and the actual URLs read back from <data-dir>/run/endpoints.json.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

export const LISTENER_ROLES = ['control', 'origin', 'edge', 'license', 'monitor', 'api'];
export const ALL_ROLES = [...LISTENER_ROLES, 'ingest', 'encode', 'player'];

export function platformBinary() {
  return process.env.PLATFORM_BIN
    ? path.resolve(process.env.PLATFORM_BIN)
    : path.resolve(here, '../../build/release/app/platform');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startPlatform(extraArgs = [], { timeoutMs = 10000 } = {}) {
  const bin = platformBinary();
  if (!existsSync(bin)) throw new Error(`platform binary not found at ${bin} (set PLATFORM_BIN)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'reelstack-browser-'));
  const dataDir = path.join(dir, 'data');
  const args = ['--headless', '--data-dir', dataDir, '--access-log=',
    ...LISTENER_ROLES.map((r) => `--${r}-listen=127.0.0.1:0`), ...extraArgs];
  // With setpriv the platform dies with this node process even if the test runner is
  // killed (e.g. by ctest's timeout); setpriv execs, so proc.pid is the platform's.
  const setpriv = '/usr/bin/setpriv';
  const proc = existsSync(setpriv)
    ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  let exit = null;
  exited.then((e) => { exit = e; });

  const endpointsPath = path.join(dataDir, 'run', 'endpoints.json');
  const started = Date.now();
  let endpoints = null;
  while (Date.now() - started < timeoutMs) {
    if (exit) break;
    try {
      const doc = JSON.parse(readFileSync(endpointsPath, 'utf8'));
      if (doc && doc.roles) { endpoints = doc; break; }
    } catch { /* not written yet */ }
    await sleep(50);
  }
  const handle = {
    proc, dir, dataDir, endpoints, endpointsPath,
    log: () => log,
    url: (role) => endpoints.roles[role],
    // SIGTERM, then SIGKILL if it is still there after graceMs. Resolves with
    // { code, signal, ms }. Always removes the temporary directory.
    async stop(graceMs = 5000) {
      const t0 = Date.now();
      if (!exit) proc.kill('SIGTERM');
      let result = await Promise.race([exited, sleep(graceMs).then(() => null)]);
      const ms = Date.now() - t0;
      if (!result) {
        proc.kill('SIGKILL');
        result = { ...(await exited), killed: true };
      }
      rmSync(dir, { recursive: true, force: true });
      return { ...result, ms };
    },
  };
  if (!endpoints) {
    await handle.stop(1000);
    throw new Error(`platform did not write ${endpointsPath} within ${timeoutMs} ms `
      + `(exit ${JSON.stringify(exit)}):\n${log}`);
  }
  return handle;
}
