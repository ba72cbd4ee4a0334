// The public REST API (docs/media-pipeline.md, "API (public)"; docs/delivery.md,
// "API"). Every failure becomes an Error whose message says what went wrong, with the
// server's own message when it sent the common {"error":{code,message}} body.

export class ApiError extends Error {
  constructor(message, { status = 0, code = '' } = {}) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function request(method, path, { body, signal } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      cache: 'no-store',
      signal,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`${method} ${path}: ${e.message}`);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's HTML error page, say): reported below if the status is bad.
  }
  if (!res.ok) {
    const err = json && json.error;
    const detail = err && err.message ? err.message : (text.slice(0, 200) || res.statusText);
    throw new ApiError(`${method} ${path}: HTTP ${res.status}: ${detail}`, { status: res.status, code: err ? err.code : '' });
  }
  if (json === null) throw new ApiError(`${method} ${path}: HTTP ${res.status} without a JSON body`, { status: res.status });
  return json;
}

export const api = {
  status: (o) => request('GET', '/api/v1/status', o),
  titles: (o) => request('GET', '/api/v1/titles', o),
  title: (id, o) => request('GET', `/api/v1/titles/${encodeURIComponent(id)}`, o),
  deleteTitle: (id) => request('DELETE', `/api/v1/titles/${encodeURIComponent(id)}`),
  // uploadUrl is the tus upload's Location (absolute or /api/v1/uploads/{id}).
  upload: (uploadUrl) => request('GET', new URL(uploadUrl, location.href).pathname),
  // Steered sources for one viewing (docs/delivery.md, "API"); 409 when not ready.
  // region: play as a viewer of that region (else the api's guess from the address).
  playback: (id, { region = '', signal } = {}) => request('POST', `/api/v1/titles/${encodeURIComponent(id)}/playback`,
    { signal, body: region ? { region } : undefined }),
};

// The player engine in virtual time (docs/player.md, "Simulation API").
export const simulation = {
  traces: (o) => request('GET', '/api/v1/simulation/traces', o),
  // { title, trace, abr: [names], rttMs, bufferCapS } → { reports: [report per abr] }
  run: (body, o) => request('POST', '/api/v1/simulation', { ...o, body }),
};

// Control's delivery view, relayed by the api (docs/delivery.md, "API").
const enc = encodeURIComponent;
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
