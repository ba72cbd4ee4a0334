// Delivery (docs/delivery.md): the edges control knows with their load and cache,
// a steering tester, the fill plan with pins, "run fill now" and each edge's
// prefetch progress. Everything comes from control through the api's
// /api/v1/delivery/… relay; the page refreshes every 2 s while it is shown.

import { api, delivery } from '../api.js';
import { errorBox, h } from '../dom.js';
import * as fmt from '../format.js';

const REFRESH_MS = 2000;

// A horizontal bar for "used of max" (memory, disk, throughput), with the numbers.
// `load`: the bar turns amber, then red, as it nears the max (a full cache is fine,
// a saturated link is not).
function usage(value, max, label, key, { load = false } = {}) {
  if (!Number.isFinite(max) || max <= 0) return h('span', { class: 'muted', dataset: { k: key } }, label || '–');
  const v = Number.isFinite(value) ? Math.max(0, value) : 0;
  const levels = load ? { low: max * 0.7, high: max * 0.9, optimum: 0 } : {};
  return h('div', { class: 'usage', dataset: { k: key, value: String(v), max: String(max) } },
    h('meter', { min: 0, max, value: Math.min(v, max), ...levels }),
    h('span', { class: 'usage-text' }, label));
}

// A prefetch job ({id, state, total, done, failed, bytes}) as a progress bar.
function prefetchProgress(job) {
  if (!job) return h('span', { class: 'muted' }, '–');
  const total = Number(job.total) || 0;
  const done = Number(job.done) || 0;
  const failed = Number(job.failed) || 0;
  const cls = job.state === 'failed' || failed ? 'bad' : (job.state === 'done' ? 'ok' : '');
  return h('div', { class: 'prefetch', dataset: { state: job.state || '', done: String(done), total: String(total), job: job.id || '' } },
    h('progress', { max: Math.max(total, 1), value: total ? done : 0 }),
    h('span', { class: cls },
      `${job.state || '?'} · ${done}/${total}${failed ? ` (${failed} failed)` : ''} · ${fmt.bytes(Number(job.bytes) || 0)}`),
    job.error ? h('span', { class: 'bad' }, ` ${job.error}`) : null);
}

// The job an edge is working on, else its newest one.
function currentPrefetch(list) {
  if (!Array.isArray(list) || !list.length) return null;
  return list.find((j) => j.state === 'running') || list.find((j) => j.state === 'queued') || list[list.length - 1];
}

function edgeState(e) {
  if (!e.live) return h('span', { class: 'warn', dataset: { k: 'state' } }, `not live (last heard ${fmt.ago(e.lastSeenMs)})`);
  const healthy = e.healthy !== false && (!e.load || e.load.healthy !== false);
  return h('span', { class: healthy ? 'ok' : 'bad', dataset: { k: 'state' } }, healthy ? 'live · healthy' : 'live · every upstream down');
}

function edgeRow(e) {
  const load = e.load || {};
  const mbps = Number.isFinite(load.bytesPerSecond) ? (load.bytesPerSecond * 8) / 1e6 : NaN;
  const capacity = Number(e.capacityMbps ?? load.capacityMbps);
  const disk = load.diskMaxBytes > 0
    ? usage(load.diskBytes, load.diskMaxBytes, `${fmt.bytes(load.diskBytes)} of ${fmt.bytes(load.diskMaxBytes)}`, 'disk')
    : h('span', { class: 'muted', dataset: { k: 'disk' } }, 'no disk tier');
  return h('tr', { dataset: { instance: e.instanceId, region: e.region || '', live: String(!!e.live) } },
    h('td', {}, h('div', { class: 'mono' }, e.instanceId),
      // Not a link: an edge's /edge/v1/stats answers services (the cluster key) only.
      e.url ? h('div', { class: 'mono small' }, e.url) : null),
    h('td', { dataset: { k: 'region' } }, e.region || '–'),
    h('td', {}, edgeState(e)),
    h('td', { dataset: { k: 'connections' } }, Number.isFinite(load.connections) ? String(load.connections) : '–'),
    h('td', {}, usage(mbps, capacity,
      `${Number.isFinite(mbps) ? mbps.toFixed(mbps < 10 ? 2 : 0) : '–'} of ${Number.isFinite(capacity) ? capacity : '–'} Mbit/s`, 'throughput', { load: true })),
    h('td', { dataset: { k: 'hit-ratio', object: String(load.objectHitRatio ?? ''), byte: String(load.byteHitRatio ?? '') } },
      `${fmt.percent(load.objectHitRatio)} / ${fmt.percent(load.byteHitRatio)}`),
    h('td', {}, usage(load.memoryBytes, load.memoryMaxBytes,
      `${fmt.bytes(load.memoryBytes)} of ${fmt.bytes(load.memoryMaxBytes)}`, 'memory')),
    h('td', {}, disk),
    h('td', {}, prefetchProgress(currentPrefetch(load.prefetch))));
}

const yesNo = (v, key) => h('td', { dataset: { k: key, value: String(!!v) } }, v ? 'yes' : 'no');

function steerRow(e) {
  return h('tr', { dataset: { instance: e.instanceId || '', rank: String(e.rank ?? '') } },
    h('td', { dataset: { k: 'rank' } }, String(e.rank ?? '–')),
    h('td', { class: 'mono', dataset: { k: 'url' } }, e.url || '–'),
    h('td', { dataset: { k: 'region' } }, e.region || '–'),
    h('td', { dataset: { k: 'score' } }, fmt.decimal(e.score, 3)),
    yesNo(e.holdsTitle, 'holds-title'),
    h('td', { dataset: { k: 'overloaded', value: String(!!e.overloaded) }, class: e.overloaded ? 'warn' : '' }, e.overloaded ? 'yes' : 'no'),
    h('td', { dataset: { k: 'reason' } }, e.reason || '–'));
}

const table = (id, headings, rows, attrs = {}) => h('table', { id, ...attrs },
  h('thead', {}, h('tr', {}, headings.map((t) => h('th', {}, t)))),
  h('tbody', {}, rows));

export function render(view, ctx) {
  let names = new Map();  // title id → name
  const nameOf = (id) => names.get(id) || id;
  const titleCell = (id) => h('td', {}, h('a', { href: `#/title/${encodeURIComponent(id)}` }, nameOf(id)),
    nameOf(id) !== id ? h('span', { class: 'mono muted small' }, ` ${id}`) : null);

  // Edges.
  const edgesError = errorBox('edges-error');
  const edgesSummary = h('p', { id: 'edges-summary', class: 'muted' }, 'Asking control…');
  const edgesBody = h('tbody');
  const edgesTable = h('table', { id: 'edges' },
    h('thead', {}, h('tr', {}, ['Edge', 'Region', 'State', 'Connections', 'Throughput', 'Hit ratio (objects / bytes)',
      'Memory', 'Disk', 'Prefetch'].map((t) => h('th', {}, t)))),
    edgesBody);

  // Steering tester.
  const steerTitle = h('select', { id: 'steer-title', required: true }, h('option', { value: '' }, 'Loading titles…'));
  const steerRegion = h('input', { id: 'steer-region', type: 'text', placeholder: 'from my address', size: 14 });
  const steerButton = h('button', { id: 'steer-run', type: 'submit' }, 'Steer');
  const titlesError = errorBox('titles-error');
  const steerError = errorBox('steer-error');
  const steerSummary = h('p', { id: 'steer-summary', class: 'muted' },
    'Which edges would serve this title to a viewer in that region, in order.');
  const steerResult = h('div', { id: 'steer-result' });
  const steerForm = h('form', { id: 'steer-form', class: 'inline-form' },
    h('label', {}, 'Title ', steerTitle), h('label', {}, 'Region ', steerRegion), steerButton);

  // Fill.
  const fillError = errorBox('fill-error');
  const actionError = errorBox('fill-action-error');
  const fillSummary = h('p', { id: 'fill-summary', class: 'muted' }, 'Asking control…');
  const runButton = h('button', { id: 'fill-run', type: 'button' }, 'Run fill now');
  const plan = h('div', { id: 'fill-plan' });
  const pinTitle = h('select', { id: 'pin-title' }, h('option', { value: '' }, 'Loading titles…'));
  const pinRegions = h('input', { id: 'pin-regions', type: 'text', placeholder: 'every region', size: 18 });
  const pinButton = h('button', { id: 'pin-add', type: 'submit' }, 'Pin');
  const pinForm = h('form', { id: 'pin-form', class: 'inline-form' },
    h('label', {}, 'Title ', pinTitle), h('label', {}, 'Regions ', pinRegions), pinButton);
  const pins = h('div', { id: 'pins' });
  const lastRun = h('div', { id: 'fill-last' });

  view.append(h('section', { class: 'delivery' },
    h('h2', {}, 'Delivery'),
    h('p', { class: 'muted' }, 'Segments go player → edge → origin. Control steers each playback to edges and ',
      'pushes each region\'s most watched titles to its edges before viewers ask.'),
    h('h3', {}, 'Edges'), edgesSummary, edgesError.el, edgesTable,
    h('h3', {}, 'Steering tester'), titlesError.el, steerForm, steerError.el, steerSummary, steerResult,
    h('h3', {}, 'Fill'), fillSummary, h('p', { class: 'actions' }, runButton), fillError.el, actionError.el,
    h('h4', {}, 'Plan'), plan,
    h('h4', {}, 'Pins'), pinForm, pins,
    h('h4', {}, 'Last run'), lastRun));

  // Selects keep what the user chose across refreshes.
  function fillSelect(select, titles) {
    const before = select.value;
    const ready = titles.filter((t) => t.state === 'ready');
    const list = ready.length ? ready : titles;
    select.replaceChildren(...(list.length
      ? list.map((t) => h('option', { value: t.id }, `${t.name || t.id} (${t.state})`))
      : [h('option', { value: '' }, 'No titles')]));
    if (before && list.some((t) => t.id === before)) select.value = before;
  }

  let titleIds = '';
  async function refreshTitles() {
    const titles = (await api.titles({ signal: ctx.signal })).titles;
    names = new Map(titles.map((t) => [t.id, t.name || t.id]));
    const ids = titles.map((t) => `${t.id}:${t.state}`).join(',');
    if (ids !== titleIds) {
      titleIds = ids;
      fillSelect(steerTitle, titles);
      fillSelect(pinTitle, titles);
    }
  }

  async function refreshEdges() {
    const body = await delivery.edges({ signal: ctx.signal });
    const edges = (body.edges || []).slice().sort((a, b) => (a.region || '').localeCompare(b.region || '')
      || a.instanceId.localeCompare(b.instanceId));
    edgesBody.replaceChildren(...(edges.length ? edges.map(edgeRow)
      : [h('tr', { id: 'edges-empty' }, h('td', { colspan: 9, class: 'muted' }, 'No edge has registered with control.'))]));
    const live = edges.filter((e) => e.live).length;
    const regions = new Set(edges.map((e) => e.region)).size;
    edgesSummary.textContent = `${edges.length} edge${edges.length === 1 ? '' : 's'} (${live} live) in ${regions} region${regions === 1 ? '' : 's'}`
      + (body.heartbeatIntervalMs ? `; heartbeats every ${fmt.seconds(body.heartbeatIntervalMs / 1000)}` : '');
  }

  function planRow(region, item) {
    return h('tr', { dataset: { title: item.title, pinned: String(!!item.pinned) } },
      titleCell(item.title),
      h('td', { dataset: { k: 'views' } }, String(item.views ?? 0)),
      h('td', { dataset: { k: 'pinned' } }, item.pinned ? h('span', { class: 'badge pinned' }, 'pinned') : ''),
      h('td', {}, item.pinned
        ? h('button', { type: 'button', class: 'small-button', dataset: { action: 'unpin', title: item.title }, onclick: () => unpin(item.title) }, 'Unpin')
        : h('button', { type: 'button', class: 'small-button', dataset: { action: 'pin', title: item.title }, onclick: () => pin(item.title, [region]) }, `Pin in ${region}`)));
  }

  function renderPlan(fill) {
    const regions = Object.keys(fill.plan || {}).sort();
    if (!regions.length) {
      plan.replaceChildren(h('p', { class: 'muted', id: 'fill-plan-empty' }, 'Nothing to fill yet: no views and no pins.'));
      return;
    }
    plan.replaceChildren(...regions.map((region) => {
      const items = fill.plan[region] || [];
      return h('div', { class: 'plan-region', dataset: { region } },
        h('h5', {}, `Region ${region}`),
        items.length ? table(null, ['Title', 'Views', 'Pinned', ''], items.map((item) => planRow(region, item)), { class: 'plan' })
          : h('p', { class: 'muted' }, 'No titles to fill in this region.'));
    }));
  }

  function renderPins(fill) {
    const list = fill.pins || [];
    pins.replaceChildren(list.length
      ? table('pins-table', ['Title', 'Regions', 'Pinned', ''], list.map((p) => h('tr', { dataset: { title: p.title } },
        titleCell(p.title),
        h('td', {}, p.regions && p.regions.length ? p.regions.join(', ') : 'every region'),
        h('td', {}, fmt.ago(p.createdMs)),
        h('td', {}, h('button', { type: 'button', class: 'small-button', dataset: { action: 'unpin', title: p.title }, onclick: () => unpin(p.title) }, 'Unpin')))))
      : h('p', { class: 'muted' }, 'No pins.'));
  }

  function renderRun(run) {
    if (!run) {
      lastRun.replaceChildren(h('p', { class: 'muted', id: 'fill-never' }, 'No fill has run since control started.'));
      return;
    }
    const sends = run.sends || [];
    lastRun.replaceChildren(
      h('p', { id: 'fill-run-info' }, `${run.trigger === 'manual' ? 'Manual' : 'Scheduled'} run, started ${fmt.ago(run.startedMs)}, `
        + `${sends.length} send${sends.length === 1 ? '' : 's'}.`),
      sends.length ? table('fill-sends', ['Edge', 'Region', 'Titles', 'Send', 'Prefetch'], sends.map((s) => h('tr', { dataset: { instance: s.instanceId || '', status: s.status || '' } },
        h('td', {}, h('div', { class: 'mono' }, s.instanceId || '–'), s.url ? h('div', { class: 'mono small muted' }, s.url) : null),
        h('td', {}, s.region || '–'),
        h('td', {}, (s.titles || []).map(nameOf).join(', ') || '–'),
        h('td', { class: s.status === 'failed' ? 'bad' : 'ok', dataset: { k: 'status' } },
          s.status || '–', s.error ? ` · ${s.error}` : '', s.jobId ? h('span', { class: 'mono muted small' }, ` ${s.jobId}`) : null),
        h('td', {}, s.progress ? prefetchProgress(s.progress)
          : h('span', { class: 'muted', dataset: { k: 'waiting' } }, s.status === 'failed' ? '–' : 'waiting for the edge\'s heartbeat'))))) : null);
  }

  async function refreshFill() {
    const fill = await delivery.fill({ signal: ctx.signal });
    fillSummary.textContent = `Top ${fill.topN ?? '?'} titles per region (pins on top), `
      + (fill.intervalSeconds > 0 ? `every ${fmt.seconds(fill.intervalSeconds)}.` : 'on demand only.');
    renderPlan(fill);
    renderPins(fill);
    renderRun(fill.lastRun);
  }

  // Each part reports its own failure; one failing part does not hide the others.
  async function guarded(fn, box, what) {
    try {
      await fn();
      box.clear();
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      box.show(`${what}: ${e.message}`);
    }
  }

  const refreshAll = () => Promise.all([
    guarded(refreshTitles, titlesError, 'Could not load the titles'),
    guarded(refreshEdges, edgesError, 'Could not load the edges'),
    guarded(refreshFill, fillError, 'Could not load the fill plan'),
  ]);
  ctx.poll(async () => {
    await refreshAll();
    return true;
  }, REFRESH_MS);

  steerForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!steerTitle.value) return;
    steerButton.disabled = true;
    steerError.clear();
    try {
      const r = await delivery.steer(steerTitle.value, steerRegion.value.trim(), { signal: ctx.signal });
      const source = { query: 'as asked', address: `from address ${r.address || '?'}`, default: 'no prefix matched' }[r.regionSource] || r.regionSource;
      steerSummary.textContent = `${nameOf(r.title)} for region ${r.region} (${source}): `
        + `${(r.edges || []).length} edge${(r.edges || []).length === 1 ? '' : 's'}.`;
      steerSummary.dataset.region = r.region || '';
      steerResult.replaceChildren((r.edges || []).length
        ? table('steer-table', ['Rank', 'Edge URL', 'Region', 'Score', 'Holds title', 'Overloaded', 'Reason'], r.edges.map(steerRow))
        : h('p', { id: 'steer-none', class: 'warn' }, 'No live, healthy edge: players would go to the origin.'));
    } catch (e) {
      if (e.name === 'AbortError') return;
      steerError.show(`Steering failed: ${e.message}`);
      steerResult.replaceChildren();
    } finally {
      steerButton.disabled = false;
    }
  });

  // A button's action, its error shown until the next action, then a fresh view.
  async function act(button, what, fn) {
    if (button) button.disabled = true;
    try {
      await fn();
      actionError.clear();
    } catch (e) {
      actionError.show(`${what}: ${e.message}`);
    } finally {
      if (button) button.disabled = false;
    }
    if (!ctx.signal.aborted) await guarded(refreshFill, fillError, 'Could not load the fill plan');
  }

  function pin(title, regions) {
    return act(null, `Could not pin ${nameOf(title)}`, () => delivery.pin(title, regions));
  }
  function unpin(title) {
    return act(null, `Could not unpin ${nameOf(title)}`, () => delivery.unpin(title));
  }

  pinForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!pinTitle.value) return;
    const regions = pinRegions.value.split(',').map((r) => r.trim()).filter(Boolean);
    act(pinButton, `Could not pin ${nameOf(pinTitle.value)}`, () => delivery.pin(pinTitle.value, regions));
  });

  runButton.addEventListener('click', () => act(runButton, 'Fill run failed', async () => {
    const run = await delivery.runFill();
    renderRun(run);
  }));
}
