// The player: asks the api for steered sources (POST …/playback: edges in steering
// order, the origin last) and plays the first one's DASH manifest (or HLS with
// ?format=hls; ?region=R plays as a viewer of region R) in Shaka Player. When a
// source fails on the network it moves to the next one at the same position. A seek
// bar with thumbnail previews, a live panel refreshed every 500 ms (rung, buffer,
// bandwidth, dropped frames, the source in use and why, the X-Cache of the last
// segments), a rung selector that turns ABR off to force a rendition, or back on
// with "Auto", and a decisions panel: every video segment Shaka fetched, at which rung,
// its size and download time, Shaka's bandwidth estimate and the buffer then, in the
// same shape as the native engine's decision log.
//
// Every media URL carries the viewing's playback token (/m/<token>/<title>/…); it is
// renewed while the page is open and a request filter puts the newest one into every
// request, so playback outlives any one token and stops within one token lifetime of
// the session ending (playbacktoken.js).

import { api } from '../api.js';
import { decisionTable } from '../decisions.js';
import { errorBox, h, stateBadge } from '../dom.js';
import * as fmt from '../format.js';
import { PlaybackToken, withoutToken } from '../playbacktoken.js';
import { parseThumbnails, thumbnailAt } from '../thumbnails.js';
import { loadShaka } from '../vendor.js';

const PANEL_MS = 500;
const XCACHE_KEEP = 10;
const DECISIONS_KEEP = 12;
// Network errors on one source within this window that make the player give it up,
// even when Shaka itself still counts them as recoverable.
const NET_ERRORS_TO_SWITCH = 3;
const NET_ERROR_WINDOW_MS = 20000;
// A dead edge must cost seconds, not Shaka's default 30 s timeout per attempt.
const RETRY = { maxAttempts: 2, baseDelay: 500, backoffFactor: 2, fuzzFactor: 0.5, timeout: 10000, stallTimeout: 5000, connectionTimeout: 3000 };

// ".../media/t_1/video/480p/seg-3.m4s" or ".../m/<token>/t_1/video/480p/seg-3.m4s"
// → "video/480p/seg-3.m4s": what names the object.
function urlTail(uri) {
  let path = uri;
  try {
    path = new URL(uri).pathname;
  } catch { /* keep it as it is */ }
  const m = path.match(/^\/(?:media|m\/[^/]+)\/[^/]+\/(.+)$/);
  return m ? m[1] : path.split('/').slice(-3).join('/');
}

// The first hop of an X-Cache value (docs/delivery.md, "Edge HTTP interface"):
// "MISS tier=upstream edge=c1, HIT tier=disk edge=p1" → { state: 'MISS', tier, edge }.
function firstHop(value) {
  const hop = (value || '').split(',')[0].trim();
  if (!hop) return { state: '', tier: '', edge: '' };
  const [state, ...fields] = hop.split(/\s+/);
  const get = (k) => (fields.find((f) => f.startsWith(`${k}=`)) || '').slice(k.length + 1);
  return { state: state.toUpperCase(), tier: get('tier'), edge: get('edge') };
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

// Seconds of media buffered ahead of the playhead.
function bufferAhead(video) {
  const t = video.currentTime;
  for (let i = 0; i < video.buffered.length; i++) {
    if (video.buffered.start(i) <= t + 0.1 && video.buffered.end(i) > t) return video.buffered.end(i) - t;
  }
  return 0;
}

// The title's rendition that a Shaka variant track plays, for its name ("360p").
function rungOf(track, renditions) {
  const videos = (renditions || []).filter((r) => r.kind === 'video' && r.height === track.height);
  if (!videos.length) return { id: track.height ? `${track.height}p` : `variant ${track.id}` };
  const bw = track.videoBandwidth || track.bandwidth;
  return videos.reduce((best, r) => (Math.abs(r.bandwidth - bw) < Math.abs(best.bandwidth - bw) ? r : best));
}

function shakaErrorText(shaka, e) {
  const names = Object.entries(shaka.util.Error.Code);
  const name = (names.find(([, v]) => v === e.code) || [String(e.code)])[0];
  const severity = e.severity === shaka.util.Error.Severity.CRITICAL ? 'critical' : 'recoverable';
  // The data name the URL that failed: shown without its playback token.
  const data = Array.isArray(e.data) && e.data.length
    ? ` (${e.data.filter((d) => typeof d !== 'object').map((d) => withoutToken(d)).join(', ')})` : '';
  return `Shaka error ${e.code} ${name}, ${severity}${data}`;
}

export function render(view, ctx) {
  const id = ctx.params[0];
  const format = ctx.query.get('format') === 'hls' ? 'hls' : 'dash';
  const error = errorBox('player-error');
  const heading = h('h2', { id: 'player-title' }, 'Loading…');
  const video = h('video', { id: 'video', controls: true, playsinline: true, preload: 'auto' });
  const fill = h('div', { class: 'scrub-fill' });
  const preview = h('div', { class: 'scrub-preview', hidden: true }, h('div', { class: 'thumb' }), h('span', { class: 'thumb-time' }));
  const scrub = h('div', { id: 'scrub', class: 'scrub', title: 'Seek' }, fill, preview);
  const select = h('select', { id: 'rung-select', disabled: true }, h('option', { value: 'auto' }, 'Auto (ABR)'));
  const sourceList = h('ol', { id: 'sources', class: 'sources' });
  const xcacheList = h('ul', { id: 'xcache', class: 'xcache' }, h('li', { class: 'muted' }, 'No segment yet.'));
  const decisions = decisionTable('decisions');
  const panel = {};
  const field = (key, label) => {
    panel[key] = h('dd', { dataset: { k: key } }, '–');
    return [h('dt', {}, label), panel[key]];
  };
  const region = ctx.query.get('region') || '';
  const playLink = (f) => {
    const q = new URLSearchParams();
    if (f === 'hls') q.set('format', 'hls');
    if (region) q.set('region', region);
    const qs = q.toString();
    return `#/play/${encodeURIComponent(id)}${qs ? `?${qs}` : ''}`;
  };
  const formatLinks = h('p', { class: 'muted' },
    'Stream: ',
    h('a', { href: playLink('dash'), 'aria-current': format === 'dash' ? 'page' : null }, 'DASH'), ' · ',
    h('a', { href: playLink('hls'), 'aria-current': format === 'hls' ? 'page' : null }, 'HLS'), ' · ',
    h('a', { href: `#/title/${encodeURIComponent(id)}` }, 'Title details'));
  view.append(h('section', { class: 'player-page' },
    heading, formatLinks, error.el,
    h('div', { class: 'player-layout' },
      h('div', { class: 'player-main' }, video, scrub,
        h('section', { id: 'decisions-panel', class: 'panel' },
          h('h3', {}, 'Decisions'),
          h('p', { class: 'muted small' }, 'Shaka Player chooses the rungs here (its default ABR, from its EWMA bandwidth estimate); '
            + 'the native engine\'s decisions are on the ', h('a', { href: `#/simulate?title=${encodeURIComponent(id)}` }, 'simulation page'), '.'),
          decisions.el)),
      h('aside', { id: 'live-panel', class: 'panel' },
        h('h3', {}, 'Live'),
        h('label', {}, 'Rung ', select),
        h('dl', {},
          field('mode', 'ABR'),
          field('rung', 'Current rung'),
          field('bandwidth', 'Rung bandwidth'),
          field('displayed', 'Decoded picture'),
          field('buffer', 'Buffer ahead'),
          field('estimate', 'Estimated bandwidth'),
          field('dropped', 'Dropped frames'),
          field('position', 'Position'),
          field('region', 'Steered for'),
          field('source', 'Source'),
          field('reason', 'Why this source'),
          field('manifest', 'Manifest'),
          field('token', 'Playback token')),
        h('h4', {}, 'Sources'),
        sourceList,
        h('h4', {}, 'Last segments (X-Cache)'),
        xcacheList))));

  let player = null;
  let shaka = null;
  let panelTimer = 0;
  let title = null;
  // [{ base, url, reason, failure }] in steering order; `current` indexes it.
  let sources = [];
  let current = -1;
  let switching = false;
  let netErrors = [];
  const xcache = [];
  let token = null;
  const decided = [];
  ctx.onLeave(() => {
    clearInterval(panelTimer);
    if (token) token.stop();
    if (player) player.destroy().catch(() => {});
    video.removeAttribute('src');
  });

  start().catch((e) => {
    if (!ctx.signal.aborted) error.show(e.message);
  });

  async function start() {
    title = await api.title(id, { signal: ctx.signal });
    heading.replaceChildren(title.name || title.id, ' ', stateBadge(title.state));
    let answer;
    try {
      answer = await api.playback(id, { region, signal: ctx.signal });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new Error(`Cannot start playback: ${e.message}`);
    }
    sources = (answer.sources || []).filter((s) => s[format])
      .map((s) => ({ base: s.base || '', url: s[format], reason: s.reason || '', failure: '' }));
    if (!sources.length) throw new Error(`The playback answer names no ${format.toUpperCase()} source for this title.`);
    panel.region.textContent = answer.region ? `region ${answer.region}` : '–';
    if (answer.playbackToken && answer.playbackToken.value) {
      token = new PlaybackToken(id, answer.playbackToken, { signal: ctx.signal });
      token.start();
    }
    renderSources();
    if (title.thumbnails) loadThumbnails(title.thumbnails).catch((e) => console.warn('no seek previews:', e.message));

    shaka = await loadShaka();
    if (ctx.signal.aborted) return;
    if (!shaka.Player.isBrowserSupported()) throw new Error('This browser cannot play MSE streams (Shaka Player: not supported).');
    player = new shaka.Player();
    await player.attach(video);
    // maxDisabledTime 0: a failing source is not papered over by dropping renditions
    // one by one; its errors reach onPlayerError, which moves to the next source.
    player.configure({
      streaming: { maxDisabledTime: 0, retryParameters: RETRY },
      manifest: { retryParameters: RETRY },
    });
    // The newest playback token in every request (manifest, segments, retries, and the
    // next source's manifest after a failover).
    if (token) player.getNetworkingEngine().registerRequestFilter((_type, request) => {
      request.uris = request.uris.map((u) => token.rewrite(u));
    });
    player.getNetworkingEngine().registerResponseFilter(onResponse);
    player.addEventListener('error', (ev) => onPlayerError(ev.detail));
    if (!(await playFrom(0, null))) return;
    if (title.poster) video.poster = token ? token.rewrite(title.poster) : title.poster;
    fillRungs(title);
    video.addEventListener('error', () => error.show(`Video element error: ${video.error ? video.error.message || video.error.code : 'unknown'}`));
    panelTimer = setInterval(() => updatePanel(title), PANEL_MS);
    updatePanel(title);
    await play();
  }

  const describe = (e) => (e && e.code ? shakaErrorText(shaka, e) : `${e && e.message ? e.message : e}`);
  const interrupted = (e) => e && (e.code === shaka.util.Error.Code.LOAD_INTERRUPTED
    || e.code === shaka.util.Error.Code.OPERATION_ABORTED || e.code === shaka.util.Error.Code.OBJECT_DESTROYED);

  // Loads sources[from], else the ones after it, at `position` (null: the start).
  // True once one loaded; false if the page was left; throws when none is left.
  async function playFrom(from, position) {
    switching = true;
    try {
      for (let i = from; i < sources.length; i++) {
        current = i;
        sources[i].from = position;
        netErrors = [];
        renderSources();
        try {
          await player.load(sources[i].url, position);
          return !ctx.signal.aborted;
        } catch (e) {
          if (ctx.signal.aborted || interrupted(e)) return false;
          sources[i].failure = describe(e);
          console.warn(`source ${i + 1} (${withoutToken(sources[i].url)}) failed:`, sources[i].failure);
        }
      }
      current = -1;
      renderSources();
      throw new Error(`No source left to play from: ${sources.map((s, i) => `#${i + 1} ${hostOf(s.url)}: ${s.failure}`).join('; ')}`);
    } finally {
      switching = false;
    }
  }

  // The source in use failed: the next one, at the same position, playing if it was.
  async function failover(reason) {
    if (switching || current < 0) return;
    sources[current].failure = reason;
    const position = video.currentTime;
    const wasPlaying = !video.paused;
    try {
      if (!(await playFrom(current + 1, position))) return;
      fillRungs(title);
      if (wasPlaying) await play();
      error.clear();
    } catch (e) {
      if (!ctx.signal.aborted) error.show(e.message);
    }
  }

  function onPlayerError(e) {
    if (ctx.signal.aborted || switching || interrupted(e)) return;
    if (e.category === shaka.util.Error.Category.NETWORK && current >= 0) {
      const now = performance.now();
      netErrors = netErrors.filter((t) => now - t < NET_ERROR_WINDOW_MS);
      netErrors.push(now);
      // For a VOD stream an unhandled streaming error stops the stream for good.
      if (e.severity === shaka.util.Error.Severity.CRITICAL || !e.handled || netErrors.length >= NET_ERRORS_TO_SWITCH) {
        failover(describe(e));
        return;
      }
      sources[current].note = `${netErrors.length} network error${netErrors.length === 1 ? '' : 's'}: ${describe(e)}`;
      renderSources();
      return;
    }
    error.show(describe(e));
  }

  // Every segment answer: its X-Cache (exposed by the edge through
  // Access-Control-Expose-Headers; an origin sends none).
  function onResponse(type, response) {
    if (type !== shaka.net.NetworkingEngine.RequestType.SEGMENT) return;
    const uri = response.uri || response.originalUri || '';
    const headers = response.headers || {};
    const raw = headers['x-cache'] || headers['X-Cache'] || '';
    xcache.unshift({ ...firstHop(raw), raw, path: urlTail(uri), host: hostOf(uri) });
    recordDecision(urlTail(uri), response);
    xcache.length = Math.min(xcache.length, XCACHE_KEEP);
    xcacheList.replaceChildren(...xcache.map((x) => h('li', {
      title: `${x.host}: ${x.raw || 'no X-Cache header'}`,
      dataset: { state: x.state, tier: x.tier, path: x.path, host: x.host },
    },
    h('span', { class: `xc-state xc-${x.state || 'none'}` }, x.state || '–'),
    h('span', { class: 'xc-path' }, x.path, x.tier ? h('span', { class: 'muted' }, ` ${x.tier}`) : null))));
  }

  // A video segment Shaka fetched, as a row of the decision log.
  function recordDecision(tail, response) {
    const m = tail.match(/^video\/([^/]+)\/seg-(\d+)\.m4s$/);
    if (!m || !player) return;
    const rendition = (title && title.renditions || []).find((r) => r.id === m[1]);
    const abr = player.getConfiguration().abr.enabled;
    const estimate = player.getStats().estimatedBandwidth;
    decided.unshift({
      index: Number(m[2]) - 1,
      rung_id: m[1],
      bitrate: rendition ? rendition.bandwidth : NaN,
      bytes: response.data ? response.data.byteLength : NaN,
      download_ms: Number.isFinite(response.timeMs) ? response.timeMs : NaN,
      estimate_bps: estimate,
      buffer_s: bufferAhead(video),
      reason: abr ? `shaka: default ABR, the best rung under its estimate of ${fmt.bitrate(estimate)}` : 'forced with the rung selector',
    });
    decided.length = Math.min(decided.length, DECISIONS_KEEP);
    decisions.show(decided);
  }

  function renderSources() {
    const s = sources[current];
    if (s) {
      panel.source.textContent = `#${current + 1} of ${sources.length} · ${hostOf(s.url)}`;
      Object.assign(panel.source.dataset, { index: String(current), url: s.url, base: s.base, from: String(s.from ?? '') });
      const failed = sources.slice(0, current).filter((x) => x.failure);
      // Why each earlier source failed is in the list below.
      panel.reason.textContent = (s.reason || '–') + (failed.length ? ` (after ${failed.map((x) => `#${sources.indexOf(x) + 1}`).join(', ')} failed)` : '');
      panel.manifest.replaceChildren(h('a', { href: s.url, class: 'mono', target: '_blank', rel: 'noopener' },
        withoutToken(s.url).replace(/^.*\/(media|m\/…)\//, '…/')));
    } else {
      panel.source.textContent = sources.length ? 'none left' : '–';
      Object.assign(panel.source.dataset, { index: '-1', url: '', base: '' });
    }
    sourceList.replaceChildren(...sources.map((x, i) => h('li', {
      dataset: { index: String(i), url: x.url, current: String(i === current), failed: String(!!x.failure) },
    },
    `${hostOf(x.url)} — ${x.reason || 'no reason given'}`,
    i > 0 && x.from !== undefined ? h('span', { class: 'muted' }, ` (from ${fmt.seconds(x.from || 0)})`) : null,
    x.failure ? h('div', { class: 'small' }, `failed: ${x.failure}`) : null,
    !x.failure && x.note ? h('div', { class: 'small warn' }, x.note) : null)));
  }

  // Without a user gesture (opened by URL) Chromium only autoplays muted.
  async function play() {
    try {
      await video.play();
    } catch (e) {
      if (e.name !== 'NotAllowedError') throw e;
      video.muted = true;
      await video.play();
    }
  }

  function videoVariants() {
    // One entry per video stream, with the audio that is playing now.
    const tracks = player.getVariantTracks();
    const active = tracks.find((t) => t.active);
    const byVideo = new Map();
    for (const t of tracks) {
      if (active && t.audioId !== active.audioId) continue;
      if (!byVideo.has(t.videoId)) byVideo.set(t.videoId, t);
    }
    return [...byVideo.values()].sort((a, b) => (a.height - b.height) || (a.bandwidth - b.bandwidth));
  }

  function fillRungs(title) {
    const options = videoVariants().map((t) => {
      const rung = rungOf(t, title.renditions);
      return h('option', { value: String(t.videoId), dataset: { height: String(t.height || '') } },
        `${rung.id} · ${fmt.resolution(t.width, t.height)} · ${fmt.bitrate(t.videoBandwidth || t.bandwidth)}`);
    });
    select.replaceChildren(h('option', { value: 'auto' }, 'Auto (ABR)'), ...options);
    select.disabled = options.length === 0;
  }

  select.addEventListener('change', () => {
    if (!player) return;
    if (select.value === 'auto') {
      player.configure({ abr: { enabled: true } });
    } else {
      const track = videoVariants().find((t) => String(t.videoId) === select.value);
      if (!track) return;
      player.configure({ abr: { enabled: false } });
      // clearBuffer: show the forced rung now, not after the buffered minutes.
      player.selectVariantTrack(track, true);
    }
    panel.mode.textContent = '…';
  });

  function updatePanel(title) {
    if (!player) return;
    const stats = player.getStats();
    const active = player.getVariantTracks().find((t) => t.active);
    const abr = player.getConfiguration().abr.enabled;
    panel.mode.textContent = abr ? 'Auto' : 'Forced';
    if (active) {
      const rung = rungOf(active, title.renditions);
      panel.rung.textContent = `${rung.id} (${fmt.resolution(active.width, active.height)})`;
      panel.rung.dataset.rung = rung.id;
      panel.rung.dataset.height = String(active.height || '');
      panel.bandwidth.textContent = fmt.bitrate(active.videoBandwidth || active.bandwidth);
      if (!abr) select.value = String(active.videoId);
    }
    panel.displayed.textContent = fmt.resolution(video.videoWidth, video.videoHeight);
    const ahead = bufferAhead(video);
    panel.buffer.textContent = `${ahead.toFixed(1)} s`;
    panel.buffer.dataset.seconds = ahead.toFixed(2);
    panel.estimate.textContent = fmt.bitrate(stats.estimatedBandwidth);
    panel.dropped.textContent = Number.isFinite(stats.droppedFrames)
      ? `${stats.droppedFrames} of ${stats.decodedFrames || 0} decoded` : '–';
    panel.position.textContent = `${fmt.seconds(video.currentTime)} / ${fmt.seconds(video.duration)}`;
    panel.position.dataset.seconds = video.currentTime.toFixed(2);
    fill.style.width = video.duration > 0 ? `${(100 * video.currentTime) / video.duration}%` : '0';
    if (token) {
      panel.token.textContent = `valid until ${new Date(token.expiresAt).toLocaleTimeString()}`
        + (token.renewals ? `, renewed ${token.renewals}×` : '');
      panel.token.dataset.renewals = String(token.renewals);
      panel.token.dataset.expiresAt = token.expiresAt;
    } else {
      panel.token.textContent = '–';
    }
  }

  // The seek bar under the video: hovering shows the sprite tile of that moment.
  let cues = [];
  async function loadThumbnails(url) {
    const res = await fetch(token ? token.rewrite(url) : url, { signal: ctx.signal });
    if (!res.ok) throw new Error(`${withoutToken(url)}: HTTP ${res.status}`);
    cues = parseThumbnails(await res.text(), url);
  }
  const timeAt = (ev) => {
    const r = scrub.getBoundingClientRect();
    return Math.max(0, Math.min(1, (ev.clientX - r.left) / r.width)) * (video.duration || 0);
  };
  scrub.addEventListener('mousemove', (ev) => {
    if (!(video.duration > 0)) return;
    const t = timeAt(ev);
    const cue = cues.length ? thumbnailAt(cues, t) : null;
    const thumb = preview.firstChild;
    thumb.hidden = !cue;
    if (cue) {
      thumb.style.width = `${cue.w}px`;
      thumb.style.height = `${cue.h}px`;
      // The sprite's URL carries the token the VTT file was fetched with: the newest instead.
      thumb.style.backgroundImage = `url("${token ? token.rewrite(cue.url) : cue.url}")`;
      thumb.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
    }
    preview.lastChild.textContent = fmt.seconds(t);
    const r = scrub.getBoundingClientRect();
    preview.style.left = `${Math.max(0, Math.min(r.width - (cue ? cue.w : 60), ev.clientX - r.left - (cue ? cue.w / 2 : 30)))}px`;
    preview.hidden = false;
  });
  scrub.addEventListener('mouseleave', () => { preview.hidden = true; });
  scrub.addEventListener('click', (ev) => {
    if (video.duration > 0) video.currentTime = timeAt(ev);
  });
}
