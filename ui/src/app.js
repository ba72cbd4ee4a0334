// The UI shell: who is signed in, hash routes → views.
//
//   #/              catalogue            #/title/<id>   one title
//   #/play/<id>     player (?format=hls, ?region=R as a viewer of region R)
//   #/upload        upload a file                              (admins)
//   #/status        role instances and their health            (admins)
//   #/delivery      edges, steering tester, fill plan and pins (admins)
//   #/admin         users, API tokens, the audit trail         (admins)
//   #/simulate      ABR algorithms on a bandwidth trace (?title=<id>)
//
// Nothing shows before GET /api/v1/session says who is signed in; a 401 from it (or
// from any later call: a session that expired or was ended elsewhere) shows the login
// page instead of the view, and signing in shows the page that was asked for. Admin
// pages opened by a viewer say "admins only" (the api would refuse their calls: 403).
//
// Hash routes need no server-side routes beyond / and /ui/…, and work the same in
// the desktop window and in a browser.

import { onSignedOut, session } from './api.js';
import { errorBox, h } from './dom.js';
import { showUser } from './header.js';
import { adminsOnly, currentUser, isAdmin, setUser } from './user.js';
import * as admin from './views/admin.js';
import * as catalogue from './views/catalogue.js';
import * as delivery from './views/delivery.js';
import * as login from './views/login.js';
import * as player from './views/player.js';
import * as simulate from './views/simulate.js';
import * as status from './views/status.js';
import * as title from './views/title.js';
import * as upload from './views/upload.js';

const routes = [
  { re: /^\/?$/, view: catalogue, nav: 'catalogue' },
  { re: /^\/title\/([^/]+)$/, view: title, nav: 'catalogue' },
  { re: /^\/play\/([^/]+)$/, view: player, nav: 'catalogue' },
  { re: /^\/upload$/, view: upload, nav: 'upload', admin: 'Uploading' },
  { re: /^\/status$/, view: status, nav: 'status', admin: 'The status page' },
  { re: /^\/delivery$/, view: delivery, nav: 'delivery', admin: 'The delivery page' },
  { re: /^\/admin$/, view: admin, nav: 'admin', admin: 'Account administration' },
  { re: /^\/simulate$/, view: simulate, nav: 'simulate' },
];

let leave = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  return { path: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

// Ends the view on screen (its requests aborted, its timers and players stopped).
function leaveView() {
  if (leave) leave();
  const view = document.getElementById('view');
  view.replaceChildren();
  return view;
}

function route() {
  if (!currentUser()) {
    showLogin();
    return;
  }
  const view = leaveView();
  const { path, query } = parseHash();
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
  if (r.admin && !isAdmin()) {
    view.append(adminsOnly(r.admin));
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

function signedIn(answer) {
  setUser(answer);
  showUser(logout);
  route();
}

function showLogin(notice = '') {
  setUser(null);
  showUser(logout);
  const view = leaveView();
  login.render(view, { onSignedIn: signedIn, notice });
}

async function logout() {
  try {
    await session.logout();
  } catch (e) {
    // Already gone (401) is what we wanted; anything else is worth saying.
    if (e.status !== 401) {
      console.warn(`sign-out: ${e.message}`);
    }
  }
  showLogin('Signed out.');
}

// A call answered 401: the session ended while this page was open.
onSignedOut(() => {
  if (currentUser()) showLogin('Your session has ended: sign in again.');
});

async function start() {
  let answer;
  try {
    answer = await session.current();
  } catch (e) {
    if (e.status === 401) {
      showLogin();
      return;
    }
    const error = errorBox('start-error');
    error.show(`Cannot reach the api: ${e.message}`);
    leaveView().append(h('section', {}, error.el, h('p', {}, h('button', { type: 'button', onclick: start }, 'Try again'))));
    return;
  }
  signedIn(answer);
}

window.addEventListener('hashchange', () => {
  if (currentUser()) route();
});
// The admin page changed the signed-in account itself (its role, or removed it).
window.addEventListener('reelstack:whoami', start);
start();
