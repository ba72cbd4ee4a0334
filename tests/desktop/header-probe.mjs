// A listener on another port of this host that writes down, per request, whether it
// carried an Authorization header (never its value): desktop-smoke.sh makes the
// window's page fetch from it to prove the local admin token stays with the api.
//
//   node header-probe.mjs PORT_FILE LOG_FILE   (writes the port it listens on to PORT_FILE)

import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [portFile, logFile] = process.argv.slice(2);
const server = createServer((req, res) => {
  appendFileSync(logFile, `${req.method} ${req.url} authorization=${req.headers.authorization ? 'yes' : 'no'}\n`);
  // A preflight (an Authorization header makes one) is granted, so a leaked header
  // shows in the log instead of as a failed fetch.
  res.writeHead(200, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || '',
    'Content-Type': 'text/plain',
  }).end('ok');
});
server.listen(0, '127.0.0.1', () => writeFileSync(portFile, String(server.address().port)));
