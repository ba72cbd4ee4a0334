// Sums up abr-qoe.sh's runs: per trace, and per set (training / held-out) in total,
// QoE_lin per segment (Σ QoE ÷ Σ segments), rebuffer seconds, mean bitrate, switches
// and start-up for each player; and our ratios against the better of the peers.
//
//   node abr-summary.mjs RUN_DIR OUT.json

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [dir, out] = process.argv.slice(2);
const runs = readdirSync(dir).filter((f) => f.endsWith('.json') && f.includes('--')).map((f) => {
  const [set] = f.split('--');
  return { set, ...JSON.parse(readFileSync(path.join(dir, f), 'utf8')) };
});

function total(list) {
  const n = list.reduce((t, r) => t + (r.played_segments || 0), 0);
  const qoe = list.reduce((t, r) => t + (r.qoe_lin || 0), 0);
  return {
    runs: list.length,
    errors: list.filter((r) => r.error).length,
    qoe_per_segment: n ? +(qoe / n).toFixed(4) : 0,
    rebuffer_s: +list.reduce((t, r) => t + (r.rebuffer_s || 0), 0).toFixed(3),
    mean_bitrate: Math.round(list.reduce((t, r) => t + (r.mean_bitrate || 0), 0) / Math.max(1, list.length)),
    switches: list.reduce((t, r) => t + (r.switches || 0), 0),
    mean_startup_ms: Math.round(list.reduce((t, r) => t + (r.startup_ms || 0), 0) / Math.max(1, list.length)),
    max_startup_ms: Math.max(0, ...list.map((r) => r.startup_ms || 0)),
  };
}

const players = [...new Set(runs.map((r) => r.player))];
const sets = [...new Set(runs.map((r) => r.set))];
const summary = { players, sets: {} };
const fmt = (x, w) => String(x).padStart(w);
for (const set of sets) {
  const inSet = runs.filter((r) => r.set === set);
  const traces = [...new Set(inSet.map((r) => r.trace))].sort();
  const perTrace = {};
  console.log(`\n${set}: ${traces.length} traces`);
  console.log(`${'trace'.padEnd(13)}${players.map((p) => `${p.padStart(8)} qoe/seg  rebuf  kbit/s sw  start`).join('  ')}`);
  for (const t of traces) {
    perTrace[t] = {};
    let line = t.padEnd(13);
    for (const p of players) {
      const r = inSet.find((x) => x.trace === t && x.player === p) || {};
      perTrace[t][p] = r;
      line += `${fmt(p, 8)} ${fmt(r.qoe_per_segment ?? '-', 7)} ${fmt(r.rebuffer_s ?? '-', 6)} ${fmt(Math.round((r.mean_bitrate || 0) / 1000), 7)} `
        + `${fmt(r.switches ?? '-', 2)} ${fmt(r.startup_ms ?? '-', 6)}${r.error ? ' ERR' : ''}  `;
    }
    console.log(line);
  }
  const totals = Object.fromEntries(players.map((p) => [p, total(inSet.filter((r) => r.player === p))]));
  const peers = players.filter((p) => p !== 'ours');
  const bestPeer = peers.reduce((b, p) => (!b || totals[p].qoe_per_segment > totals[b].qoe_per_segment ? p : b), null);
  const ratios = bestPeer && totals.ours ? {
    best_peer: bestPeer,
    qoe_per_segment: +(totals.ours.qoe_per_segment / totals[bestPeer].qoe_per_segment).toFixed(3),
    // Rebuffering against the peers' least: 0 vs 0 is met; anything vs 0 is not.
    rebuffer: Math.min(...peers.map((p) => totals[p].rebuffer_s)) > 0
      ? +(totals.ours.rebuffer_s / Math.min(...peers.map((p) => totals[p].rebuffer_s))).toFixed(3)
      : (totals.ours.rebuffer_s > 0 ? null : 0),
  } : null;
  for (const p of players) {
    const x = totals[p];
    console.log(`  total ${p.padEnd(7)} qoe/seg ${fmt(x.qoe_per_segment, 7)}  rebuffer ${fmt(x.rebuffer_s, 6)} s  `
      + `bitrate ${fmt(Math.round(x.mean_bitrate / 1000), 5)}k  switches ${fmt(x.switches, 3)}  start mean ${x.mean_startup_ms} ms, max ${x.max_startup_ms} ms`
      + `${x.errors ? `  (${x.errors} runs with errors)` : ''}`);
  }
  if (ratios) {
    console.log(`  ours / ${ratios.best_peer}: qoe per segment x${ratios.qoe_per_segment} (target >= 1.3), `
      + `rebuffer ${ratios.rebuffer === null ? 'ours > 0 where the peers had none' : `x${ratios.rebuffer}`} (target <= 0.5)`);
  }
  summary.sets[set] = { traces: perTrace, totals, ratios };
}
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nwritten: ${out}`);
