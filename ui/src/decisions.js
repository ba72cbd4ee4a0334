// The ABR decision log as a table, in the engine's log shape (docs/player.md, "The
// report"): one row per video segment with the rung, why, its bytes and download time,
// the estimate and the buffer before and after. The player page fills it from Shaka's
// segment answers, the simulation page from the native engine's report.

import { h } from './dom.js';
import * as fmt from './format.js';

const COLUMNS = ['Segment', 'Rung', 'Bitrate', 'Size', 'Download', 'Estimate', 'Buffer', 'Why'];

export function decisionTable(id) {
  const body = h('tbody', {}, h('tr', { class: 'muted' }, h('td', { colspan: COLUMNS.length }, 'No segment yet.')));
  const table = h('table', { id, class: 'decisions' }, h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', {}, c)))), body);
  return {
    el: table,
    // rows: newest first or in order, as the caller likes; `limit` keeps the table short.
    show(rows, limit = 0) {
      const list = limit ? rows.slice(0, limit) : rows;
      if (!list.length) return;
      body.replaceChildren(...list.map((r) => h('tr', {
        dataset: { index: String(r.index), rung: r.rung_id || '', reason: r.reason || '' },
        title: r.inputs ? Object.entries(r.inputs).map(([k, v]) => `${k} = ${v}`).join('\n') : '',
      },
      h('td', {}, String(r.index + 1)),
      h('td', {}, r.rung_id || String(r.rung)),
      h('td', {}, fmt.bitrate(r.bitrate)),
      h('td', {}, fmt.bytes(r.bytes)),
      h('td', {}, Number.isFinite(r.download_ms) ? `${Math.round(r.download_ms)} ms` : '–'),
      h('td', {}, fmt.bitrate(r.estimate_bps)),
      h('td', {}, Number.isFinite(r.buffer_before_s) ? `${r.buffer_before_s.toFixed(1)} → ${r.buffer_s.toFixed(1)} s` : `${fmt.decimal(r.buffer_s, 1)} s`),
      h('td', { class: 'small' }, r.reason || '', r.abandoned ? h('span', { class: 'warn' }, ` (abandoned ${r.abandoned.length} download${r.abandoned.length > 1 ? 's' : ''})`) : null))));
    },
  };
}
