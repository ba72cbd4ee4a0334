// Credentials for the browser tests, taken the way an operator takes them from a
// running stack's data directory (docs/security.md):
//   <data-dir>/run/admin-password        the first admin's generated password
//   <data-dir>/secrets/local-admin.token  this machine's admin API token
//   platform service-token --data-dir D  a cluster service token (control, edges)
// and the two ways a test signs a browser in: through the login page, or by a login
// POST from the browser context (Playwright's context.request shares its cookie jar).
//
// Secrets never reach the test output: redact() takes tokens out of any text an
// assertion message or log line prints.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { platformBinary } from './platform.mjs';

export const CSRF = { 'X-ReelStack-CSRF': '1' };

const readSecret = (file) => readFileSync(file, 'utf8').trim();
export const adminPassword = (platform) => readSecret(path.join(platform.dataDir, 'run', 'admin-password'));
export const localToken = (platform) => readSecret(path.join(platform.dataDir, 'secrets', 'local-admin.token'));
export const clusterKeyFile = (platform) => path.join(platform.dataDir, 'secrets', 'cluster.key');

export function serviceToken(platform) {
  return execFileSync(platformBinary(), ['service-token', '--data-dir', platform.dataDir], { encoding: 'utf8' }).trim();
}

// Playback tokens in media paths, API and service tokens, cookie values.
export function redact(text) {
  return String(text)
    .replace(/\/m\/[^/\s"']+\//g, '/m/<token>/')
    .replace(/\brst_[A-Za-z0-9_-]{12,}/g, 'rst_<token>')
    .replace(/\brss1\.[A-Za-z0-9_.-]{12,}/g, 'rss1.<token>')
    .replace(/\bp1\.[A-Za-z0-9_.-]{16,}/g, 'p1.<token>')
    .replace(/(rs_session=)[^;\s"']+/g, '$1<cookie>');
}

// A JSON API call from node. auth: 'admin' (the local admin token, the default), a
// token string (Bearer), { cookie } (a session), or null (anonymous). Resolves with
// { status, headers, body } and never throws for an HTTP status.
export async function call(platform, method, p, { body, auth = 'admin', base = platform.url('api'), headers = {} } = {}) {
  const h = { ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (auth === 'admin') h.Authorization = `Bearer ${localToken(platform)}`;
  else if (typeof auth === 'string') h.Authorization = `Bearer ${auth}`;
  else if (auth && auth.cookie) Object.assign(h, { Cookie: auth.cookie, ...CSRF });
  const res = await fetch(`${base}${p}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch { /* not JSON: left null */ }
  return { status: res.status, headers: res.headers, body: json, text };
}

// The same, failing unless the status is `expect` (default: any 2xx).
export async function must(platform, method, p, options = {}) {
  const r = await call(platform, method, p, options);
  const ok = options.expect ? r.status === options.expect : r.status >= 200 && r.status < 300;
  if (!ok) throw new Error(`${method} ${p}: HTTP ${r.status} (wanted ${options.expect || '2xx'}): ${redact(r.text.slice(0, 300))}`);
  return r.body;
}

// A login from node: the session cookie ("rs_session=…") for later calls.
export async function login(platform, username, password) {
  const res = await fetch(`${platform.url('api')}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...CSRF }, body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username}: HTTP ${res.status}: ${redact(await res.text())}`);
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  if (!cookie.startsWith('rs_session=')) throw new Error('login answered without a session cookie');
  return { cookie };
}

export async function addUser(platform, name, role, password) {
  return must(platform, 'POST', '/api/v1/users', { body: { name, role, password }, expect: 201 });
}

// Signs a browser context in as `username` (the first admin by default): the login
// POST goes out from the context, so the browser stores the cookie as it would from
// the login page. Resolves with the login answer.
export async function signIn(context, platform, { username = 'admin', password = adminPassword(platform) } = {}) {
  const res = await context.request.post(`${platform.url('api')}/api/v1/session`, {
    headers: CSRF, data: { username, password },
  });
  if (res.status() !== 200) throw new Error(`sign-in as ${username}: HTTP ${res.status()}: ${redact(await res.text())}`);
  return res.json();
}
