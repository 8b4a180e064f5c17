// The pages before signing in: sign in, sign up, forgotten password, and the two pages
// mail links open (email verification and password reset), which read their token from
// the URL fragment and then drop it from the address bar.

import { language, t } from '../i18n.js';
import { api, login } from '../api.js';
import { h, icon } from '../dom.js';
import { session } from '../session.js';
import { busy, formError, toast } from '../ui.js';

function page(title, subtitle, ...body) {
  return h('div', { class: 'auth-page' },
    h('div', { class: 'auth-card' },
      h('a', { href: '/', class: 'brand brand-lg' }, h('span', { class: 'brand-mark' }, icon('chat', 18)), h('span', { text: 'PinTalk' })),
      h('h1', { text: title }),
      subtitle && h('p', { class: 'muted', text: subtitle }),
      ...body));
}

function field(label, input, hint = null) {
  return h('label', { class: 'field' }, h('span', { text: label }), input, hint && h('small', { class: 'hint', text: hint }));
}

function input(name, type, props = {}) {
  return h('input', { class: 'input', name, type, required: true, ...props });
}

/** A one-time token from `#token=…`, removed from the address bar at once. */
function takeFragmentToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(null, '', location.pathname);
  return token;
}

export function loginView(app) {
  const email = input('email', 'email', { autocomplete: 'username', autofocus: true });
  const password = input('password', 'password', { autocomplete: 'current-password' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('auth.signIn') });
  const form = h('form', { class: 'form', novalidate: false },
    field(t('auth.email'), email),
    field(t('auth.password'), password),
    error, submit,
    // After the button, so the keyboard goes email → password → sign in.
    h('p', { class: 'form-aside' }, h('a', { href: '/forgot-password', class: 'small-link', text: t('auth.forgot') })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      await login(email.value.trim(), password.value);
      app.afterSignIn();
    }, (err) => error.show(err.message));
  });
  return {
    el: page(t('auth.welcome'), t('auth.welcomeSub'), form,
      h('p', { class: 'auth-foot' }, t('auth.newTo'), h('a', { href: '/signup', text: t('auth.createAccountLink') }))),
  };
}

export function signupView(app) {
  const name = input('name', 'text', { autocomplete: 'name', maxlength: '100', autofocus: true });
  const email = input('email', 'email', { autocomplete: 'email' });
  const password = input('password', 'password', { autocomplete: 'new-password', minlength: '8' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('auth.createAccount') });
  const form = h('form', { class: 'form' },
    field(t('auth.yourName'), name),
    field(t('auth.email'), email),
    field(t('auth.password'), password, t('auth.min8')),
    error, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      const address = email.value.trim();
      await api('POST', '/auth/signup', { auth: false, body: { email: address, password: password.value, name: name.value.trim(), language: language() } });
      await login(address, password.value);
      toast(t('auth.checkMail', { email: address }), 'success');
      app.afterSignIn();
    }, (err) => error.show(err.message));
  });
  return {
    el: page(t('auth.createTitle'), t('auth.createSub'), form,
      h('p', { class: 'auth-foot' }, t('auth.haveAccount'), h('a', { href: '/login', text: t('auth.signIn') }))),
  };
}

export function forgotView() {
  const email = input('email', 'email', { autocomplete: 'email', autofocus: true });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('auth.sendReset') });
  const form = h('form', { class: 'form' }, field(t('auth.email'), email), error, submit);
  const el = page(t('auth.resetTitle'), t('auth.resetSub'), form,
    h('p', { class: 'auth-foot' }, h('a', { href: '/login', text: t('auth.backToSignIn') })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      const address = email.value.trim();
      await api('POST', '/auth/password/forgot', { auth: false, body: { email: address } });
      form.replaceWith(h('div', { class: 'notice notice-success', role: 'status' },
        icon('check', 18),
        h('span', { text: t('auth.resetSent', { email: address }) })));
    }, (err) => error.show(err.message));
  });
  return { el };
}

export function verifyView(app) {
  const token = takeFragmentToken();
  const body = h('div', { class: 'verify-state' }, h('div', { class: 'spinner' }));
  const el = page(t('auth.confirming'), null, body);
  const title = el.querySelector('h1');
  const next = () => h('a', { class: 'btn btn-primary btn-block', href: session.signedIn() ? '/' : '/login',
    text: session.signedIn() ? t('auth.toDashboard') : t('auth.signIn') });
  if (!token) {
    title.textContent = t('auth.linkIncomplete');
    body.replaceChildren(h('p', { class: 'muted', text: t('auth.linkAsSent') }), next());
    return { el };
  }
  api('POST', '/auth/email/verify', { auth: false, body: { token } }).then(() => {
    title.textContent = t('auth.confirmed');
    if (app.me) app.setMe({ ...app.me, email_verified: true });
    body.replaceChildren(
      h('div', { class: 'notice notice-success', role: 'status', dataset: { verified: 'true' } }, icon('check', 18),
        h('span', { text: t('auth.confirmedText') })),
      next());
  }, (err) => {
    title.textContent = t('auth.notConfirmed');
    body.replaceChildren(h('div', { class: 'notice notice-error', role: 'alert', text: err.message }), next());
  });
  return { el };
}

export function resetView() {
  const token = takeFragmentToken();
  const password = input('password', 'password', { autocomplete: 'new-password', minlength: '8', autofocus: true });
  const confirm = input('confirm', 'password', { autocomplete: 'new-password', minlength: '8' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: t('auth.setNew') });
  const form = h('form', { class: 'form' },
    field(t('auth.newPassword'), password, t('auth.min8')), field(t('auth.repeat'), confirm), error, submit);
  const el = page(t('auth.chooseNew'), t('auth.chooseNewSub'), form);
  if (!token) {
    form.replaceWith(h('div', { class: 'notice notice-error', role: 'alert', text: t('auth.linkIncompleteFull') }));
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    if (password.value !== confirm.value) {
      error.show(t('auth.differ'));
      return;
    }
    busy(submit, async () => {
      await api('POST', '/auth/password/reset', { auth: false, body: { token, password: password.value } });
      // The reset ended every session, this browser's too.
      session.clear('signed-out');
      form.replaceWith(h('div', { class: 'notice notice-success', role: 'status' }, icon('check', 18),
        h('span', { text: t('auth.changed') })),
      h('a', { class: 'btn btn-primary btn-block', href: '/login', text: t('auth.signIn') }));
    }, (err) => error.show(err.message));
  });
  return { el };
}
