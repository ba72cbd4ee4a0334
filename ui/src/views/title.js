// One title: state, job progress with ETA, the renditions with their measured quality,
// the failure reason, manifest URLs; for admins also "public" (plays without a
// playback token, for anyone who can reach an edge) and delete. Polls while the
// title is not settled.

import { api, isSettled } from '../api.js';
import { errorBox, h, stateBadge } from '../dom.js';
import * as fmt from '../format.js';
import { withoutToken } from '../playbacktoken.js';
import { isAdmin } from '../user.js';

const WORKING = new Set(['encoding', 'packaging']);

function progress(t) {
  const job = t.job;
  if (!job || !WORKING.has(t.state)) {
    if (t.state === 'uploading') return h('p', { id: 'job', class: 'muted' }, 'The upload has not finished yet.');
    if (t.state === 'probing') return h('p', { id: 'job', class: 'muted' }, 'Checking the uploaded file…');
    if (t.state === 'queued') {
      const attempt = job && job.attempts > 0 ? ` (attempt ${job.attempts + 1})` : '';
      return h('p', { id: 'job', class: 'muted' }, `Waiting for an encoder${attempt}.`);
    }
    return null;
  }
  const pct = Number.isFinite(job.percent) ? Math.max(0, Math.min(100, job.percent)) : 0;
  const parts = [`${job.stage || t.state} ${pct.toFixed(1)} %`];
  if (Number.isFinite(job.fps) && job.fps > 0) parts.push(`${job.fps.toFixed(0)} fps`);
  parts.push(`ETA ${Number.isFinite(job.etaSeconds) ? fmt.seconds(job.etaSeconds) : '–'}`);
  if (job.worker) parts.push(`on ${job.worker}`);
  return h('div', { id: 'job' },
    h('progress', { id: 'job-progress', max: 100, value: pct }),
    h('span', { id: 'job-text' }, parts.join(' · ')));
}

function quality(q, digits) {
  return q ? `${fmt.decimal(q.mean, digits)} / ${fmt.decimal(q.worstSegment, digits)}` : '–';
}

function renditions(list) {
  if (!list || !list.length) return null;
  const rows = list.map((r) => h('tr', { dataset: { rendition: r.id, kind: r.kind } },
    h('td', {}, r.id),
    h('td', {}, r.kind),
    h('td', {}, r.codec || '–', r.codecs ? h('span', { class: 'mono muted' }, ` ${r.codecs}`) : null),
    h('td', {}, r.kind === 'audio'
      ? `${r.channels || '?'} ch, ${r.sampleRate ? `${r.sampleRate / 1000} kHz` : '?'}`
      : fmt.resolution(r.width, r.height) + (r.frameRate ? ` @ ${r.frameRate}` : '')),
    h('td', {}, fmt.bitrate(r.bandwidth), r.averageBandwidth ? h('span', { class: 'muted' }, ` (avg ${fmt.bitrate(r.averageBandwidth)})`) : null),
    h('td', {}, quality(r.psnr, 2)),
    h('td', {}, quality(r.ssim, 4))));
  return h('section', {},
    h('h3', {}, 'Renditions'),
    h('table', { id: 'renditions' },
      h('thead', {}, h('tr', {}, ['Rung', 'Kind', 'Codec', 'Resolution', 'Bitrate', 'PSNR mean / worst (dB)', 'SSIM mean / worst'].map((x) => h('th', {}, x)))),
      h('tbody', {}, rows)));
}

// The URLs carry this viewer's playback token (valid for minutes): the links open
// them, the text leaves the token out.
function links(t) {
  const items = [];
  const add = (label, url, key) => url && items.push(h('li', {}, `${label}: `,
    h('a', { href: url, class: 'mono', target: '_blank', rel: 'noopener', dataset: { link: key } }, withoutToken(url))));
  const m = t.manifests || {};
  add('DASH', m.dash, 'dash');
  add('HLS', m.hls, 'hls');
  add('Poster', t.poster, 'poster');
  add('Thumbnails', t.thumbnails, 'thumbnails');
  return items.length ? h('section', {}, h('h3', {}, 'Manifests'), h('ul', { id: 'manifests', class: 'links' }, items)) : null;
}

function source(t) {
  const s = t.source || {};
  const rows = [
    ['File', s.fileName],
    ['Size', s.sizeBytes ? fmt.bytes(s.sizeBytes) : ''],
    ['SHA-256', s.sha256],
    ['Duration', t.durationSeconds ? fmt.seconds(t.durationSeconds) : ''],
    ['Duplicate of', t.duplicateOf],
    ['Created', fmt.when(t.createdAt)],
    ['Updated', fmt.when(t.updatedAt)],
  ].filter(([, v]) => v && v !== '–');
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { class: k === 'SHA-256' ? 'mono' : '' }, v)]));
}

export function render(view, ctx) {
  const id = ctx.params[0];
  const error = errorBox('title-error');
  const body = h('div', { id: 'title' }, h('p', { class: 'muted' }, 'Loading…'));
  view.append(h('section', {}, error.el, body));

  let confirming = false;
  const del = isAdmin() ? h('button', { id: 'delete', class: 'danger', type: 'button' }, 'Delete') : null;
  // Two clicks instead of confirm(): dialogs are blocked in some embedders.
  if (del) del.addEventListener('click', async () => {
    if (!confirming) {
      confirming = true;
      del.textContent = 'Really delete? Click again';
      setTimeout(() => { confirming = false; del.textContent = 'Delete'; }, 4000);
      return;
    }
    del.disabled = true;
    try {
      await api.deleteTitle(id);
      location.hash = '#/';
    } catch (e) {
      error.show(`Could not delete: ${e.message}`);
      del.disabled = false;
    }
  });

  // The checkbox follows the title while nobody is changing it; the badge follows both
  // (a ready title is not polled, so a change shows through them, not a reload).
  const publicBox = h('input', { id: 'public', type: 'checkbox' });
  const publicBadge = h('span', { id: 'public-badge', class: 'badge public', hidden: true }, 'public');
  let changingPublic = false;
  const publicRow = isAdmin() ? h('label', { class: 'toggle', title: 'Public titles play without a playback token' },
    publicBox, ' Public: anyone who can reach an edge or the origin may play it, signed in or not') : null;
  publicBox.addEventListener('change', async () => {
    changingPublic = true;
    publicBox.disabled = true;
    const wanted = publicBox.checked;
    try {
      const t = await api.updateTitle(id, { public: wanted });
      publicBox.checked = !!t.public;
      publicBadge.hidden = !t.public;
      error.clear();
    } catch (e) {
      publicBox.checked = !wanted;
      error.show(`Could not make the title ${wanted ? 'public' : 'private'}: ${e.message}`);
    } finally {
      publicBox.disabled = false;
      changingPublic = false;
    }
  });

  ctx.poll(async () => {
    let t;
    try {
      t = await api.title(id, { signal: ctx.signal });
      error.clear();
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      error.show(`Could not load title ${id}: ${e.message}`);
      if (e.status === 404) {
        body.replaceChildren(h('p', {}, h('a', { href: '#/' }, 'Back to the catalogue')));
        return false;
      }
      return true;
    }
    if (!changingPublic) publicBox.checked = !!t.public;
    publicBadge.hidden = !t.public;
    const actions = h('p', { class: 'actions' },
      t.state === 'ready' ? [
        h('a', { class: 'button', id: 'play', href: `#/play/${encodeURIComponent(t.id)}` }, '▶ Play (DASH)'),
        h('a', { class: 'button', id: 'play-hls', href: `#/play/${encodeURIComponent(t.id)}?format=hls` }, '▶ Play (HLS)'),
      ] : null,
      del);
    // replaceChildren would print a null as "null".
    body.replaceChildren(...[
      h('div', { class: 'title-head' },
        t.state === 'ready' && t.poster ? h('img', { class: 'poster', src: t.poster, alt: `Poster of ${t.name}` }) : null,
        h('div', {},
          h('h2', { id: 'title-name' }, t.name || t.id),
          h('p', {}, stateBadge(t.state), ' ', publicBadge, ' ', h('span', { class: 'mono muted' }, t.id)),
          t.state === 'failed' ? h('p', { id: 'reason', class: 'error' }, `Failed: ${t.reason || '(no reason given)'}`) : null,
          progress(t),
          source(t),
          publicRow,
          actions)),
      renditions(t.renditions),
      links(t)].filter(Boolean));
    return !isSettled(t);
  }, 1000);
}
