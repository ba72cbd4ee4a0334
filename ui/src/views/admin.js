// #/admin (admins only): users, API tokens and the audit trail, each its own section
// (admin-users.js, admin-tokens.js, admin-audit.js). After any change the three are
// loaded again, so the audit trail shows what was just done.

import { h } from '../dom.js';
import * as audit from './admin-audit.js';
import * as tokens from './admin-tokens.js';
import * as users from './admin-users.js';

export function render(view, ctx) {
  const sections = [users, tokens, audit].map((s) => s.create(ctx, { changed: () => refresh() }));
  const refresh = () => Promise.all(sections.map((s) => s.load()));
  view.append(h('section', { class: 'admin' },
    h('h2', {}, 'Administration'),
    h('p', { class: 'muted' }, 'Accounts sign in to the web UI; API tokens are for scripts and ',
      h('code', {}, 'platform ingest --token'), '. Every change is in the audit trail below.'),
    ...sections.map((s) => s.el)));
  refresh();
}
