// The catalogue: every title as a card with its poster, name and state. Polls every
// 2 s while some title is still on its way to ready or failed.

import { api, isSettled } from '../api.js';
import { errorBox, h, stateBadge } from '../dom.js';
import * as fmt from '../format.js';
import { isAdmin } from '../user.js';

function card(t) {
  const poster = t.state === 'ready' && t.poster
    ? h('img', { class: 'poster', src: t.poster, alt: `Poster of ${t.name}`, loading: 'lazy' })
    : h('div', { class: 'poster placeholder' }, t.state === 'failed' ? '✕' : '…');
  const pct = t.job && Number.isFinite(t.job.percent) && !isSettled(t) ? ` ${Math.round(t.job.percent)} %` : '';
  return h('li', { class: 'card', dataset: { id: t.id, state: t.state } },
    h('a', { href: `#/title/${encodeURIComponent(t.id)}`, class: 'card-link' },
      poster,
      h('span', { class: 'card-name' }, t.name || t.id)),
    h('div', { class: 'card-meta' },
      stateBadge(t.state),
      t.public ? h('span', { class: 'badge public', title: 'Plays without a playback token' }, 'public') : null,
      pct ? h('span', { class: 'muted' }, pct) : null,
      t.durationSeconds ? h('span', { class: 'muted' }, fmt.seconds(t.durationSeconds)) : null,
      t.state === 'ready' ? h('a', { href: `#/play/${encodeURIComponent(t.id)}`, class: 'play-link' }, '▶ Play') : null));
}

export function render(view, ctx) {
  const grid = h('ul', { id: 'titles', class: 'grid' });
  const empty = h('p', { id: 'empty', class: 'muted', hidden: true }, 'No titles yet.',
    isAdmin() ? [' ', h('a', { href: '#/upload' }, 'Upload one'), '.'] : ' An admin uploads them.');
  const error = errorBox('catalogue-error');
  view.append(h('section', {}, h('h2', {}, 'Catalogue'), error.el, empty, grid));

  ctx.poll(async () => {
    let titles;
    try {
      titles = (await api.titles({ signal: ctx.signal })).titles;
      error.clear();
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      error.show(`Could not load the catalogue: ${e.message}`);
      return true;  // keep trying: control may come back
    }
    grid.replaceChildren(...titles.map(card));
    empty.hidden = titles.length > 0;
    return titles.some((t) => !isSettled(t));
  }, 2000);
}
