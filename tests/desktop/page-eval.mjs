// Evaluates a JavaScript expression in the desktop window's page through Qt
// WebEngine's remote debugging port (QTWEBENGINE_REMOTE_DEBUGGING), with the Chrome
// DevTools Protocol over a WebSocket, and prints the value as JSON (null when there is
// no page yet; a promise is waited for). For desktop-smoke.sh: what the window shows,
// not only what it fetched.
//
//   node --experimental-websocket page-eval.mjs PORT 'document.title'

const [port, expression] = process.argv.slice(2);
if (!port || !expression) {
  console.error('usage: node --experimental-websocket page-eval.mjs PORT EXPRESSION');
  process.exit(2);
}

async function main() {
  let pages;
  try {
    pages = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  } catch {
    return null;  // the debugging port is not up yet
  }
  const page = pages.find((p) => p.type === 'page' && p.webSocketDebuggerUrl);
  if (!page) return null;
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the page within 5 s')), 5000);
    ws.onerror = () => reject(new Error(`cannot connect to ${page.webSocketDebuggerUrl}`));
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true, awaitPromise: true } }));
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.id !== 1) return;
      clearTimeout(timer);
      ws.close();
      if (msg.error || msg.result.exceptionDetails) reject(new Error(JSON.stringify(msg.error || msg.result.exceptionDetails)));
      else resolve(msg.result.result.value ?? null);
    };
  });
}

main().then((v) => console.log(JSON.stringify(v)), (e) => {
  console.error(`page-eval: ${e.message}`);
  process.exit(1);
});
