// Who is signed in, as GET /api/v1/session last said: { name, role, via }. Views ask
// isAdmin() to leave out what a viewer may not do; the api refuses it anyway (403).

import { h } from './dom.js';

let current = null;

export const currentUser = () => current;
export const isAdmin = () => !!current && current.role === 'admin';

// answer: the session answer ({ user: { name, role }, via }), or null when signed out.
export function setUser(answer) {
  current = answer ? { name: answer.user.name, role: answer.user.role, via: answer.via } : null;
}

// What a viewer sees on a page only admins may use (opened by URL).
export function adminsOnly(what) {
  return h('section', { id: 'admins-only' },
    h('h2', {}, 'Admins only'),
    h('p', {}, `${what} is for administrators. You are signed in as `,
      h('strong', {}, current ? current.name : '?'), ` (${current ? current.role : 'not signed in'}).`),
    h('p', {}, h('a', { href: '#/' }, 'Back to the catalogue'), '.'));
}
