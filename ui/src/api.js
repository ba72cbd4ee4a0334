// The public REST API (docs/media-pipeline.md, "API (public)"; docs/delivery.md,
// "API"; docs/security.md). Every failure becomes an Error whose message says what
// went wrong, with the server's own message when it sent the common
// {"error":{code,message}} body.
//
// Credentials: the browser sends the session cookie by itself (same origin; the
// desktop window adds its own Bearer token instead). Every request that changes
// something carries X-ReelStack-CSRF: 1, which the api requires of cookie-signed
// changes: no other site's form or image can add a custom header. A 401 means the
// session is gone (signed out elsewhere, expired): the handler set with
// onSignedOut() shows the login page.

export class ApiError extends Error {
  constructor(message, { status = 0, code = '', retryAfter = 0 } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;  // seconds, from a 429's Retry-After
  }
}

export const CSRF_HEADER = 'X-ReelStack-CSRF';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

let signedOut = () => {};
// fn(error) runs when an API call answers 401 (except those made with quiet401).
export function onSignedOut(fn) { signedOut = fn; }

// quiet401: the caller handles a 401 itself (the login form, the "who am I" probe).
export async function request(method, path, { body, signal, quiet401 = false } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method)) headers[CSRF_HEADER] = '1';
  let res;
  try {
    res = await fetch(path, {
      method,
      cache: 'no-store',
      credentials: 'same-origin',
      signal,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`${method} ${path}: ${e.message}`);
  }
  // Read even an empty body: a response left unread is cancelled (Chromium reports the
  // request as aborted) instead of finishing.
  const text = await res.text();
  if (res.status === 204) return null;
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's HTML error page, say): reported below if the status is bad.
  }
  if (!res.ok) {
    const err = json && json.error;
    const detail = err && err.message ? err.message : (text.slice(0, 200) || res.statusText);
    const error = new ApiError(`${method} ${path}: HTTP ${res.status}: ${detail}`, {
      status: res.status, code: err ? err.code : '', retryAfter: Number(res.headers.get('Retry-After')) || 0,
    });
    if (res.status === 401 && !quiet401) signedOut(error);
    throw error;
  }
  if (json === null) throw new ApiError(`${method} ${path}: HTTP ${res.status} without a JSON body`, { status: res.status });
  return json;
}

const enc = encodeURIComponent;

export const api = {
  status: (o) => request('GET', '/api/v1/status', o),
  titles: (o) => request('GET', '/api/v1/titles', o),
  title: (id, o) => request('GET', `/api/v1/titles/${enc(id)}`, o),
  // fields: { name?, public? } (admins only).
  updateTitle: (id, fields) => request('PATCH', `/api/v1/titles/${enc(id)}`, { body: fields }),
  deleteTitle: (id) => request('DELETE', `/api/v1/titles/${enc(id)}`),
  // uploadUrl is the tus upload's Location (absolute or /api/v1/uploads/{id}).
  upload: (uploadUrl) => request('GET', new URL(uploadUrl, location.href).pathname),
  // Steered sources for one viewing (docs/delivery.md, "API"), each URL carrying a
  // playback token, and the token with when to renew it; 409 when not ready.
  // region: play as a viewer of that region (else the api's guess from the address).
  playback: (id, { region = '', signal } = {}) => request('POST', `/api/v1/titles/${enc(id)}/playback`,
    { signal, body: region ? { region } : undefined }),
  // renewUrl comes from the playback answer; a fresh token for the same title.
  renewPlayback: (renewUrl, o) => request('POST', renewUrl, o),
};

// Who is signed in, signing in and out (docs/security.md).
export const session = {
  // { user: { name, role }, via: 'session'|'token' }; 401 (quietly) when nobody is.
  current: (o) => request('GET', '/api/v1/session', { ...o, quiet401: true }),
  login: (username, password) => request('POST', '/api/v1/session', { body: { username, password }, quiet401: true }),
  logout: () => request('DELETE', '/api/v1/session', { quiet401: true }),
};

// Accounts, API tokens and the audit trail (admins only).
export const accounts = {
  users: (o) => request('GET', '/api/v1/users', o),
  addUser: (name, role, password) => request('POST', '/api/v1/users', { body: { name, role, password } }),
  // change: { role?, password? }
  updateUser: (name, change) => request('PATCH', `/api/v1/users/${enc(name)}`, { body: change }),
  removeUser: (name) => request('DELETE', `/api/v1/users/${enc(name)}`),
  tokens: (o) => request('GET', '/api/v1/tokens', o),
  // expiresInSeconds 0: no expiry. The answer's "token" is shown once, never again.
  createToken: (name, role, expiresInSeconds) => request('POST', '/api/v1/tokens',
    { body: expiresInSeconds > 0 ? { name, role, expiresInSeconds } : { name, role } }),
  revokeToken: (id) => request('DELETE', `/api/v1/tokens/${enc(id)}`),
  audit: ({ limit = 50, before = 0, signal } = {}) => request('GET',
    `/api/v1/audit?limit=${limit}${before ? `&before=${before}` : ''}`, { signal }),
};

// The player engine in virtual time (docs/player.md, "Simulation API").
export const simulation = {
  traces: (o) => request('GET', '/api/v1/simulation/traces', o),
  // { title, trace, abr: [names], rttMs, bufferCapS } → { reports: [report per abr] }
  run: (body, o) => request('POST', '/api/v1/simulation', { ...o, body }),
};

// Control's delivery view, relayed by the api (docs/delivery.md, "API").
export const delivery = {
  edges: (o) => request('GET', '/api/v1/delivery/edges', o),
  steer: (title, region, o) => request('GET',
    `/api/v1/delivery/steer?title=${enc(title)}${region ? `&region=${enc(region)}` : ''}`, o),
  fill: (o) => request('GET', '/api/v1/delivery/fill', o),
  runFill: () => request('POST', '/api/v1/delivery/fill/run'),
  // regions empty: every region.
  pin: (title, regions = []) => request('PUT', `/api/v1/delivery/fill/pins/${enc(title)}`, { body: { regions } }),
  unpin: (title) => request('DELETE', `/api/v1/delivery/fill/pins/${enc(title)}`),
};

// Titles in these states will not change by themselves.
export const isSettled = (t) => t.state === 'ready' || t.state === 'failed';
