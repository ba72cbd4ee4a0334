// The admin page's API tokens: create one (name, role, expiry) and see it once, with
// a copy button, until the page is left or "Done"; the api keeps only its hash, so
// the list shows names and dates, never a token. Revoke one (two clicks).

import { accounts } from '../api.js';
import { errorBox, h } from '../dom.js';
import * as fmt from '../format.js';

const EXPIRY = [
  [0, 'never'], [3600, '1 hour'], [86400, '1 day'], [30 * 86400, '30 days'], [365 * 86400, '1 year'],
];

function stateOf(t) {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) return 'expired';
  return 'active';
}

export function create(ctx, { changed }) {
  const error = errorBox('tokens-error');
  const tbody = h('tbody');
  const name = h('input', { id: 'token-name', type: 'text', placeholder: 'what it is for', autocomplete: 'off', required: true, maxlength: '100' });
  const role = h('select', { id: 'token-role' }, h('option', { value: 'viewer' }, 'viewer'), h('option', { value: 'admin' }, 'admin'));
  const expiry = h('select', { id: 'token-expiry' }, EXPIRY.map(([s, label]) => h('option', { value: String(s) }, `expires: ${label}`)));
  const submit = h('button', { id: 'token-create-submit', type: 'submit' }, 'Create token');
  const form = h('form', { id: 'token-create', class: 'inline-form' }, name, role, expiry, submit);

  // The new token, shown this once.
  const value = h('code', { id: 'new-token-value', class: 'secret' });
  const copied = h('span', { id: 'new-token-copied', class: 'muted' });
  const copy = h('button', { id: 'new-token-copy', type: 'button', class: 'small-button' }, 'Copy');
  const dismiss = h('button', { id: 'new-token-dismiss', type: 'button', class: 'small-button' }, 'Done');
  const label = h('span', { id: 'new-token-label' });
  const fresh = h('div', { id: 'new-token', class: 'new-token', hidden: true, role: 'status' },
    h('p', {}, 'New token ', label, ':'),
    h('p', {}, value, ' ', copy, ' ', copied),
    h('p', { class: 'warn' }, 'Copy it now: it is shown only this once (the server keeps only its hash). ',
      'Scripts send it as ', h('code', {}, 'Authorization: Bearer <token>'), '.'),
    dismiss);
  const forget = () => {
    value.textContent = '';
    copied.textContent = '';
    fresh.hidden = true;
  };
  ctx.onLeave(forget);
  dismiss.addEventListener('click', forget);
  copy.addEventListener('click', async () => {
    try {
      // A browser that asks the user may never answer: give up after 2 s.
      await Promise.race([navigator.clipboard.writeText(value.textContent),
        new Promise((_, reject) => { setTimeout(() => reject(new Error('no answer')), 2000); })]);
      copied.textContent = 'Copied.';
    } catch {
      // No clipboard permission (an embedder, a plain-http host): select it for Ctrl+C.
      getSelection().selectAllChildren(value);
      copied.textContent = 'Selected: press Ctrl+C to copy.';
    }
  });

  const el = h('section', { id: 'tokens' },
    h('h3', {}, 'API tokens'),
    form, fresh, error.el,
    h('table', { id: 'tokens-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Role', 'Kind', 'Created by', 'Created', 'Expires', 'Last used', 'State', '']
        .map((t) => h('th', {}, t)))),
      tbody));

  function row(t) {
    const state = stateOf(t);
    let confirming = false;
    const revoke = state === 'active'
      ? h('button', { type: 'button', class: 'small-button danger', dataset: { action: 'revoke' } }, 'Revoke') : null;
    if (revoke) {
      revoke.addEventListener('click', async () => {
        if (!confirming) {
          confirming = true;
          revoke.textContent = 'Really revoke? Click again';
          setTimeout(() => { confirming = false; revoke.textContent = 'Revoke'; }, 4000);
          return;
        }
        error.clear();
        revoke.disabled = true;
        try {
          await accounts.revokeToken(t.id);
          changed();
        } catch (e) {
          error.show(`Could not revoke ${t.name}: ${e.message}`);
          revoke.disabled = false;
        }
      });
    }
    return h('tr', { dataset: { token: t.id, name: t.name, state } },
      h('td', {}, t.name),
      h('td', {}, t.role),
      h('td', {}, t.kind || '–'),
      h('td', {}, t.createdBy || '–'),
      h('td', {}, fmt.when(t.createdAt)),
      h('td', {}, t.expiresAt ? fmt.when(t.expiresAt) : 'never'),
      h('td', {}, t.lastUsedAt ? fmt.when(t.lastUsedAt) : 'never'),
      h('td', { class: state === 'active' ? 'ok' : 'muted', dataset: { k: 'state' } }, state),
      h('td', {}, revoke));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.clear();
    forget();
    submit.disabled = true;
    try {
      const t = await accounts.createToken(name.value.trim(), role.value, Number(expiry.value));
      label.textContent = `“${t.name}” (${t.role}${t.expiresAt ? `, expires ${fmt.when(t.expiresAt)}` : ''})`;
      value.textContent = t.token;
      fresh.dataset.token = t.id;
      fresh.hidden = false;
      name.value = '';
      changed();
    } catch (e) {
      error.show(`Could not create the token: ${e.message}`);
    } finally {
      submit.disabled = false;
    }
  });

  async function load() {
    try {
      const { tokens } = await accounts.tokens({ signal: ctx.signal });
      // Newest first; revoked and expired ones after the active ones.
      const rank = (t) => (stateOf(t) === 'active' ? 0 : 1);
      tokens.sort((a, b) => rank(a) - rank(b) || String(b.createdAt).localeCompare(String(a.createdAt)));
      tbody.replaceChildren(...tokens.map(row));
    } catch (e) {
      if (e.name !== 'AbortError') error.show(`Could not load the tokens: ${e.message}`);
    }
  }
  return { el, load };
}
