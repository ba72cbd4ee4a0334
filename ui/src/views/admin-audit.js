// The admin page's audit trail: sign-ins (and failed ones), sign-outs, token and user
// changes, newest first, 50 at a time ("Older entries" pages back by entry id).

import { accounts } from '../api.js';
import { errorBox, h } from '../dom.js';
import * as fmt from '../format.js';

const PAGE = 50;

export function create(ctx) {
  const error = errorBox('audit-error');
  const tbody = h('tbody');
  const more = h('button', { id: 'audit-more', type: 'button', class: 'small-button', hidden: true }, 'Older entries');
  const refresh = h('button', { id: 'audit-refresh', type: 'button', class: 'small-button' }, 'Refresh');
  const el = h('section', { id: 'audit' },
    h('h3', {}, 'Audit trail ', refresh),
    error.el,
    h('table', { id: 'audit-table' },
      h('thead', {}, h('tr', {}, ['Time', 'Who', 'Action', 'Target', 'Address', 'Result', 'Detail'].map((t) => h('th', {}, t)))),
      tbody),
    more);

  const row = (e) => h('tr', { dataset: { id: String(e.id), action: e.action, actor: e.actor, target: e.target, ok: String(!!e.ok) } },
    h('td', {}, fmt.when(e.time)),
    h('td', {}, e.actor || '–'),
    h('td', { class: 'mono' }, e.action),
    h('td', {}, e.target || '–'),
    h('td', { class: 'mono' }, e.address || '–'),
    h('td', { class: e.ok ? 'ok' : 'bad' }, e.ok ? 'ok' : 'refused'),
    h('td', {}, e.detail || ''));

  let oldest = 0;
  async function page(before) {
    try {
      const { entries } = await accounts.audit({ limit: PAGE, before, signal: ctx.signal });
      const rows = entries.map(row);
      if (before) tbody.append(...rows);
      else tbody.replaceChildren(...rows);
      if (entries.length) oldest = entries[entries.length - 1].id;
      more.hidden = entries.length < PAGE;
      error.clear();
    } catch (e) {
      if (e.name !== 'AbortError') error.show(`Could not load the audit trail: ${e.message}`);
    }
  }
  more.addEventListener('click', () => page(oldest));
  refresh.addEventListener('click', () => page(0));
  return { el, load: () => page(0) };
}
