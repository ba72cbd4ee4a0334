// The playback token of one viewing (docs/security.md, "Signed media URLs"). Media
// URLs carry it as a path segment, /m/<token>/<titleId>/…, so the relative segment
// URLs of a manifest inherit it; it lives minutes, so while the title plays this keeps
// a fresh one (POST renewUrl every renewAfterSeconds) and rewrites every later request
// URL to carry the newest. When renewals stop (signed out, account removed) the
// viewer's media stops working within one token lifetime.

import { api } from './api.js';

// Retry a failed renewal this soon (the old token is still good for a while).
const RETRY_MS = 2000;

// The URL as shown to people: the token left out ("/m/…/<title>/manifest.mpd").
export function withoutToken(url) {
  return String(url).replace(/\/m\/[^/]+\//, '/m/…/');
}

export class PlaybackToken {
  // answer: the playback answer's "playbackToken" ({ value, expiresAt, renewAfterSeconds, renewUrl }).
  constructor(titleId, answer, { signal } = {}) {
    this.titleId = titleId;
    this.signal = signal;
    this.timer = 0;
    this.renewals = 0;
    this.take(answer);
  }

  take(t) {
    this.value = t.value;
    this.expiresAt = t.expiresAt;
    this.renewUrl = t.renewUrl || this.renewUrl;
    this.renewAfterMs = Math.max(1, Number(t.renewAfterSeconds) || 60) * 1000;
  }

  // Renews every renewAfterSeconds until stop() (or the view is left).
  start() {
    this.schedule(this.renewAfterMs);
    if (this.signal) this.signal.addEventListener('abort', () => this.stop(), { once: true });
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = 0;
    this.stopped = true;
  }

  schedule(ms) {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.renew(), ms);
  }

  async renew() {
    try {
      this.take(await api.renewPlayback(this.renewUrl, { signal: this.signal }));
      this.renewals += 1;
      this.schedule(this.renewAfterMs);
    } catch (e) {
      if (e.name === 'AbortError') return;
      // 401: the session is over; api.js has shown the login page. Nothing to renew.
      if (e.status === 401 || e.status === 403) {
        this.stop();
        return;
      }
      console.warn(`playback token renewal failed, retrying: ${e.message}`);
      this.schedule(RETRY_MS);
    }
  }

  // url with this viewing's newest token in place of whatever /m/<token>/ it carries;
  // other URLs (another title, no token) unchanged.
  rewrite(url) {
    let u;
    try {
      u = new URL(url, location.href);
    } catch {
      return url;
    }
    const m = u.pathname.match(/^\/m\/([^/]+)\/([^/]+)\//);
    if (!m || m[1] === this.value || decodeURIComponent(m[2]) !== this.titleId) return url;
    u.pathname = `/m/${this.value}/${u.pathname.slice(`/m/${m[1]}/`.length)}`;
    return u.toString();
  }
}
