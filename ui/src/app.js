// The UI shell: hash routes → views, and the health summary in the header.
//
//   #/              catalogue            #/title/<id>   one title
//   #/play/<id>     player (?format=hls, ?region=R as a viewer of region R)
//   #/upload        upload a file
//   #/status        role instances and their health
//   #/delivery      edges, steering tester, fill plan and pins
//   #/simulate      ABR algorithms on a bandwidth trace (?title=<id>)
//
// Hash routes need no server-side routes beyond / and /ui/…, and work the same in
// the desktop window and in a browser.

import { api } from './api.js';
import { h } from './dom.js';
import * as catalogue from './views/catalogue.js';
import * as delivery from './views/delivery.js';
import * as player from './views/player.js';
import * as simulate from './views/simulate.js';
import * as status from './views/status.js';
import * as title from './views/title.js';
import * as upload from './views/upload.js';

const routes = [
  { re: /^\/?$/, view: catalogue, nav: 'catalogue' },
  { re: /^\/title\/([^/]+)$/, view: title, nav: 'catalogue' },
  { re: /^\/play\/([^/]+)$/, view: player, nav: 'catalogue' },
  { re: /^\/upload$/, view: upload, nav: 'upload' },
  { re: /^\/status$/, view: status, nav: 'status' },
  { re: /^\/delivery$/, view: delivery, nav: 'delivery' },
  { re: /^\/simulate$/, view: simulate, nav: 'simulate' },
];

let leave = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

function route() {
  if (leave) leave();
  const { path, query } = parseHash();
  const view = document.getElementById('view');
  view.replaceChildren();
  const controller = new AbortController();
  const cleanups = [];
  leave = () => {
    controller.abort();
    for (const f of cleanups.splice(0)) {
      try { f(); } catch (e) { console.warn('view cleanup failed', e); }
    }
    leave = null;
  };

  let match = null;
  const r = routes.find((x) => (match = path.match(x.re)));
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (r && a.dataset.nav === r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!r) {
    view.append(h('section', {}, h('h2', {}, 'Not found'), h('p', {}, 'No page at ', h('code', {}, location.hash), '. ',
      h('a', { href: '#/' }, 'Back to the catalogue'), '.')));
    return;
  }
  const ctx = {
    signal: controller.signal,
    params: match.slice(1).map(decodeURIComponent),
    query,
    onLeave: (f) => cleanups.push(f),
    // Runs fn now and again `ms` after each run ends, while fn returns true and the
    // view is shown. Runs never overlap, however slow the server.
    poll(fn, ms) {
      let timer = 0;
      const tick = async () => {
        let again = false;
        try {
          again = await fn();
        } catch (e) {
          if (e.name !== 'AbortError') console.error(e);
          again = true;
        }
        if (again && !controller.signal.aborted) timer = setTimeout(tick, ms);
      };
      cleanups.push(() => clearTimeout(timer));
      tick();
    },
  };
  r.view.render(view, ctx);
}

// "9 roles, all healthy" in the header; a link to the status page.
async function refreshHealth() {
  const el = document.getElementById('health');
  try {
    const s = await api.status();
    const bad = s.instances.filter((i) => i.health !== 'ok' && i.health !== 'heartbeating').length;
    const pending = s.instances.filter((i) => i.load && i.load.implemented === false).length;
    el.textContent = `${s.instances.length} roles, ${bad ? `${bad} unhealthy` : 'all healthy'}${pending ? `, ${pending} not built yet` : ''}`;
    el.className = `health ${bad ? 'bad' : 'ok'}`;
    el.title = 'Role instances registered with control';
  } catch (e) {
    el.textContent = 'control unreachable';
    el.className = 'health bad';
    el.title = e.message;
  }
}

window.addEventListener('hashchange', route);
route();
refreshHealth();
setInterval(refreshHealth, 10000);
