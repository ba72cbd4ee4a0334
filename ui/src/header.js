// The header: who is signed in with a sign-out button, the navigation an account may
// use (links marked data-admin are for admins only), and for admins the health
// summary ("9 roles, all healthy", from GET /api/v1/status, admins only).

import { api } from './api.js';
import { currentUser, isAdmin } from './user.js';

const HEALTH_MS = 10000;
let healthTimer = 0;

// onLogout() signs out; the header only offers it for a session (the desktop window
// is signed in with this machine's API token, which a sign-out cannot end).
export function showUser(onLogout) {
  const u = currentUser();
  const box = document.getElementById('user');
  const name = document.getElementById('user-name');
  const role = document.getElementById('user-role');
  const logout = document.getElementById('logout');
  box.hidden = !u;
  for (const a of document.querySelectorAll('header nav')) a.hidden = !u;
  for (const a of document.querySelectorAll('[data-admin]')) a.hidden = !isAdmin();
  clearInterval(healthTimer);
  const health = document.getElementById('health');
  health.hidden = !isAdmin();
  if (!u) return;
  // An API token's principal is "token:<token name>".
  const token = u.via === 'token';
  name.textContent = token ? u.name.replace(/^token:/, '') : u.name;
  name.title = token ? 'Signed in with an API token' : 'Signed in';
  box.dataset.via = u.via;
  box.dataset.user = u.name;
  role.textContent = u.role;
  role.dataset.role = u.role;
  logout.hidden = token;
  logout.onclick = onLogout;
  if (isAdmin()) {
    refreshHealth();
    healthTimer = setInterval(refreshHealth, HEALTH_MS);
  }
}

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
    if (e.status === 401 || e.status === 403) return;  // signed out or no longer admin: the header is redrawn
    el.textContent = 'control unreachable';
    el.className = 'health bad';
    el.title = e.message;
  }
}
