// The pages before signing in: sign in, sign up, forgotten password, and the two pages
// mail links open (email verification and password reset), which read their token from
// the URL fragment and then drop it from the address bar.

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
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: 'Sign in' });
  const form = h('form', { class: 'form', novalidate: false },
    field('Email', email),
    field('Password', password),
    error, submit,
    // After the button, so the keyboard goes email → password → sign in.
    h('p', { class: 'form-aside' }, h('a', { href: '/forgot-password', class: 'small-link', text: 'Forgot password?' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      await login(email.value.trim(), password.value);
      app.afterSignIn();
    }, (err) => error.show(err.message));
  });
  return {
    el: page('Welcome back', 'Sign in to answer your visitors.', form,
      h('p', { class: 'auth-foot' }, 'New to PinTalk? ', h('a', { href: '/signup', text: 'Create an account' }))),
  };
}

export function signupView(app) {
  const name = input('name', 'text', { autocomplete: 'name', maxlength: '100', autofocus: true });
  const email = input('email', 'email', { autocomplete: 'email' });
  const password = input('password', 'password', { autocomplete: 'new-password', minlength: '8' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: 'Create account' });
  const form = h('form', { class: 'form' },
    field('Your name', name),
    field('Email', email),
    field('Password', password, 'At least 8 characters.'),
    error, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      const address = email.value.trim();
      await api('POST', '/auth/signup', { auth: false, body: { email: address, password: password.value, name: name.value.trim() } });
      await login(address, password.value);
      toast(`Check ${address} for a link to confirm your email.`, 'success');
      app.afterSignIn();
    }, (err) => error.show(err.message));
  });
  return {
    el: page('Create your account', 'Live chat for your website, in a few minutes.', form,
      h('p', { class: 'auth-foot' }, 'Already have an account? ', h('a', { href: '/login', text: 'Sign in' }))),
  };
}

export function forgotView() {
  const email = input('email', 'email', { autocomplete: 'email', autofocus: true });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: 'Send reset link' });
  const form = h('form', { class: 'form' }, field('Email', email), error, submit);
  const el = page('Reset your password', 'We will email you a link to choose a new one.', form,
    h('p', { class: 'auth-foot' }, h('a', { href: '/login', text: 'Back to sign in' })));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    busy(submit, async () => {
      const address = email.value.trim();
      await api('POST', '/auth/password/forgot', { auth: false, body: { email: address } });
      form.replaceWith(h('div', { class: 'notice notice-success', role: 'status' },
        icon('check', 18),
        h('span', { text: `If an account exists for ${address}, a link to reset its password is on its way.` })));
    }, (err) => error.show(err.message));
  });
  return { el };
}

export function verifyView(app) {
  const token = takeFragmentToken();
  const body = h('div', { class: 'verify-state' }, h('div', { class: 'spinner' }));
  const el = page('Confirming your email', null, body);
  const title = el.querySelector('h1');
  const next = () => h('a', { class: 'btn btn-primary btn-block', href: session.signedIn() ? '/' : '/login',
    text: session.signedIn() ? 'Go to the dashboard' : 'Sign in' });
  if (!token) {
    title.textContent = 'This link is incomplete';
    body.replaceChildren(h('p', { class: 'muted', text: 'Open the link from the email exactly as it was sent.' }), next());
    return { el };
  }
  api('POST', '/auth/email/verify', { auth: false, body: { token } }).then(() => {
    title.textContent = 'Email confirmed';
    if (app.me) app.setMe({ ...app.me, email_verified: true });
    body.replaceChildren(
      h('div', { class: 'notice notice-success', role: 'status', dataset: { verified: 'true' } }, icon('check', 18),
        h('span', { text: 'Thanks! Your email is confirmed and your widgets can go live.' })),
      next());
  }, (err) => {
    title.textContent = 'We could not confirm your email';
    body.replaceChildren(h('div', { class: 'notice notice-error', role: 'alert', text: err.message }), next());
  });
  return { el };
}

export function resetView() {
  const token = takeFragmentToken();
  const password = input('password', 'password', { autocomplete: 'new-password', minlength: '8', autofocus: true });
  const confirm = input('confirm', 'password', { autocomplete: 'new-password', minlength: '8' });
  const error = formError();
  const submit = h('button', { class: 'btn btn-primary btn-block', type: 'submit', text: 'Set new password' });
  const form = h('form', { class: 'form' },
    field('New password', password, 'At least 8 characters.'), field('Repeat it', confirm), error, submit);
  const el = page('Choose a new password', 'Every device signed in to your account will be signed out.', form);
  if (!token) {
    form.replaceWith(h('div', { class: 'notice notice-error', role: 'alert', text: 'This link is incomplete. Open the link from the email exactly as it was sent.' }));
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.clear();
    if (password.value !== confirm.value) {
      error.show('The two passwords differ.');
      return;
    }
    busy(submit, async () => {
      await api('POST', '/auth/password/reset', { auth: false, body: { token, password: password.value } });
      // The reset ended every session, this browser's too.
      session.clear('signed-out');
      form.replaceWith(h('div', { class: 'notice notice-success', role: 'status' }, icon('check', 18),
        h('span', { text: 'Your password is changed.' })),
      h('a', { class: 'btn btn-primary btn-block', href: '/login', text: 'Sign in' }));
    }, (err) => error.show(err.message));
  });
  return { el };
}
