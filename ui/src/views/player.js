// The player: Shaka Player on the title's DASH manifest (or HLS with ?format=hls), a
// seek bar with thumbnail previews, a live panel refreshed every 500 ms (rung, buffer,
// bandwidth, dropped frames) and a rung selector that turns ABR off to force a
// rendition, or back on with "Auto".

import { api } from '../api.js';
import { errorBox, h, stateBadge } from '../dom.js';
import * as fmt from '../format.js';
import { parseThumbnails, thumbnailAt } from '../thumbnails.js';
import { loadShaka } from '../vendor.js';

const PANEL_MS = 500;

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
  const data = Array.isArray(e.data) && e.data.length ? ` (${e.data.filter((d) => typeof d !== 'object').join(', ')})` : '';
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
  const panel = {};
  const field = (key, label) => {
    panel[key] = h('dd', { dataset: { k: key } }, '–');
    return [h('dt', {}, label), panel[key]];
  };
  const formatLinks = h('p', { class: 'muted' },
    'Stream: ',
    h('a', { href: `#/play/${encodeURIComponent(id)}`, 'aria-current': format === 'dash' ? 'page' : null }, 'DASH'), ' · ',
    h('a', { href: `#/play/${encodeURIComponent(id)}?format=hls`, 'aria-current': format === 'hls' ? 'page' : null }, 'HLS'), ' · ',
    h('a', { href: `#/title/${encodeURIComponent(id)}` }, 'Title details'));
  view.append(h('section', { class: 'player-page' },
    heading, formatLinks, error.el,
    h('div', { class: 'player-layout' },
      h('div', { class: 'player-main' }, video, scrub),
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
          field('manifest', 'Manifest'))))));

  let player = null;
  let panelTimer = 0;
  ctx.onLeave(() => {
    clearInterval(panelTimer);
    if (player) player.destroy().catch(() => {});
    video.removeAttribute('src');
  });

  start().catch((e) => {
    if (!ctx.signal.aborted) error.show(e.message);
  });

  async function start() {
    const title = await api.title(id, { signal: ctx.signal });
    heading.replaceChildren(title.name || title.id, ' ', stateBadge(title.state));
    if (title.state !== 'ready') throw new Error(`This title is ${title.state}, not ready to play yet.`);
    const manifests = title.manifests || {};
    const url = manifests[format];
    if (!url) throw new Error(`The API gave no ${format.toUpperCase()} manifest URL for this title.`);
    panel.manifest.replaceChildren(h('a', { href: url, class: 'mono', target: '_blank', rel: 'noopener' }, url.replace(/^.*\/media\//, '…/')));
    if (title.thumbnails) loadThumbnails(title.thumbnails).catch((e) => console.warn('no seek previews:', e.message));

    const shaka = await loadShaka();
    if (ctx.signal.aborted) return;
    if (!shaka.Player.isBrowserSupported()) throw new Error('This browser cannot play MSE streams (Shaka Player: not supported).');
    player = new shaka.Player();
    await player.attach(video);
    player.addEventListener('error', (ev) => error.show(shakaErrorText(shaka, ev.detail)));
    try {
      await player.load(url);
    } catch (e) {
      if (ctx.signal.aborted) return;
      throw new Error(e && e.code ? shakaErrorText(shaka, e) : `Could not load ${url}: ${e.message}`);
    }
    if (ctx.signal.aborted) return;
    if (title.poster) video.poster = title.poster;
    fillRungs(title);
    video.addEventListener('error', () => error.show(`Video element error: ${video.error ? video.error.message || video.error.code : 'unknown'}`));
    panelTimer = setInterval(() => updatePanel(title), PANEL_MS);
    updatePanel(title);
    await play();
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
  }

  // The seek bar under the video: hovering shows the sprite tile of that moment.
  let cues = [];
  async function loadThumbnails(url) {
    const res = await fetch(url, { signal: ctx.signal });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
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
      thumb.style.backgroundImage = `url("${cue.url}")`;
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
