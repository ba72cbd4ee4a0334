#!/usr/bin/env node
// Writes the seed corpora of the credential fuzz targets (corpus/playbacktoken,
// servicetoken, keyring, credentials): valid tokens signed with the public test ring of
// fuzzkeys.h at its fixed clock, and a few near misses. Run from anywhere; the files
// are checked in, so this only needs running when the token formats change.
import { createHmac, hkdfSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const now = 1767225600;  // fuzzkeys.h kNow
const keys = {
  '0a1b2c3d': Buffer.from([...Array(32).keys()]),
  '99887766': Buffer.from([...Array(32).keys()].map((i) => i + 32)),
  'deadbeef': Buffer.from([...Array(32).keys()].map((i) => i + 64)),
};
const ringText = `# fuzz ring: public test keys
0a1b2c3d ${keys['0a1b2c3d'].toString('base64url')}
99887766 ${keys['99887766'].toString('base64url')} until=${now + 1000}
deadbeef ${keys['deadbeef'].toString('base64url')} until=${now - 1}
`;
const derive = (id, info) => Buffer.from(hkdfSync('sha256', keys[id], Buffer.alloc(0), info, 32));
const mac = (key, data) => createHmac('sha256', key).update(data).digest().toString('base64url');

function playback(id, title, session, expires) {
  const head = `p1.${id}.${expires.toString(36)}.${session}`;
  return `${head}.${mac(derive(id, 'reelstack playback token v1'), `${head}|${title}`)}`;
}
function service(id, roles, instance, expires) {
  const payload = Buffer.from(JSON.stringify({ i: instance, r: roles, x: expires })).toString('base64url');
  const head = `rss1.${id}.${payload}`;
  return `${head}.${mac(derive(id, 'reelstack service token v1'), head)}`;
}
function write(target, name, bytes) {
  const dir = join(here, 'corpus', target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), bytes);
}
const withByte = (b, text) => Buffer.concat([Buffer.from([b]), Buffer.from(text)]);

// playbacktoken: byte 0 = clock (low 2 bits) and minted expiry; then "<title>\n<token>".
write('playbacktoken', 'valid', withByte(0x10, `t_seed\n${playback('0a1b2c3d', 't_seed', 'sess-1', now + 300)}`));
write('playbacktoken', 'valid-old-key', withByte(0x00, `t_seed\n${playback('99887766', 't_seed', 'sess-2', now + 300)}`));
write('playbacktoken', 'retired-key', withByte(0x03, `t_seed\n${playback('99887766', 't_seed', 'sess-2', now + 3000)}`));
write('playbacktoken', 'expired', withByte(0x01, `t_seed\n${playback('0a1b2c3d', 't_seed', 'sess-3', now + 390)}`));
write('playbacktoken', 'other-title', withByte(0x00, `t_other\n${playback('0a1b2c3d', 't_seed', 'sess-1', now + 300)}`));
write('playbacktoken', 'unicode-title', withByte(0x00, `t_é/ü\n${playback('0a1b2c3d', 't_é/ü', 'S_-9', now + 60)}`));
write('playbacktoken', 'no-title', withByte(0x00, playback('0a1b2c3d', 't_fuzz', 'x', now + 60)));

// servicetoken: byte 0 = clock and minted lifetime; then the token.
write('servicetoken', 'valid', withByte(0x04, service('0a1b2c3d', 'edge', 'host-edge-1', now + 300)));
write('servicetoken', 'valid-old-key', withByte(0x00, service('99887766', 'control+api', 'host-control-7', now + 300)));
write('servicetoken', 'expired', withByte(0x00, service('0a1b2c3d', 'edge', 'host-edge-1', now - 61)));
write('servicetoken', 'too-long-lifetime', withByte(0x00, service('0a1b2c3d', 'edge', 'e', now + 2 * 86400)));
write('servicetoken', 'roles-newline', withByte(0x08, 'origin+edge\nhost-origin-3'));

// keyring: the ring's text and near misses.
write('keyring', 'ring', ringText);
write('keyring', 'one-key', `${'0123abcd'} ${keys['0a1b2c3d'].toString('base64url')}\n`);
write('keyring', 'duplicate-id', `0a1b2c3d ${keys['0a1b2c3d'].toString('base64url')}\n0a1b2c3d ${keys['99887766'].toString('base64url')}\n`);
write('keyring', 'short-secret', `0a1b2c3d ${keys['0a1b2c3d'].subarray(0, 31).toString('base64url')}\n`);

// credentials: byte 0 = Access (1 public, 4 service, 5 media; +0x80: media check off);
// then "<Authorization>\n<Cookie>\n<token param>\n<path param>".
const far = 4102444800;  // 2100-01-01: this target checks against the real clock
const svc = service('0a1b2c3d', 'edge', 'host-edge-1', now + 300);
const pb = playback('0a1b2c3d', 't_seed', 'sess-1', far);
const cookie = `theme=dark; rs_session=${Buffer.alloc(32, 7).toString('base64url')}; lang=en`;
write('credentials', 'media-token', withByte(5, `\n${cookie}\n${pb}\nt_seed/manifest.mpd`));
write('credentials', 'media-public', withByte(5, `\n\n\nt_public/video/1.m4s`));
write('credentials', 'media-other-title', withByte(5, `\n\n${pb}\nt_other/manifest.mpd`));
write('credentials', 'service', withByte(4, `Bearer ${svc}\n\n\n`));
write('credentials', 'service-on-media', withByte(5, `Bearer ${svc}\n\n\nt_seed/a.m4s`));
write('credentials', 'api-token', withByte(2, `Bearer rst_${Buffer.alloc(32, 1).toString('base64url')}\n${cookie}\n\n`));
write('credentials', 'two-cookies', withByte(1, `\nrs_session=${'A'.repeat(43)}; rs_session="${'B'.repeat(43)}"\n\n`));
write('credentials', 'media-off', withByte(0x85, `\n\n\nt_seed/manifest.mpd`));
