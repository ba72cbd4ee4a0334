// The login page, shown whenever the api says nobody is signed in (401). A wrong
// password, the throttle's wait (429 + Retry-After, counted down on the button) and
// anything else the api answers are said plainly. The password field is cleared after
// every attempt and never leaves this form except in the POST body.

import { session } from '../api.js';
import { errorBox, h } from '../dom.js';

// onSignedIn(answer) runs with the login answer; `notice` explains why the page is
// shown (a session that ended, a sign-out).
export function render(view, { onSignedIn, notice = '' }) {
  const username = h('input', { id: 'login-username', name: 'username', type: 'text', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { id: 'login-submit', type: 'submit' }, 'Sign in');
  const error = errorBox('login-error');
  const form = h('form', { id: 'login-form', class: 'stack login' },
    h('label', {}, 'Username ', username),
    h('label', {}, 'Password ', password),
    h('div', {}, submit),
    error.el);
  view.append(h('section', { id: 'login' },
    h('h2', {}, 'Sign in'),
    notice ? h('p', { id: 'login-notice', class: 'muted' }, notice) : null,
    form,
    h('p', { class: 'muted small' }, 'First start: the account ', h('code', {}, 'admin'), ' has a generated password in ',
      h('code', {}, '<data-dir>/run/admin-password'), '.')));
  username.focus();

  let countdown = 0;
  // Too many failures: the button waits out Retry-After, second by second.
  function wait(seconds) {
    clearInterval(countdown);
    let left = Math.max(1, Math.ceil(seconds));
    const tick = () => {
      if (left <= 0 || !form.isConnected) {
        clearInterval(countdown);
        submit.disabled = false;
        submit.textContent = 'Sign in';
        delete form.dataset.retryAfter;
        return;
      }
      submit.disabled = true;
      submit.textContent = `Sign in (wait ${left} s)`;
      form.dataset.retryAfter = String(left);
      left -= 1;
    };
    tick();
    countdown = setInterval(tick, 1000);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.clear();
    submit.disabled = true;
    let answer;
    try {
      answer = await session.login(username.value.trim(), password.value);
    } catch (e) {
      password.value = '';
      submit.disabled = false;
      if (e.status === 401) {
        error.show('Wrong username or password.');
      } else if (e.status === 429) {
        const s = e.retryAfter || 1;
        error.show(`Too many failed sign-ins for this account or address. Try again in ${s} s.`);
        wait(s);
      } else {
        error.show(`Could not sign in: ${e.message}`);
      }
      password.focus();
      return;
    }
    password.value = '';
    clearInterval(countdown);
    onSignedIn(answer);
  });
}
