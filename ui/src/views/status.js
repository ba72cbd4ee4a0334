// Every role instance control knows about and its health (GET /api/v1/status).

import { api } from '../api.js';
import { errorBox, h } from '../dom.js';

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 1 ? 'just now' : `${s} s ago`;
}

function row(inst) {
  const healthy = inst.health === 'ok' || inst.health === 'heartbeating';
  const pending = inst.load && inst.load.implemented === false;
  const metrics = inst.metricsUrl ? h('a', { href: inst.metricsUrl, target: '_blank', rel: 'noopener' }, '/metrics') : null;
  return h('tr', { dataset: { role: inst.role } },
    h('td', {}, inst.role),
    h('td', { class: 'mono' }, inst.instanceId),
    h('td', { class: 'mono' }, inst.url || '(no listener)'),
    h('td', { class: healthy ? (pending ? 'warn' : 'ok') : 'bad' }, pending ? `${inst.health} · not built yet` : inst.health),
    h('td', {}, ago(inst.lastSeenMs)),
    h('td', {}, metrics));
}

export function render(view, ctx) {
  const summary = h('p', { id: 'summary', class: 'muted' }, 'Asking control…');
  const tbody = h('tbody');
  const error = errorBox('error');
  view.append(h('section', {},
    h('h2', {}, 'Running roles'),
    h('p', { class: 'muted' }, 'Every row is a real service of this deployment, most on their own port.'),
    summary,
    h('table', { id: 'roles' },
      h('thead', {}, h('tr', {}, ['Role', 'Instance', 'Address', 'Health', 'Last heartbeat', 'Metrics'].map((t) => h('th', {}, t)))),
      tbody),
    error.el));

  ctx.poll(async () => {
    try {
      const body = await api.status({ signal: ctx.signal });
      const instances = body.instances.sort((a, b) => a.role.localeCompare(b.role));
      tbody.replaceChildren(...instances.map(row));
      summary.textContent = `${instances.length} role instances registered with control at ${body.control}`;
      error.clear();
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      error.show(`Could not load status: ${e.message}`);
    }
    return true;
  }, 2000);
}
