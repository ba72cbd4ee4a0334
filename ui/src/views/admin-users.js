// The admin page's users: add one (name, role, password), change a role, reset a
// password (which ends that user's sessions), remove one (two clicks; the api keeps
// the last admin: 409). Changing one's own account re-asks who is signed in.

import { accounts } from '../api.js';
import { errorBox, h } from '../dom.js';
import * as fmt from '../format.js';
import { currentUser } from '../user.js';

const ROLES = ['viewer', 'admin'];

const roleSelect = (attrs, selected) => h('select', attrs,
  ROLES.map((r) => h('option', { value: r, selected: r === selected }, r)));

// { el, load() }; changed() after every change, made or refused.
export function create(ctx, { changed }) {
  const error = errorBox('users-error');
  const notice = h('p', { id: 'users-notice', class: 'ok', hidden: true });
  const tbody = h('tbody');
  const name = h('input', { id: 'new-user-name', type: 'text', placeholder: 'name', autocomplete: 'off', required: true, maxlength: '64' });
  const role = roleSelect({ id: 'new-user-role' }, 'viewer');
  const password = h('input', { id: 'new-user-password', type: 'password', placeholder: 'password (10+ characters)', autocomplete: 'new-password', required: true });
  const add = h('button', { id: 'new-user-add', type: 'submit' }, 'Add user');
  const form = h('form', { id: 'user-add', class: 'inline-form' }, name, role, password, add);
  const el = h('section', { id: 'users' },
    h('h3', {}, 'Users'),
    h('table', { id: 'users-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Role', 'Created', ''].map((t) => h('th', {}, t)))),
      tbody),
    form, error.el, notice);

  const say = (text) => { notice.textContent = text; notice.hidden = !text; };

  // Runs one change; shows the api's message if it is refused.
  async function act(button, what, fn, done) {
    error.clear();
    say('');
    if (button) button.disabled = true;
    try {
      await fn();
      if (done) say(done);
      return true;
    } catch (e) {
      error.show(`${what}: ${e.message}`);
      return false;
    } finally {
      // Refused changes are audited too.
      changed();
      if (button) button.disabled = false;
    }
  }

  // Own role changed or own account removed: what this page may do changed too.
  const whoamiAgain = () => window.dispatchEvent(new Event('reelstack:whoami'));

  function row(u) {
    const self = currentUser() && currentUser().via === 'session' && currentUser().name === u.name;
    const select = roleSelect({ dataset: { action: 'role' }, 'aria-label': `Role of ${u.name}` }, u.role);
    select.addEventListener('change', async () => {
      const ok = await act(select, `Could not change the role of ${u.name}`,
        () => accounts.updateUser(u.name, { role: select.value }), `${u.name} is now ${select.value}.`);
      if (!ok) select.value = u.role;
      else if (self) whoamiAgain();
    });
    const pw = h('input', { type: 'password', placeholder: 'new password', autocomplete: 'new-password', dataset: { action: 'password' } });
    const setPw = h('button', { type: 'submit', class: 'small-button', dataset: { action: 'set-password' } }, 'Set');
    const pwForm = h('form', { class: 'inline-form', hidden: true }, pw, setPw);
    pwForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const value = pw.value;
      pw.value = '';
      if (await act(setPw, `Could not set the password of ${u.name}`, () => accounts.updateUser(u.name, { password: value }),
        `New password set for ${u.name}; their sessions were ended.`)) pwForm.hidden = true;
    });
    const reset = h('button', { type: 'button', class: 'small-button', dataset: { action: 'reset' } }, 'Reset password');
    reset.addEventListener('click', () => {
      pwForm.hidden = !pwForm.hidden;
      if (!pwForm.hidden) pw.focus();
    });
    let confirming = false;
    const remove = h('button', { type: 'button', class: 'small-button danger', dataset: { action: 'remove' } }, 'Remove');
    // Two clicks instead of confirm(): dialogs are blocked in some embedders.
    remove.addEventListener('click', async () => {
      if (!confirming) {
        confirming = true;
        remove.textContent = 'Really remove? Click again';
        setTimeout(() => { confirming = false; remove.textContent = 'Remove'; }, 4000);
        return;
      }
      if (await act(remove, `Could not remove ${u.name}`, () => accounts.removeUser(u.name), `Removed ${u.name}.`) && self) whoamiAgain();
    });
    return h('tr', { dataset: { user: u.name, role: u.role } },
      h('td', {}, u.name, self ? h('span', { class: 'muted' }, ' (you)') : null),
      h('td', {}, select),
      h('td', {}, fmt.when(u.createdAt)),
      h('td', {}, h('div', { class: 'row-actions' }, reset, remove), pwForm));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const n = name.value.trim();
    const p = password.value;
    password.value = '';
    if (await act(add, `Could not add ${n}`, () => accounts.addUser(n, role.value, p), `Added ${n} (${role.value}).`)) {
      name.value = '';
    }
  });

  async function load() {
    try {
      const { users } = await accounts.users({ signal: ctx.signal });
      tbody.replaceChildren(...users.sort((a, b) => a.name.localeCompare(b.name)).map(row));
    } catch (e) {
      if (e.name !== 'AbortError') error.show(`Could not load the users: ${e.message}`);
    }
  }
  return { el, load };
}
