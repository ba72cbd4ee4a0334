#!/usr/bin/env node
// Hit-ratio tooling for edge-hit-ratio.sh, all deterministic from a seed.
//
//   zipf-trace.js generate --dir DIR --prefix /media/zipf --total-bytes N --min-bytes A
//                 --max-bytes B --requests R --alpha 0.8 --seed S --out FILE [--cache-bytes C]
//     writes objects obj-NNNNN.m4s (sizes uniform in [A, B]) into DIR until they add up
//     to N bytes, and FILE: {"objects":[{"path","size"}…],"trace":[index…],"ceiling":{…}};
//     prints a summary, with an exact LRU of C bytes simulated on the trace as a reference.
//     Popularity ranks are a seeded shuffle of the objects, so rank and size are unrelated.
//   zipf-trace.js replay --port P --trace FILE [--host 127.0.0.1] [--settle-dir DIR]
//     plays the trace one request at a time over one keep-alive connection (so the order
//     the cache sees is the trace order), classifies each answer by the first word of its
//     X-Cache, checks every body's length, prints a JSON summary.
//     --settle-dir: the edge's disk tier (<data-dir>/edge/cache) with admission=always.
//     After each MISS the replay waits until the object's file is in place
//     (objects/<hh>/<sha256(key)>, docs/delivery.md). Until then the edge keeps the body
//     in its in-flight table and answers HIT from it, outside both tiers' budgets; without
//     waiting, a disk writer that lags behind the trace works as an extra cache.
'use strict';
const fs = require('fs');
const path = require('path');
const http = require('http');
const crypto = require('crypto');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits until FILE exists; returns the milliseconds waited, or -1 after timeoutMs.
async function waitForFile(file, timeoutMs) {
  const t0 = Date.now();
  while (!fs.existsSync(file)) {
    if (Date.now() - t0 > timeoutMs) return -1;
    await sleep(1);
  }
  return Date.now() - t0;
}

function args(argv) {
  const o = {};
  for (let i = 3; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  return o;
}
function need(o, k) {
  if (o[k] === undefined) throw new Error(`missing --${k}`);
  return o[k];
}

// mulberry32: small, seedable, good enough to draw sizes and requests.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(o) {
  const dir = need(o, 'dir'), prefix = need(o, 'prefix');
  const total = Number(need(o, 'total-bytes')), minB = Number(need(o, 'min-bytes')), maxB = Number(need(o, 'max-bytes'));
  const requests = Number(need(o, 'requests')), alpha = Number(need(o, 'alpha')), seed = Number(need(o, 'seed'));
  if (!(minB > 0 && maxB >= minB && total >= maxB && requests > 0 && alpha > 0)) throw new Error('inconsistent sizes');
  const rand = rng(seed);
  fs.mkdirSync(dir, { recursive: true });
  const objects = [];
  // Object contents are a seeded pattern, not zeros, so nothing on the way can compress.
  const pattern = Buffer.alloc(maxB);
  for (let i = 0; i < maxB; i++) pattern[i] = Math.floor(rand() * 256);
  let sum = 0;
  while (sum < total) {
    const size = minB + Math.floor(rand() * (maxB - minB + 1));
    const name = `obj-${String(objects.length + 1).padStart(5, '0')}.m4s`;
    const off = Math.floor(rand() * (maxB - size + 1));
    fs.writeFileSync(path.join(dir, name), pattern.subarray(off, off + size));
    objects.push({ path: `${prefix}/${name}`, size });
    sum += size;
  }
  const n = objects.length;
  // rank k (0-based) → object rankToObject[k]: a seeded Fisher-Yates shuffle.
  const rankToObject = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rankToObject[i], rankToObject[j]] = [rankToObject[j], rankToObject[i]];
  }
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let k = 0; k < n; k++) cdf[k] = acc += 1 / Math.pow(k + 1, alpha);
  for (let k = 0; k < n; k++) cdf[k] /= acc;
  const trace = new Array(requests);
  const seen = new Set();
  let bytes = 0, firstBytes = 0;
  for (let i = 0; i < requests; i++) {
    const u = rand();
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1; else hi = mid;
    }
    const obj = rankToObject[lo];
    trace[i] = obj;
    bytes += objects[obj].size;
    if (!seen.has(obj)) { seen.add(obj); firstBytes += objects[obj].size; }
  }
  // An infinite cache still misses every first request: the best any policy can do.
  const ceiling = { distinct: seen.size, objectHitRatio: 1 - seen.size / requests, byteHitRatio: 1 - firstBytes / bytes };
  // A textbook LRU of the cache's byte size on the same trace: what the edge's lru run
  // should come close to (its tiers count a little per-object overhead).
  const lru = o['cache-bytes'] ? simulateLru(objects, trace, Number(o['cache-bytes'])) : null;
  fs.writeFileSync(need(o, 'out'), JSON.stringify({ seed, alpha, totalBytes: sum, objects, trace, ceiling }));
  process.stdout.write(JSON.stringify({ objects: n, totalBytes: sum, requests, requestedBytes: bytes, ceiling, referenceLru: lru }) + '\n');
}

function simulateLru(objects, trace, capacity) {
  const cache = new Map();  // insertion order = recency order
  let used = 0, hits = 0, hitBytes = 0, bytes = 0;
  for (const i of trace) {
    const size = objects[i].size;
    bytes += size;
    if (cache.has(i)) {
      cache.delete(i);
      cache.set(i, size);
      hits++;
      hitBytes += size;
      continue;
    }
    if (size > capacity) continue;
    cache.set(i, size);
    used += size;
    for (const [k, v] of cache) {
      if (used <= capacity) break;
      cache.delete(k);
      used -= v;
    }
  }
  return { capacityBytes: capacity, objectHitRatio: hits / trace.length, byteHitRatio: hitBytes / bytes };
}

function get(agent, host, port, p) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: p, agent }, (res) => {
      let len = 0;
      res.on('data', (c) => { len += c.length; });
      const xcache = String(res.headers['x-cache'] || '-');
      res.on('end', () => resolve({ status: res.statusCode, xcache, len }));
      res.on('error', (e) => resolve({ status: res.statusCode, xcache, len, error: e.message }));
    });
    req.setTimeout(30000, () => req.destroy(new Error(`timeout on ${p}`)));
    req.on('error', reject);
  });
}

async function replay(o) {
  const host = o.host || '127.0.0.1', port = Number(need(o, 'port'));
  const t = JSON.parse(fs.readFileSync(need(o, 'trace'), 'utf8'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const half = Math.floor(t.trace.length / 2);
  const states = {};
  const settleDir = o['settle-dir'];
  const settle = { waits: 0, ms: 0, timeouts: 0 };
  let hits = 0, hitBytes = 0, bytes = 0, bad = 0, hits2 = 0, hitBytes2 = 0, bytes2 = 0;
  const t0 = Date.now();
  for (let i = 0; i < t.trace.length; i++) {
    const obj = t.objects[t.trace[i]];
    let r;
    try {
      r = await get(agent, host, port, obj.path);
    } catch (e) {
      // Counted and reported, not fatal: the next request opens a new connection.
      r = { status: 0, xcache: 'ERROR', len: 0, error: e.message };
    }
    if (r.status !== 200 || r.len !== obj.size) {
      bad++;
      if (bad <= 5)
        process.stderr.write(`zipf-trace: request ${i + 1} ${obj.path}: ${r.error ? `error ${r.error}` : `status ${r.status}`},` +
                             ` ${r.len} of ${obj.size} bytes, X-Cache ${r.xcache}\n`);
    }
    // This edge's hop only ("HIT tier=disk"), without the instance id or upstream hops.
    const hop = r.xcache.split(',')[0].trim().split(/\s+/);
    const detail = hop.slice(0, 2).join(' ');
    states[detail] = (states[detail] || 0) + 1;
    const hit = hop[0] === 'HIT';
    if (settleDir && hop[0] === 'MISS') {
      const hash = crypto.createHash('sha256').update(obj.path, 'utf8').digest('hex');
      const waited = await waitForFile(path.join(settleDir, 'objects', hash.slice(0, 2), hash), 10000);
      if (waited < 0) settle.timeouts++;
      else if (waited > 0) { settle.waits++; settle.ms += waited; }
    }
    bytes += obj.size;
    if (hit) { hits++; hitBytes += obj.size; }
    if (i >= half) {
      bytes2 += obj.size;
      if (hit) { hits2++; hitBytes2 += obj.size; }
    }
  }
  agent.destroy();
  const n = t.trace.length;
  process.stdout.write(JSON.stringify({
    requests: n, hits, bytes, hitBytes, bad, states, seconds: (Date.now() - t0) / 1000,
    settle: settleDir ? settle : null,
    objectHitRatio: hits / n, byteHitRatio: hitBytes / bytes,
    secondHalf: { objectHitRatio: hits2 / (n - half), byteHitRatio: hitBytes2 / bytes2 },
  }) + '\n');
}

const cmd = process.argv[2];
const run = cmd === 'generate' ? async (o) => generate(o) : cmd === 'replay' ? replay : null;
if (!run) {
  process.stderr.write('usage: zipf-trace.js generate|replay --key value …\n');
  process.exit(2);
}
run(args(process.argv)).catch((e) => { process.stderr.write(`zipf-trace: ${e.message}\n`); process.exit(1); });
