#!/usr/bin/env node
// Mints signed media tokens for tests/bench/edge-tokens.sh, one per line on stdout:
//
//   playback-tokens.mjs reelstack --key-file F --title T --count N [--ttl S]
//     ReelStack playback tokens (docs/security.md), as the api mints them: the first
//     unexpired key of the ring signs, with HKDF-SHA256(secret, info "reelstack
//     playback token v1") as the HMAC-SHA256 key, over "p1.<key id>.<expiry base36>.
//     <session>|<title>". Each line has its own session id (bench-000001, …), so every
//     line is a different token, as 1,000 viewers would hold.
//   playback-tokens.mjs nginx --secret S --title T --count N [--ttl S]
//     nginx secure_link tokens for the same paths: "<base64url MD5 of '<expires>/<title>
//     <secret>'>,<expires>", one distinct expiry per line for distinct tokens.
//
// This is an independent implementation of the token format (Node's crypto, not our
// C++): the benchmark checks that our edge accepts what it makes before measuring.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

function fail(msg) {
  process.stderr.write(`playback-tokens: ${msg}\n`);
  process.exit(2);
}

function options(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) fail(`bad argument '${argv[i]}'`);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  return o;
}

const b64url = (buf) => buf.toString('base64url');

// The signing key of a ring file: "<id> <base64url secret> [until=<unix seconds>]" lines.
function signingKey(path, now) {
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [id, secret, until] = line.split(/\s+/);
    const end = until ? Number(until.replace(/^until=/, '')) : 0;
    if (end && now >= end) continue;
    return { id, secret: Buffer.from(secret, 'base64url') };
  }
  fail(`${path}: no key that signs`);
}

const [kind, ...rest] = process.argv.slice(2);
const o = options(rest);
const count = Number(o.count ?? 1);
const ttl = Number(o.ttl ?? 3600);
if (!o.title || !/^[A-Za-z0-9_-]+$/.test(o.title)) fail('--title must be a title id');
if (!Number.isInteger(count) || count < 1 || count > 1e6) fail('--count must be 1 to 1000000');
if (!Number.isInteger(ttl) || ttl < 1) fail('--ttl must be whole seconds');
const now = Math.floor(Date.now() / 1000);
const out = [];

if (kind === 'reelstack') {
  if (!o['key-file']) fail('--key-file is required');
  const key = signingKey(o['key-file'], now);
  const hmacKey = Buffer.from(hkdfSync('sha256', key.secret, Buffer.alloc(0), 'reelstack playback token v1', 32));
  const expires = (now + ttl).toString(36);
  for (let i = 1; i <= count; i++) {
    const head = `p1.${key.id}.${expires}.bench-${String(i).padStart(6, '0')}`;
    const mac = createHmac('sha256', hmacKey).update(`${head}|${o.title}`).digest();
    out.push(`${head}.${b64url(mac)}`);
  }
} else if (kind === 'nginx') {
  if (!o.secret) fail('--secret is required');
  for (let i = 1; i <= count; i++) {
    const expires = now + ttl + i;  // one expiry per line: distinct tokens
    const md5 = createHash('md5').update(`${expires}/${o.title} ${o.secret}`).digest();
    out.push(`${b64url(md5)},${expires}`);
  }
} else {
  fail("first argument must be 'reelstack' or 'nginx'");
}
process.stdout.write(out.join('\n') + '\n');
