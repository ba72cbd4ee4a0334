#!/usr/bin/env node
// Thundering-herd client for edge-herd.sh: opens N keep-alive connections, proves each one
// is accepted and served (one GET of a warm-up path on every connection), then writes the
// same GET on all of them in one tight loop, so the server sees N requests at once for one
// cold object. Prints one JSON summary: per-request latency to the last byte and to the
// first byte (p50/p99/max), statuses, X-Cache/X-Cache-Status states, short bodies, errors.
//
//   node herd-client.js --port P --path /media/x.m4s [--host 127.0.0.1] [--connections 1000]
//        [--expect-bytes N] [--preflight /healthz] [--timeout-ms 120000]
'use strict';
const net = require('net');

function parseArgs(argv) {
  const o = { host: '127.0.0.1', port: 0, path: '', connections: 1000, expectBytes: -1,
              preflight: '/healthz', timeoutMs: 120000 };
  for (let i = 2; i < argv.length; i += 2) {
    const k = argv[i], v = argv[i + 1];
    if (v === undefined) throw new Error(`missing value for ${k}`);
    switch (k) {
      case '--host': o.host = v; break;
      case '--port': o.port = Number(v); break;
      case '--path': o.path = v; break;
      case '--connections': o.connections = Number(v); break;
      case '--expect-bytes': o.expectBytes = Number(v); break;
      case '--preflight': o.preflight = v; break;
      case '--timeout-ms': o.timeoutMs = Number(v); break;
      default: throw new Error(`unknown option ${k}`);
    }
  }
  if (!o.port || !o.path.startsWith('/') || !(o.connections > 0)) throw new Error('need --port, --path /… and --connections > 0');
  return o;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// One HTTP/1.1 exchange on an open socket. Resolves with {status, headers, bodyBytes,
// firstByteMs, doneMs, error}. The body ends at Content-Length, or at close when absent.
function exchange(sock, request) {
  return new Promise((resolve) => {
    let head = Buffer.alloc(0), parsed = null, body = 0, firstByteMs = 0, finished = false;
    const done = (error) => {
      if (finished) return;
      finished = true;
      sock.removeListener('data', onData);
      sock.removeListener('close', onClose);
      sock.removeListener('error', onError);
      resolve({ status: parsed ? parsed.status : 0, headers: parsed ? parsed.headers : {}, bodyBytes: body,
                firstByteMs, doneMs: nowMs(), error });
    };
    const onData = (chunk) => {
      if (!firstByteMs) firstByteMs = nowMs();
      if (!parsed) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > 65536) done('response head too long');
          return;
        }
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
        if (!m) return done(`bad status line: ${lines[0].slice(0, 80)}`);
        const headers = {};
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
        }
        parsed = { status: Number(m[1]), headers,
                   length: headers['content-length'] !== undefined ? Number(headers['content-length']) : -1 };
        chunk = head.subarray(end + 4);
        head = null;
      }
      body += chunk.length;
      if (parsed.length >= 0 && body >= parsed.length) done(body > parsed.length ? 'body longer than Content-Length' : undefined);
    };
    const onClose = () => done(parsed && parsed.length < 0 ? undefined : 'connection closed early');
    const onError = (e) => done(e.code || e.message);
    sock.on('data', onData);
    sock.on('close', onClose);
    sock.on('error', onError);
    sock.write(request);
  });
}

function connect(o) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: o.host, port: o.port });
    s.setNoDelay(true);
    s.once('connect', () => { s.removeListener('error', reject); resolve(s); });
    s.once('error', reject);
  });
}

function pct(sorted, p) { // nearest rank
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Number(sorted[i].toFixed(3));
}
function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, min: pct(s, 0), p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s.length ? Number(s[s.length - 1].toFixed(3)) : null };
}

async function main() {
  const o = parseArgs(process.argv);
  const hostHeader = `${o.host}:${o.port}`;
  const t0 = nowMs();
  // Connect in batches so the servers' listen backlogs never overflow (a dropped SYN costs
  // a 1 s retransmit, which would be the client's fault, not the server's).
  const socks = [];
  for (let i = 0; i < o.connections; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(o.connections, i + 100); j++) batch.push(connect(o));
    socks.push(...await Promise.all(batch));
  }
  const connectMs = nowMs() - t0;
  // Pre-flight: every connection must be accepted and answered before the herd starts.
  const pre = await Promise.all(socks.map((s) => exchange(s, `GET ${o.preflight} HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`)));
  const preBad = pre.filter((r) => r.error || r.status !== 200).length;
  if (preBad) throw new Error(`${preBad} of ${o.connections} connections failed the pre-flight GET ${o.preflight}`);
  const preflightMs = nowMs() - t0 - connectMs;

  const req = `GET ${o.path} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`;
  const timer = setTimeout(() => { for (const s of socks) s.destroy(new Error('timeout')); }, o.timeoutMs);
  const starts = new Array(o.connections);
  const pending = new Array(o.connections);
  const sendStart = nowMs();
  for (let i = 0; i < o.connections; i++) {
    starts[i] = nowMs();
    pending[i] = exchange(socks[i], req);
  }
  const sendSpreadMs = nowMs() - sendStart;
  const results = await Promise.all(pending);
  clearTimeout(timer);
  const wallMs = nowMs() - sendStart;
  for (const s of socks) s.destroy();

  const statuses = {}, cache = {}, errors = {};
  const lat = [], ttfb = [];
  let ok = 0, short = 0, bytes = 0;
  results.forEach((r, i) => {
    statuses[r.status] = (statuses[r.status] || 0) + 1;
    const c = (r.headers['x-cache'] || r.headers['x-cache-status'] || '-').split(/[ ,]/)[0];
    cache[c] = (cache[c] || 0) + 1;
    bytes += r.bodyBytes;
    if (r.error) errors[r.error] = (errors[r.error] || 0) + 1;
    const full = o.expectBytes < 0 || r.bodyBytes === o.expectBytes;
    if (!full) short++;
    if (!r.error && r.status === 200 && full) ok++;
    lat.push(r.doneMs - starts[i]);
    if (r.firstByteMs) ttfb.push(r.firstByteMs - starts[i]);
  });
  process.stdout.write(JSON.stringify({
    connections: o.connections, path: o.path, ok, short, statuses, cache, errors,
    bytes, connectMs: Number(connectMs.toFixed(1)), preflightMs: Number(preflightMs.toFixed(1)),
    sendSpreadMs: Number(sendSpreadMs.toFixed(3)), wallMs: Number(wallMs.toFixed(1)),
    latencyMs: stats(lat), firstByteMs: stats(ttfb),
  }) + '\n');
}

main().catch((e) => { process.stderr.write(`herd-client: ${e.message}\n`); process.exit(1); });
