// A trace-driven shaping proxy for ABR benchmarks: one shared bottleneck whose rate
// follows a bandwidth trace (seconds<TAB>Mbit/s lines, looped, from the moment the
// proxy starts), and a round trip per request. Every response is fetched whole from
// the upstream (an origin on loopback, so that part is instant), held for the RTT
// (the first byte comes one RTT after the request), then sent through the bottleneck,
// which the responses in flight share equally, the way TCP flows share a link (the
// handshake's own round trip and slow start are not modelled).
//
//   node shaping-proxy.mjs --upstream http://127.0.0.1:8081 --trace FILE [--rtt-ms 80]
//        [--listen 127.0.0.1:0] [--ready-file F]
//
// Prints {"url": …} (and writes it to --ready-file) once listening. GET /__stats says
// how many bytes went out and the mean rate so far.

import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

function args() {
  const a = { listen: '127.0.0.1:0', rttMs: 80 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--upstream') a.upstream = v;
    else if (k === '--trace') a.trace = v;
    else if (k === '--rtt-ms') a.rttMs = Number(v);
    else if (k === '--listen') a.listen = v;
    else if (k === '--ready-file') a.readyFile = v;
    else throw new Error(`unknown argument ${k}`);
    i++;
  }
  if (!a.upstream || !a.trace) throw new Error('usage: shaping-proxy.mjs --upstream URL --trace FILE [--rtt-ms 80]');
  return a;
}

// [{ t, bps }] with t from 0; the last sample lasts the median step, then it loops.
function loadTrace(file) {
  const samples = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const s = line.trim();
    if (!s || s.startsWith('#')) continue;
    const [t, mbps] = s.split(/\s+/).map(Number);
    if (!Number.isFinite(t) || !Number.isFinite(mbps) || mbps < 0) throw new Error(`bad trace line: ${s}`);
    samples.push({ t, bps: mbps * 1e6 });
  }
  if (!samples.length) throw new Error(`empty trace ${file}`);
  const t0 = samples[0].t;
  for (const x of samples) x.t -= t0;
  const steps = samples.slice(1).map((x, i) => x.t - samples[i].t).sort((p, q) => p - q);
  const period = samples[samples.length - 1].t + (steps.length ? steps[Math.floor(steps.length / 2)] : 1);
  return { samples, period };
}

function rateAt(trace, seconds) {
  const t = seconds % trace.period;
  let lo = 0;
  let hi = trace.samples.length - 1;
  while (lo < hi) {  // the last sample at or before t
    const mid = (lo + hi + 1) >> 1;
    if (trace.samples[mid].t <= t) lo = mid;
    else hi = mid - 1;
  }
  return trace.samples[lo].bps;
}

const opt = args();
const trace = loadTrace(opt.trace);
const upstream = new URL(opt.upstream);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const started = process.hrtime.bigint();
const now = () => Number(process.hrtime.bigint() - started) / 1e9;

// Responses waiting for bandwidth: { res, body, sent }.
const flows = new Set();
let credit = 0;       // bytes the link may still send this turn
let lastTick = now();
let bytesOut = 0;

function tick() {
  const t = now();
  credit += (rateAt(trace, t) / 8) * (t - lastTick);
  lastTick = t;
  if (!flows.size) {
    credit = Math.min(credit, 0);  // an idle link saves up nothing
    return;
  }
  // Equal shares; what a finishing flow leaves goes to the others in the next round.
  while (flows.size && credit >= flows.size) {
    const share = Math.floor(credit / flows.size);
    for (const f of [...flows]) {
      const n = Math.min(share, f.body.length - f.sent);
      f.res.write(f.body.subarray(f.sent, f.sent + n));
      f.sent += n;
      credit -= n;
      bytesOut += n;
      if (f.sent >= f.body.length) {
        flows.delete(f);
        f.res.end();
      }
    }
  }
}
setInterval(tick, 2);

const server = http.createServer((req, res) => {
  const arrived = now();
  if (req.url === '/__stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ seconds: arrived, bytes: bytesOut, mbps: (bytesOut * 8) / 1e6 / Math.max(arrived, 1e-9) }));
    return;
  }
  const headers = { ...req.headers, host: upstream.host };
  delete headers.connection;
  const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent }, (ur) => {
    const chunks = [];
    ur.on('data', (c) => chunks.push(c));
    ur.on('end', () => {
      const body = Buffer.concat(chunks);
      const out = { ...ur.headers, 'timing-allow-origin': '*' };
      delete out.connection;
      delete out['keep-alive'];
      delete out['transfer-encoding'];
      if (req.method !== 'HEAD') out['content-length'] = String(body.length);
      const wait = Math.max(0, opt.rttMs / 1000 - (now() - arrived));
      setTimeout(() => {
        res.writeHead(ur.statusCode, out);
        if (req.method === 'HEAD' || !body.length) {
          res.end();
          return;
        }
        res.flushHeaders();
        flows.add({ res, body, sent: 0 });
      }, wait * 1000);
    });
  });
  up.on('error', (e) => {
    res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`upstream: ${e.message}`);
  });
  req.pipe(up);
  res.on('close', () => {
    for (const f of flows) if (f.res === res) flows.delete(f);  // the client gave up (an abandoned download)
  });
});
server.keepAliveTimeout = 120000;

const [host, port] = opt.listen.split(':');
server.listen(Number(port), host, () => {
  const url = `http://${host}:${server.address().port}`;
  const line = JSON.stringify({ url, trace: opt.trace, rttMs: opt.rttMs, periodS: trace.period });
  if (opt.readyFile) writeFileSync(opt.readyFile, line);
  console.log(line);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
