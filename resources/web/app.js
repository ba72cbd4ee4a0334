// Status page: lists every role instance control knows about and its health.
'use strict';

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 1 ? 'just now' : `${s} s ago`;
}

async function refresh() {
  const err = document.getElementById('error');
  try {
    const res = await fetch('/api/v1/status', { cache: 'no-store' });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ? body.error.message : `HTTP ${res.status}`);
    const tbody = document.querySelector('#roles tbody');
    tbody.replaceChildren();
    const instances = body.instances.sort((a, b) => a.role.localeCompare(b.role));
    for (const inst of instances) {
      const tr = document.createElement('tr');
      tr.dataset.role = inst.role;
      tr.appendChild(cell(inst.role));
      tr.appendChild(cell(inst.instanceId, 'mono'));
      tr.appendChild(cell(inst.url || '(no listener)', 'mono'));
      const healthy = inst.health === 'ok' || inst.health === 'heartbeating';
      const pending = inst.load && inst.load.implemented === false;
      tr.appendChild(cell(pending ? `${inst.health} · not built yet` : inst.health, healthy ? (pending ? 'warn' : 'ok') : 'bad'));
      tr.appendChild(cell(ago(inst.lastSeenMs)));
      const m = document.createElement('td');
      if (inst.metricsUrl) {
        const a = document.createElement('a');
        a.href = inst.metricsUrl;
        a.textContent = '/metrics';
        a.target = '_blank';
        m.appendChild(a);
      }
      tr.appendChild(m);
      tbody.appendChild(tr);
    }
    document.getElementById('summary').textContent =
      `${instances.length} role instances registered with control at ${body.control}`;
    err.hidden = true;
  } catch (e) {
    err.textContent = `Could not load status: ${e.message}`;
    err.hidden = false;
  }
}

refresh();
setInterval(refresh, 2000);
