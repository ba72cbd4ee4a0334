// The simulation page: pick a ready title, a bundled bandwidth trace and ABR
// algorithms; the api runs the player's own engine in virtual time on the title's real
// segment sizes (POST /api/v1/simulation) and this page draws, per algorithm, the
// bitrate and the buffer over the session (uPlot), the QoE table, and the decision log
// of one algorithm (the engine's reasons, row by row).

import { api, simulation } from '../api.js';
import { decisionTable } from '../decisions.js';
import { errorBox, h } from '../dom.js';
import * as fmt from '../format.js';
import { loadUplot } from '../vendor.js';

const COLOURS = ['#e50914', '#0b57d0', '#137333', '#b06000', '#8430ce', '#00838f'];
const CHART_HEIGHT = 220;

// Per-algorithm [t, value] steps: the value holds from one segment's arrival to the next.
function series(report, pick) {
  return [report.segments.map((s) => s.t_s), report.segments.map(pick)];
}

export function render(view, ctx) {
  const error = errorBox('sim-error');
  const titleSelect = h('select', { id: 'sim-title', required: true });
  const traceSelect = h('select', { id: 'sim-trace', required: true });
  const abrBoxes = h('span', { id: 'sim-abr', class: 'checks' });
  const rtt = h('input', { id: 'sim-rtt', type: 'number', min: 0, max: 2000, value: 80, class: 'narrow' });
  const cap = h('input', { id: 'sim-cap', type: 'number', min: 4, max: 600, value: 30, class: 'narrow' });
  const run = h('button', { id: 'sim-run', type: 'submit', disabled: true }, 'Simulate');
  const status = h('span', { id: 'sim-status', class: 'muted' });
  const table = h('table', { id: 'sim-table', hidden: true });
  const bitrateChart = h('div', { id: 'sim-bitrate', class: 'chart' });
  const bufferChart = h('div', { id: 'sim-buffer', class: 'chart' });
  const logSelect = h('select', { id: 'sim-log-abr' });
  const log = decisionTable('sim-log');
  const results = h('div', { id: 'sim-results', hidden: true },
    h('h3', {}, 'QoE'), table,
    h('h3', {}, 'Video bitrate (kbit/s) at each segment'), bitrateChart,
    h('h3', {}, 'Buffer (s) after each segment'), bufferChart,
    h('h3', {}, 'Decisions of ', logSelect), log.el);
  const form = h('form', { id: 'sim-form', class: 'sim-form' },
    h('label', {}, 'Title ', titleSelect),
    h('label', {}, 'Trace ', traceSelect),
    h('label', {}, 'RTT (ms) ', rtt),
    h('label', {}, 'Buffer cap (s) ', cap),
    h('div', {}, 'Algorithms ', abrBoxes),
    h('div', {}, run, ' ', status));
  view.append(h('section', {},
    h('h2', {}, 'ABR simulation'),
    h('p', { class: 'muted' }, 'The player engine plays the title against a recorded network (looped) in virtual time, with the '
      + 'title\'s real segment sizes: the same code as a live session, only the clock and the network are simulated. '
      + 'QoE_lin = Σ bitrate − 4.3 × rebuffer s − Σ |Δ bitrate| (Mbit/s).'),
    error.el, form, results));

  let charts = [];
  let last = null;
  ctx.onLeave(() => charts.forEach((c) => c.destroy()));

  (async () => {
    const [titles, traces] = await Promise.all([api.titles({ signal: ctx.signal }), simulation.traces({ signal: ctx.signal })]);
    const ready = titles.titles.filter((t) => t.state === 'ready');
    if (!ready.length) throw new Error('No ready title to simulate: upload one first.');
    titleSelect.replaceChildren(...ready.map((t) => h('option', { value: t.id }, t.name || t.id)));
    if (ctx.query.get('title')) titleSelect.value = ctx.query.get('title');
    traceSelect.replaceChildren(...traces.traces.map((t) => h('option', { value: t.name },
      `${t.name} (${t.set}, mean ${t.meanMbps.toFixed(2)} Mbit/s, ${fmt.seconds(t.seconds)})`)));
    abrBoxes.replaceChildren(...traces.abr.map((name) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: name, checked: true }), ` ${name}${name === traces.defaultAbr ? ' (default)' : ''}`)));
    run.disabled = false;
  })().catch((e) => { if (!ctx.signal.aborted) error.show(e.message); });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const abr = [...abrBoxes.querySelectorAll('input:checked')].map((i) => i.value);
    if (!abr.length) return error.show('Pick at least one algorithm.');
    error.clear();
    run.disabled = true;
    status.textContent = 'Simulating…';
    const t0 = performance.now();
    try {
      const answer = await simulation.run({ title: titleSelect.value, trace: traceSelect.value, abr,
        rttMs: Number(rtt.value), bufferCapS: Number(cap.value) }, { signal: ctx.signal });
      status.textContent = `${answer.reports.length} sessions simulated in ${Math.round(performance.now() - t0)} ms `
        + `(trace ${answer.trace}, mean ${answer.traceMeanMbps} Mbit/s).`;
      await show(answer);
    } catch (e) {
      if (!ctx.signal.aborted) error.show(e.message);
      status.textContent = '';
    } finally {
      run.disabled = false;
    }
  });

  logSelect.addEventListener('change', () => showLog());

  function showLog() {
    const report = last && last.reports.find((r) => r.abr === logSelect.value);
    if (report) log.show(report.segments);
  }

  async function show(answer) {
    last = answer;
    results.hidden = false;
    table.hidden = false;
    table.replaceChildren(
      h('thead', {}, h('tr', {}, ['Algorithm', 'QoE_lin', 'per segment', 'Mean bitrate', 'Rebuffer', 'Stalls', 'Switches', 'Start-up']
        .map((c) => h('th', {}, c)))),
      h('tbody', {}, answer.reports.map((r) => h('tr', { dataset: { abr: r.abr, qoe: String(r.qoe_lin) } },
        h('td', {}, r.abr), h('td', {}, r.qoe_lin.toFixed(2)), h('td', {}, r.qoe_per_segment.toFixed(3)),
        h('td', {}, fmt.bitrate(r.mean_bitrate)), h('td', {}, `${r.rebuffer_s.toFixed(2)} s`), h('td', {}, String(r.rebuffer_events)),
        h('td', {}, String(r.switches)), h('td', {}, `${Math.round(r.startup_ms)} ms`)))));
    logSelect.replaceChildren(...answer.reports.map((r) => h('option', { value: r.abr }, r.abr)));
    showLog();

    const uPlot = await loadUplot();
    charts.forEach((c) => c.destroy());
    charts = [];
    const width = Math.max(320, Math.min(1100, bitrateChart.clientWidth || view.clientWidth - 40));
    const draw = (el, pick, label) => {
      const data = uPlot.join(answer.reports.map((r) => series(r, pick)));
      const opts = {
        width, height: CHART_HEIGHT,
        scales: { x: { time: false } },
        axes: [{ label: 'session time (s)' }, { label }],
        series: [{ label: 't (s)' }, ...answer.reports.map((r, i) => ({
          label: r.abr, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true,
          paths: uPlot.paths.stepped({ align: 1 }),
        }))],
      };
      el.replaceChildren();
      charts.push(new uPlot(opts, data, el));
    };
    draw(bitrateChart, (s) => s.bitrate / 1000, 'kbit/s');
    draw(bufferChart, (s) => s.buffer_s, 'buffer (s)');
  }
}
