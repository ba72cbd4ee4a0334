// A tiny static HTTP server on loopback for test pages and the player libraries'
// dist files. Media never comes from here: it comes cross-origin from the platform's
// origin role, as it would in production.
//
//   const s = await startStaticServer({ '/': pagesDir, '/lib/hls.js/': hlsDistDir });
//   s.url  → 'http://127.0.0.1:PORT';  await s.close();
//
// `routes` (optional) maps a URL prefix to a handler (req, res, body) for the few
// dynamic endpoints a test needs (a stand-in license endpoint); they win over files.

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

// mounts: URL prefix (ending in '/') → directory. The longest matching prefix wins.
export async function startStaticServer(mounts, routes = {}) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const route = Object.keys(routes).find((p) => pathname.startsWith(p));
    if (route) {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => routes[route](req, res, Buffer.concat(chunks)));
      return;
    }
    const prefix = prefixes.find((p) => pathname.startsWith(p));
    const root = prefix && path.resolve(mounts[prefix]);
    const file = root && path.resolve(root, `.${pathname.slice(prefix.length - 1)}`);
    if (!file || (file !== root && !file.startsWith(root + path.sep)) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    let st;
    try {
      st = statSync(file);
    } catch {
      st = null;
    }
    if (!st || !st.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`no file ${pathname}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
